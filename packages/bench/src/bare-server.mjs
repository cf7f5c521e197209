// The baseline every server is compared with: a bare `node:http` server on loopback answering one
// path with a canned JSON body (anything else is a 404), doing nothing else. As fast as node:http
// gets on this machine, so "× bare node:http" is the share of the ceiling a server reaches.

import { createServer } from "node:http";
import { startProcess } from "./process.mjs";

const DEFAULT_PATH = "/api/v2/batches";

/**
 * In this process. Same `{ url, stop() }` shape as the servers it stands beside.
 * @param {string | unknown} body the JSON text to answer with (a non-string is JSON.stringify'd)
 * @param {{ path?: string }} [options] the path answered (query ignored), default /api/v2/batches
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export function startBareServer(body, { path = DEFAULT_PATH } = {}) {
  const bytes = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const headers = { "content-type": "application/json", "content-length": String(bytes.length) };
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url?.split("?")[0] === path) {
      res.writeHead(200, headers);
      res.end(bytes);
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end('{"detail":"Not Found"}');
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
      let stopping;
      const stop = () => {
        stopping ??= new Promise((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
        return stopping;
      };
      resolve({ url: `http://127.0.0.1:${port}`, stop });
    });
  });
}

/**
 * The same server in its own child process (see process.mjs): what throughput benchmarks use.
 * @param {string | unknown} body the JSON text to answer with (a non-string is JSON.stringify'd)
 * @param {{ path?: string, name?: string }} [options]
 * @returns {Promise<import("./process.mjs").ServerProcess>}
 */
export function spawnBareServer(body, { path = DEFAULT_PATH, name = "bare node:http" } = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return startProcess(new URL("./bare-server-entry.mjs", import.meta.url), { name, input: { body: text, path }, readyTimeoutMs: 10_000 });
}
