// Worker of measureLatency (latency.mjs).
// workerData: { origin, cases: [{ name, path, headers }], perRound, rounds, warmup }
// Posts { results: { [name]: { samples: Float64Array (ns), non2xx, statuses, bytes } } } or { error }.

import { Agent, request } from "node:http";
import { parentPort, workerData } from "node:worker_threads";

const { origin, cases, perRound, rounds, warmup } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One GET; resolves with its wall time in ns, its status and its body size. */
function get(path, headers) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = request(`${origin}${path}`, { agent, headers }, (res) => {
      let bytes = 0;
      res.on("data", (chunk) => {
        bytes += chunk.length;
      });
      res.once("end", () => resolve({ ns: Number(process.hrtime.bigint() - start), status: res.statusCode, bytes }));
      res.once("error", reject);
    });
    req.once("error", reject);
    req.end();
  });
}

async function main() {
  const results = Object.fromEntries(
    cases.map((c) => [c.name, { samples: new Float64Array(perRound * rounds), non2xx: 0, statuses: [], bytes: 0 }]),
  );
  for (const c of cases) for (let i = 0; i < warmup; i++) await get(c.path, c.headers);
  for (let round = 0; round < rounds; round++) {
    const order = cases.map((_, i) => cases[(i + round) % cases.length]);
    for (const c of order) {
      const out = results[c.name];
      for (let i = 0; i < perRound; i++) {
        const { ns, status, bytes } = await get(c.path, c.headers);
        out.samples[round * perRound + i] = ns;
        out.bytes = bytes;
        if (status < 200 || status >= 300) {
          out.non2xx++;
          if (!out.statuses.includes(status)) out.statuses.push(status);
        }
      }
    }
  }
  return results;
}

main()
  .then((results) => parentPort.postMessage({ results }))
  .catch((error) => parentPort.postMessage({ error: error?.stack ?? String(error) }))
  .finally(() => agent.destroy());
