// Throughput and latency of the mock (Prism, examples mode and dynamic mode) side by side with a bare
// node:http server answering the same page (the spec's "final-page" example). Each server runs in its
// own child process (the mock's front in one, Prism in its child; started by server-entry.mjs); the
// load generator (autocannon, 20 connections) runs in this process and loads one target at a time,
// in interleaved rounds after a warm-up; median round. Absolutes depend on the machine; the ratio to
// bare node:http is the figure to quote. The servers' RSS (process tree, /proc) is read before and
// after the measured rounds.
//
// Run after `pnpm build`: `node bench/throughput.mjs` (part of `pnpm bench`).
// Env: BENCH_DURATION   seconds of measured load per target, split into the rounds (default 5).
// Exit code 0 whether or not a target is met (see the Targets table); 1 when the benchmark itself
// failed (a server did not start, an exception).

import { isDeepStrictEqual } from "node:util";
import {
  acMs,
  compareThroughput,
  cpuPercent,
  envNumber,
  fmt,
  mb,
  printTable,
  probe,
  runBench,
  spawnBareServer,
  startProcess,
  summarizeRounds,
  verdict,
} from "@llama-batches/bench-kit";
import { loadExamples } from "@llama-batches/contract";

const PATH = "/api/v2/batches";
const HEADERS = { authorization: "Bearer bench" };
const CONNECTIONS = 20; // the figure the design doc quotes
const WARMUP_S = 1;
const DURATION_S = envNumber("BENCH_DURATION", 5);
const ROUNDS = 5;
const ENTRY = new URL("./server-entry.mjs", import.meta.url);

const page = loadExamples()["final-page"]?.value;
const BASELINE = "bare node:http";
const targetsToRun = [
  { name: "mock (examples)", start: () => startProcess(ENTRY, { name: "mock (examples)", args: ["examples"], readyTimeoutMs: 90_000 }) },
  { name: "mock (dynamic)", start: () => startProcess(ENTRY, { name: "mock (dynamic)", args: ["dynamic"], readyTimeoutMs: 90_000 }) },
  { name: BASELINE, start: () => spawnBareServer(page, { name: BASELINE }) },
];

// autocannon's latency histogram has 1 ms resolution and truncates: 0 means under 1 ms.
// Two significant digits, and the "1 in N" reading when the target is slower than the baseline.
const ratio = (x) => (x >= 1 ? `${fmt(x, 2)}×` : `${Number(x.toPrecision(2))}× (1/${fmt(1 / x)})`);

await runBench("mock throughput", async ({ targets, notes, log }) => {
  if (page === undefined) throw new Error('spec example "final-page" not found');
  // Start everything at once (Prism takes a few seconds); allSettled, so that nothing that did start
  // is left running when something else failed (runBench stops them).
  const started = await Promise.allSettled(targetsToRun.map((t) => t.start()));
  const failed = targetsToRun.filter((_, i) => started[i].status === "rejected");
  if (failed.length > 0) {
    const why = failed.map((t) => `${t.name}: ${started[targetsToRun.indexOf(t)].reason?.message}`);
    throw new Error(`did not start:\n${why.join("\n")}`);
  }
  const live = targetsToRun.map((t, i) => ({ name: t.name, server: /** @type {any} */ (started[i]).value }));

  // One request before loading each: is it up, and is it answering what we think?
  const answers = new Map();
  for (const t of live) {
    const answer = await probe(`${t.server.url}${PATH}`, HEADERS);
    let problem;
    if (answer.status < 200 || answer.status >= 300) problem = `probe answered ${answer.status || answer.error}`;
    else if (!answer.contentType.startsWith("application/json"))
      problem = `probe content-type is "${answer.contentType}", not application/json`;
    else if (t.name !== "mock (dynamic)" && !isDeepStrictEqual(answer.body, page))
      problem = 'probe body differs from the "final-page" example';
    answers.set(t.name, problem);
    if (problem) notes.push(`${t.name}: ${problem}`);
  }

  const rssBefore = new Map(live.map((t) => [t.name, t.server.rss()]));
  const rounds = await compareThroughput(
    live.map((t) => ({ name: t.name, url: `${t.server.url}${PATH}`, headers: HEADERS, cpu: t.server.cpu })),
    {
      durationS: DURATION_S,
      connections: CONNECTIONS,
      rounds: ROUNDS,
      warmupS: WARMUP_S,
      onRound: (round, of) => log(`round ${round + 1}/${of}…`),
    },
  );
  const rssAfter = new Map(live.map((t) => [t.name, t.server.rss()]));
  for (const t of live) if (!t.server.alive()) throw new Error(`${t.name} exited during the run:\n  ${t.server.log().join("\n  ")}`);
  for (const t of live) await t.server.stop();

  const summaries = new Map([...rounds].map(([name, r]) => [name, summarizeRounds(r)]));
  const baseline = summaries.get(BASELINE).rps;
  const rows = live.map(({ name }) => {
    const s = summaries.get(name);
    return {
      target: name,
      "req/s": fmt(s.rps),
      "p50 ms": s.ok > 0 ? acMs(s.p50) : "-",
      "p99 ms": s.ok > 0 ? acMs(s.p99) : "-",
      errors: s.timeouts > 0 ? `${fmt(s.errors)} (${fmt(s.timeouts)} timeouts)` : fmt(s.errors),
      "non-2xx": s.otherCodes.length > 0 ? `${fmt(s.non2xx)} (${s.otherCodes.join(", ")})` : fmt(s.non2xx),
      "× bare node:http": ratio(s.rps / baseline),
      "server CPU": cpuPercent(s.serverCpu),
      "server CPU µs/req": s.serverCpuPerRequestUs === undefined ? "-" : fmt(s.serverCpuPerRequestUs),
      "autocannon CPU": cpuPercent(s.generatorCpu),
      "RSS before → after": `${mb(rssBefore.get(name))} → ${mb(rssAfter.get(name))}`,
    };
  });
  printTable(
    `GET ${PATH} on 127.0.0.1: each server in its own process, autocannon in the bench process, ${CONNECTIONS} connections, ` +
      `${DURATION_S} s per target in ${ROUNDS} interleaved rounds after a ${WARMUP_S} s warm-up; median round (node ${process.version})`,
    rows,
  );
  console.log(
    "\nQuote the ratios (× bare node:http), not the absolutes: both sides ran on this machine in the same run, so the ratio is what carries over to another machine.",
  );
  console.log("Latency percentiles are of 2xx responses only, from autocannon's histogram (1 ms resolution, truncated).");
  console.log("RSS: resident set of each server's process tree (the mock: its front + Prism), before and after the measured rounds.");
  console.log(
    "CPU: cores used during a round (median), 100% = one core: the server's process tree (/proc; the mock: front + Prism), and this process, the load generator.",
  );

  for (const t of live) {
    const s = summaries.get(t.name);
    const clean = s.errors === 0 && s.non2xx === 0 && s.ok > 0 && !answers.get(t.name);
    if (!clean && t.name !== BASELINE) notes.push(`${t.name}: the tail of its log:\n    ${t.server.log().join("\n    ")}`);
    if (t.name === BASELINE) continue;
    targets.push({
      target: `${t.name}: every answer 2xx JSON${t.name === "mock (examples)" ? ' (the "final-page" example)' : ""}, 0 errors`,
      measured: `${ratio(s.rps / baseline)} bare node:http (${fmt(s.rps)} vs ${fmt(baseline)} req/s); ${fmt(s.errors)} errors, ${fmt(s.non2xx)} non-2xx`,
      result: verdict(clean),
    });
  }
});
