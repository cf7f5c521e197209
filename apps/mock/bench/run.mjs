// Throughput and latency of the mock, side by side with a bare node:http server answering the same
// page, all driven by one load generator (autocannon) on loopback in the same run. Absolutes depend
// on the machine; the ratio to bare node:http is the figure to quote.
//
// Run after `pnpm build`: `node bench/run.mjs` (BENCH_DURATION=seconds per target, default 5).

import { isDeepStrictEqual } from "node:util";
import { loadExamples } from "@llama-batches/contract";
import autocannon from "autocannon";
import { fmt, median, printTable } from "../../../packages/bench/src/harness.mjs";
import { startMock } from "../dist/index.js";
import { startBareServer } from "./bare-server.mjs";

const PATH = "/api/v2/batches";
const HEADERS = { authorization: "Bearer bench" };
const CONNECTIONS = 20; // the figure the design doc quotes
const WARMUP_S = 1;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
if (!(DURATION_S > 0)) throw new Error(`BENCH_DURATION must be a positive number of seconds, got ${process.env.BENCH_DURATION}`);
// The measured time is split into interleaved rounds (order rotated each round), so that a noisy
// neighbour slows every target alike; we report the median round.
const ROUNDS = 5;

const page = loadExamples()["final-page"]?.value;
if (page === undefined) throw new Error('spec example "final-page" not found');

const BASELINE = "bare node:http";
const targets = [
  { name: "mock (examples)", start: () => startMock({ port: 0 }) },
  { name: "mock (dynamic)", start: () => startMock({ port: 0, dynamic: true }) },
  { name: BASELINE, start: () => startBareServer(page) },
];

/** Servers started so far; every one is stopped in `finally`, or on Ctrl-C. */
const running = new Set();
const stopAll = () => Promise.allSettled([...running].map((server) => server.stop()));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping servers`);
    stopAll().finally(() => process.exit(130));
  });
}

/**
 * One autocannon run against `url`. `workers: 1` puts the load generator on its own thread, so it
 * does not share an event loop with the servers under test (the bare server and the mock's
 * front both live in this process; Prism is a child process).
 */
function load(url, duration) {
  return autocannon({ url: `${url}${PATH}`, headers: HEADERS, connections: CONNECTIONS, duration, workers: 1 });
}

/** One request before loading it: is it up, and is it answering what we think? */
async function probe(url) {
  try {
    const res = await fetch(`${url}${PATH}`, { headers: HEADERS });
    const text = await res.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", body };
  } catch (error) {
    return { status: 0, error: error.message };
  }
}

const results = new Map(); // name -> { rounds: autocannon results } | { failed: message }
const notes = [];
try {
  // Start everything at once (Prism takes a few seconds); allSettled so that nothing that did
  // start is left running when something else failed.
  const started = await Promise.allSettled(
    targets.map(async (target) => {
      const server = await target.start();
      running.add(server);
      return server;
    }),
  );
  const live = [];
  targets.forEach((target, i) => {
    const outcome = started[i];
    if (outcome.status === "fulfilled") live.push({ ...target, url: outcome.value.url });
    else {
      results.set(target.name, { failed: "did not start (see below)" });
      notes.push(`${target.name}: did not start: ${outcome.reason?.message ?? outcome.reason}`);
    }
  });

  for (const target of live) {
    const answer = await probe(target.url);
    if (answer.status < 200 || answer.status >= 300) {
      notes.push(`${target.name}: probe answered ${answer.status || answer.error}`);
    } else if (!answer.contentType.startsWith("application/json")) {
      notes.push(`${target.name}: probe content-type is "${answer.contentType}", not application/json`);
    } else if (target.name !== "mock (dynamic)" && !isDeepStrictEqual(answer.body, page)) {
      notes.push(`${target.name}: probe body differs from the "final-page" example`);
    }
  }

  // Warm-up (discarded), then the measured rounds, one target at a time, same options for all.
  for (const target of live) await load(target.url, WARMUP_S);
  for (const target of live) results.set(target.name, { rounds: [] });
  for (let round = 0; round < ROUNDS; round++) {
    process.stderr.write(`round ${round + 1}/${ROUNDS}…\n`);
    const order = live.map((_, i) => live[(i + round) % live.length]);
    for (const target of order) results.get(target.name).rounds.push(await load(target.url, DURATION_S / ROUNDS));
  }
} finally {
  await stopAll();
}

/** Median round for rates and latencies; counts summed over all rounds. */
function summarize(rounds) {
  const sum = (pick) => rounds.reduce((acc, r) => acc + pick(r), 0);
  const codes = new Set(rounds.flatMap((r) => Object.keys(r.statusCodeStats)));
  return {
    rps: median(rounds.map((r) => r.requests.total / r.duration)),
    p50: median(rounds.map((r) => r.latency.p50)),
    p99: median(rounds.map((r) => r.latency.p99)),
    ok: sum((r) => r["2xx"]),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
    otherCodes: [...codes].filter((code) => !code.startsWith("2")),
  };
}

// autocannon's latency histogram has 1 ms resolution and truncates: 0 means under 1 ms.
const ms = (value) => (value < 1 ? "<1" : fmt(value));
// Two significant digits, and the "1 in N" reading when the target is slower than the baseline.
const ratio = (x) => (x >= 1 ? `${fmt(x, 2)}×` : `${Number(x.toPrecision(2))}× (1/${fmt(1 / x)})`);

const summaries = new Map([...results].filter(([, v]) => v.rounds?.length).map(([name, v]) => [name, summarize(v.rounds)]));
const baseline = summaries.get(BASELINE)?.rps;
let failures = 0;
const rows = targets.map(({ name }) => {
  const s = summaries.get(name);
  if (!s) {
    failures++;
    const why = results.get(name)?.failed ?? "not run";
    return { target: name, "req/s": "-", "p50 ms": "-", "p99 ms": "-", errors: why, "non-2xx": "-", "× bare node:http": "-" };
  }
  if (s.errors > 0 || s.non2xx > 0 || s.ok === 0) failures++;
  return {
    target: name,
    "req/s": fmt(s.rps),
    "p50 ms": s.ok > 0 ? ms(s.p50) : "-",
    "p99 ms": s.ok > 0 ? ms(s.p99) : "-",
    errors: s.timeouts > 0 ? `${fmt(s.errors)} (${fmt(s.timeouts)} timeouts)` : fmt(s.errors),
    "non-2xx": s.otherCodes.length > 0 ? `${fmt(s.non2xx)} (${s.otherCodes.join(", ")})` : fmt(s.non2xx),
    "× bare node:http": baseline ? ratio(s.rps / baseline) : "-",
  };
});

printTable(
  `GET ${PATH} on 127.0.0.1: autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per target in ${ROUNDS} interleaved rounds after a ${WARMUP_S} s warm-up; median round (node ${process.version})`,
  rows,
);
console.log(
  "\nQuote the ratios (× bare node:http), not the absolutes: both sides ran on this machine in the same run, so the ratio is what carries over to another machine.",
);
console.log("Latency percentiles are of 2xx responses only, from autocannon's histogram (1 ms resolution, truncated).");
for (const note of notes) console.log(`! ${note}`);
if (failures > 0) {
  console.log(`! ${failures} target(s) had errors, non-2xx answers or did not run.`);
  process.exitCode = 1;
}
