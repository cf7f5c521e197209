// A. Throughput of the reference API (GET /api/v2/batches?page_size=20, default dataset of 2,000
// batches, a project key) vs the Prism mock (examples mode) vs a bare node:http server answering the
// reference's own first page byte for byte. Each server runs in its own child process (the mock's
// front in one, Prism in its child); the load generator (autocannon, 20 connections) runs in this
// process and loads one target at a time, in interleaved rounds after a warm-up; median round.
// The servers' RSS (process tree, /proc) is read before and after the measured rounds.
//
// Run after `pnpm build`: `node bench/throughput.mjs` (part of `pnpm bench`).
// Env: BENCH_DURATION   seconds of measured load per target, split into the rounds (default 10).
// Exit code 0 whether or not a target is met (see the Targets table); 1 when the benchmark itself
// failed (a server did not start, a probe got a wrong answer, an exception).

import {
  acMs,
  compareThroughput,
  cpuPercent,
  envNumber,
  fmt,
  getJson,
  mb,
  pairedRatio,
  peakRssOf,
  printTable,
  runBench,
  spawnBareServer,
  startProcess,
  summarizeRounds,
  times,
  verdict,
} from "@llama-batches/bench-kit";

const PATH = "/api/v2/batches";
const DURATION_S = envNumber("BENCH_DURATION", 10);
const THROUGHPUT = { connections: 20, rounds: 9, warmupS: 2, pageSize: 20 };
const TARGET = { vsPrism: 10, vsBare: 0.6 };
const ENTRY = new URL("./server-entry.mjs", import.meta.url);

const REF = "reference API";
const MOCK = "Prism mock (examples)";
const BARE = "bare node:http (same page)";

