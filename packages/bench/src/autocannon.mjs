// The load generator: autocannon, run in the bench's own process against servers that each run in
// their own child process (see process.mjs). Targets are loaded one at a time, in interleaved rounds
// (order rotated each round) after a warm-up, so that a noisy neighbour slows every target alike;
// we report the median round.

import autocannon from "autocannon";
import { fmt, median } from "./harness.mjs";

/**
 * One autocannon run; resolves with its result object, rejects if autocannon could not run.
 * @param {Record<string, unknown>} options autocannon's options (url, connections, duration, requests…)
 * @returns {Promise<any>}
 */
export function runAutocannon(options) {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/**
 * @typedef {object} LoadTarget
 * @property {string} name
 * @property {string} url full URL of the request (origin + path + query)
 * @property {Record<string, string>} [headers]
 * @property {() => number | undefined} [cpu] the server's CPU seconds so far (ServerProcess.cpu): when
 *   given, each result gets `cpuShare: { server, generator }`, the cores each side used during the run
 */

/**
 * Loads each target for `warmupS` (discarded), then `rounds` rounds of `durationS / rounds` each.
 * @param {LoadTarget[]} targets
 * @param {{ durationS: number, connections?: number, rounds?: number, warmupS?: number, pipelining?: number,
 *   workers?: number, onRound?: (round: number, rounds: number) => void, between?: () => Promise<void> | void }} options
 * @returns {Promise<Map<string, any[]>>} target name → autocannon results, one per round
 */
export async function compareThroughput(targets, options) {
  const { durationS, connections = 20, rounds = 5, warmupS = 1, pipelining = 1, workers } = options;
  const run = (target, duration) =>
    runAutocannon({
      url: target.url,
      headers: target.headers ?? {},
      connections,
      pipelining,
      duration,
      ...(workers ? { workers } : {}),
    });
  const measured = async (target, duration) => {
    const server0 = target.cpu?.();
    const generator0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await run(target, duration);
    const wall = (performance.now() - t0) / 1000;
    const server1 = target.cpu?.();
    const generator = process.cpuUsage(generator0);
    result.cpuShare = {
      server: server0 === undefined || server1 === undefined ? undefined : (server1 - server0) / wall,
      generator: (generator.user + generator.system) / 1e6 / wall,
    };
    return result;
  };
  for (const target of targets) {
    await run(target, warmupS);
    await options.between?.();
  }
  const results = new Map(targets.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++) {
    options.onRound?.(round, rounds);
    const order = targets.map((_, i) => targets[(i + round) % targets.length]);
    for (const target of order) {
      results.get(target.name).push(await measured(target, durationS / rounds));
      await options.between?.();
    }
  }
  return results;
}

/**
 * Median round for rates and latencies; counts summed over all rounds. `rps` counts every answer,
 * `okRps` the 2xx ones only (a server that fails fast must not look faster for it).
 * @param {any[]} rounds autocannon results
 */
export function summarizeRounds(rounds) {
  const sum = (pick) => rounds.reduce((acc, r) => acc + pick(r), 0);
  const codes = new Set(rounds.flatMap((r) => Object.keys(r.statusCodeStats ?? {})));
  const requests = sum((r) => r.requests.total);
  const shares = rounds.map((r) => r.cpuShare);
  return {
    rps: median(rounds.map((r) => r.requests.total / r.duration)),
    okRps: median(rounds.map((r) => r["2xx"] / r.duration)),
    p50: median(rounds.map((r) => r.latency.p50)),
    p99: median(rounds.map((r) => r.latency.p99)),
    bytes: sum((r) => r.throughput.total) / Math.max(1, requests),
    requests,
    ok: sum((r) => r["2xx"]),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
    otherCodes: [...codes].filter((code) => !code.startsWith("2")),
    /** cores the server used during a round (1 = one core busy), median over the rounds, when measured */
    serverCpu: shares.some((x) => x?.server === undefined) ? undefined : median(shares.map((x) => x.server)),
    /** the server's CPU time per answer (µs), median over the rounds, when measured */
    serverCpuPerRequestUs: shares.some((x) => x?.server === undefined)
      ? undefined
      : median(rounds.map((r) => (r.cpuShare.server * 1e6) / Math.max(1, r.requests.total / r.duration))),
    /** cores this process (the load generator) used during a round, median over the rounds */
    generatorCpu: shares.some((x) => x === undefined) ? undefined : median(shares.map((x) => x.generator)),
  };
}

/**
 * The ratio of two targets' 2xx rates measured round by round (each round runs them back to back),
 * median over the rounds: steadier on a noisy machine than the ratio of the two medians, because a
 * slow spell hits both sides of a round alike.
 * @param {any[]} a autocannon results, one per round
 * @param {any[]} b the other target's, in the same rounds
 */
export function pairedRatio(a, b) {
  return median(a.map((r, i) => r["2xx"] / r.duration / (b[i]["2xx"] / b[i].duration)));
}

/** A share of cores as a percentage of one core, or "-". @param {number | undefined} share */
export const cpuPercent = (share) => (share === undefined ? "-" : `${fmt(share * 100)}%`);

/** autocannon's latency histogram has 1 ms resolution and truncates: 0 means under 1 ms. */
export const acMs = (value) => (value < 1 ? "<1" : fmt(value));
