// Sequential per-request latency, sub-millisecond: one keep-alive connection, one request at a time,
// each timed from `http.request` to the end of the body, from a worker thread (so the client does not
// share an event loop with a server running in the calling thread). Cases run in interleaved rounds
// (order rotated each round) so that drift (GC, a noisy neighbour) hits every case alike.

import { Worker } from "node:worker_threads";

/**
 * @typedef {object} LatencyCase
 * @property {string} name
 * @property {string} path path + query, appended to the origin
 * @property {Record<string, string>} [headers]
 */

/**
 * @param {string} origin e.g. http://127.0.0.1:4020
 * @param {LatencyCase[]} cases
 * @param {{ perRound: number, rounds: number, warmup: number }} options
 * @returns {Promise<Record<string, { samples: Float64Array, non2xx: number, statuses: number[], bytes: number }>>}
 *   per case: wall times in ns, non-2xx count and statuses, body size of the last answer
 */
export function measureLatency(origin, cases, { perRound, rounds, warmup }) {
  const worker = new Worker(new URL("./latency-worker.mjs", import.meta.url), {
    workerData: { origin, cases, perRound, rounds, warmup },
  });
  return new Promise((resolve, reject) => {
    worker.once("message", (message) => {
      if (message.error) reject(new Error(`latency worker: ${message.error}`));
      else resolve(message.results);
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`latency worker exited with code ${code} before reporting`)));
  }).finally(() => worker.terminate());
}

/** The q-quantile of an ascending array (nearest rank, lower). */
export function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