await runBench("reference-api throughput", async ({ targets, notes, log }) => {
  log("A. throughput: starting the reference API, the Prism mock and a bare node:http server, each in its own process…");
  const refPath = `${PATH}?${new URLSearchParams({ page_size: String(THROUGHPUT.pageSize) })}`;
  const reference = await startProcess(ENTRY, { name: REF, args: ["reference"], readyTimeoutMs: 30_000 });
  const refHeaders = { authorization: `Bearer ${reference.info.projectApiKey}` };
  const first = await getJson(`${reference.url}${refPath}`, refHeaders, "reference probe");
  if (first.body.items.length !== THROUGHPUT.pageSize) throw new Error(`reference probe: ${first.body.items.length} items`);

  // The other two at once (Prism takes a few seconds); allSettled, so that whatever did start is
  // stopped by runBench even when the other failed.
  const [mock, bare] = await Promise.allSettled([
    startProcess(ENTRY, { name: MOCK, args: ["mock"], readyTimeoutMs: 90_000 }),
    spawnBareServer(first.text, { name: BARE }),
  ]);
  if (mock.status === "rejected") throw new Error(`the Prism mock did not start: ${mock.reason?.message ?? mock.reason}`);
  if (bare.status === "rejected") throw new Error(`the bare server did not start: ${bare.reason?.message ?? bare.reason}`);

  const live = [
    { name: REF, server: reference, headers: refHeaders },
    { name: MOCK, server: mock.value, headers: { authorization: "Bearer bench" } },
    { name: BARE, server: bare.value, headers: {} },
  ];
  for (const t of live.slice(1)) await getJson(`${t.server.url}${refPath}`, t.headers, `${t.name} probe`);
  const bareProbe = await getJson(`${bare.value.url}${refPath}`, {}, "bare probe");
  if (bareProbe.text !== first.text) throw new Error("bare probe: the body differs from the reference's first page");

  const rssBefore = new Map(live.map((t) => [t.name, t.server.rss()]));
  const rounds = await compareThroughput(
    live.map((t) => ({ name: t.name, url: `${t.server.url}${refPath}`, headers: t.headers, cpu: t.server.cpu })),
    {
      durationS: DURATION_S,
      connections: THROUGHPUT.connections,
      rounds: THROUGHPUT.rounds,
      warmupS: THROUGHPUT.warmupS,
      onRound: (round, of) => log(`A. throughput: round ${round + 1}/${of}…`),
    },
  );
  const rssAfter = new Map(live.map((t) => [t.name, t.server.rss()]));
  const referencePeak = peakRssOf(reference.pid);
  for (const t of live) if (!t.server.alive()) throw new Error(`${t.name} exited during the run:\n  ${t.server.log().join("\n  ")}`);
  for (const t of live) await t.server.stop();

  const s = new Map([...rounds].map(([name, r]) => [name, summarizeRounds(r)]));
  const rows = live.map(({ name }) => {
    const x = s.get(name);
    return {
      target: name,
      "2xx/s": fmt(x.okRps),
      "p50 ms": x.ok > 0 ? acMs(x.p50) : "-",
      "p99 ms": x.ok > 0 ? acMs(x.p99) : "-",
      "bytes/resp": fmt(x.bytes),
      requests: fmt(x.requests),
      errors: x.timeouts > 0 ? `${fmt(x.errors)} (${fmt(x.timeouts)} timeouts)` : fmt(x.errors),
      "non-2xx": x.otherCodes.length > 0 ? `${fmt(x.non2xx)} (${x.otherCodes.join(", ")})` : fmt(x.non2xx),
      "× Prism": times(x.okRps / s.get(MOCK).okRps),
      "× bare": times(x.okRps / s.get(BARE).okRps),
      "server CPU": cpuPercent(x.serverCpu),
      "server CPU µs/req": x.serverCpuPerRequestUs === undefined ? "-" : fmt(x.serverCpuPerRequestUs),
      "autocannon CPU": cpuPercent(x.generatorCpu),
      "RSS before → after": `${mb(rssBefore.get(name))} → ${mb(rssAfter.get(name))}`,
    };
  });
  printTable(
    `A. Throughput, GET ${refPath} on 127.0.0.1: each server in its own process, autocannon in the bench process, ` +
      `${THROUGHPUT.connections} connections, ${DURATION_S} s per target in ${THROUGHPUT.rounds} interleaved rounds after a ` +
      `${THROUGHPUT.warmupS} s warm-up; median round (node ${process.version})`,
    rows,
  );
  console.log(
    "\nreference: default dataset (2,000 batches), a project key. Prism answers the spec's example; the bare server answers the" +
      " reference's own first page, byte for byte.\nLatency percentiles are autocannon's (1 ms resolution, truncated)." +
      `\nRSS: resident set of each server's process tree (the mock: its front + Prism), before and after the measured rounds;` +
      ` the reference API's peak (VmHWM) over its whole life: ${mb(referencePeak)}.` +
      "\nCPU: cores used during a round (median), 100% = one core: the server's process tree (/proc), and this process," +
      " the load generator. A single-threaded server near 100% is the bottleneck; autocannon near 100% would be." +
      " µs/req: the server's CPU time per answer, which compares servers that can use more than one core (the mock) fairly.",
  );

  const dirty = [...s].filter(([, x]) => x.errors > 0 || x.non2xx > 0);
  for (const [name, x] of dirty) {
    const perRound = rounds.get(name).map((r) => `${r.non2xx + r.errors}/${r.requests.total}`);
    notes.push(`A: ${name}: ${x.errors} errors, ${x.non2xx} non-2xx (per round: ${perRound.join(", ")}): its req/s is suspect`);
    const server = live.find((t) => t.name === name)?.server;
    if (server) notes.push(`A: the tail of ${name}'s log:\n    ${server.log().join("\n    ")}`);
  }
  const ref = s.get(REF);
  const clean = ref.errors === 0 && ref.non2xx === 0;
  // Round by round: each round loads the three back to back, so a slow spell of this shared machine
  // weighs on both sides of a ratio.
  const vsPrism = pairedRatio(rounds.get(REF), rounds.get(MOCK));
  const vsBare = pairedRatio(rounds.get(REF), rounds.get(BARE));
  targets.push(
    {
      target: `A. reference req/s ≥ ${TARGET.vsPrism}× Prism`,
      measured: `${times(vsPrism)} (median of per-round ratios; medians ${fmt(ref.okRps)} vs ${fmt(s.get(MOCK).okRps)} 2xx/s)`,
      result: verdict(vsPrism >= TARGET.vsPrism && clean),
    },
    {
      target: `A. reference req/s ≥ ${TARGET.vsBare}× bare node:http`,
      measured: `${times(vsBare)} (median of per-round ratios; medians ${fmt(ref.okRps)} vs ${fmt(s.get(BARE).okRps)} 2xx/s)`,
      result: verdict(vsBare >= TARGET.vsBare && clean),
    },
  );
});
