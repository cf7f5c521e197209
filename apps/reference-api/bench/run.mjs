// Benchmark of the reference API (GET /api/v2/batches), all on 127.0.0.1, in one process:
//
//   B. Scale: 1,000,000 batches: start-up time, memory, and per-request latency of the first page vs
//      a page deep in the traversal, and of a selective filter vs none (sequential requests from a
//      worker thread, sub-millisecond timing).
//   A. Throughput: the reference API vs the Prism mock (examples mode) vs a bare node:http server
//      answering the same page, driven by one load generator (autocannon on its own worker thread),
//      20 connections, interleaved rounds.
//   C. Load: 200 connections for BENCH_LOAD_SECONDS (default 30) against the reference API:
//      errors, non-2xx, timeouts.
//
// B runs first, so that its memory figures are measured in a fresh process.
// Run after `pnpm build`: `pnpm bench` (node --max-old-space-size=8192 bench/run.mjs).
// Env: BENCH_DURATION (A: seconds per target, default 10), BENCH_LOAD_SECONDS (C, default 30),
// BENCH_SCALE_SIZE (B: batches, default 1,000,000).
// Exit code 0 whether or not a target is met (see the Targets table); 1 when the benchmark itself
// failed (a server did not start, a probe got a wrong answer, an exception).

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Worker } from "node:worker_threads";
import { startMock } from "@llama-batches/mock";
import autocannon from "autocannon";
import { compareRates, fmt, median, printTable, verdict } from "../../../packages/bench/src/harness.mjs";
import { startBareServer } from "../../mock/bench/bare-server.mjs";
import { generateDataset, startReferenceApi } from "../dist/index.js";

const PATH = "/api/v2/batches";

function positiveNumber(name, fallback) {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
}

const THROUGHPUT_S = positiveNumber("BENCH_DURATION", 10);
const LOAD_S = positiveNumber("BENCH_LOAD_SECONDS", 30);
const SCALE_SIZE = Math.round(positiveNumber("BENCH_SCALE_SIZE", 1_000_000));

const THROUGHPUT = { connections: 20, rounds: 5, warmupS: 1, pageSize: 20 };
const LATENCY = { pageSize: 20, perRound: 500, rounds: 5, warmup: 300, deepShare: 0.9, traversalPageSize: 100 };
const LOAD = { connections: 200 };
const TARGET = { vsPrism: 10, deepOverFirst: 1.5, filterOverNone: 2 };

const t0 = performance.now();

/** Servers started so far; every one is stopped in `finally`, or on Ctrl-C. */
const running = new Set();
async function start(factory) {
  const server = await factory();
  running.add(server);
  return server;
}
async function stop(server) {
  running.delete(server);
  await server.stop();
}
const stopAll = () => Promise.allSettled([...running].map((server) => stop(server)));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping servers`);
    stopAll().finally(() => process.exit(130));
  });
}

const targets = []; // rows of the final Targets table
const notes = [];
const log = (message) => process.stderr.write(`${message}\n`);

// ---------------------------------------------------------------------------------------------
// helpers

/** A full GC, in-process: `global.gc` when node runs with --expose-gc, else switched on here. */
function getGc() {
  if (typeof globalThis.gc === "function") return globalThis.gc;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc");
}
const gc = getGc();
async function settledMemory() {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

const MB = (bytes) => `${fmt(bytes / 2 ** 20)} MB`;
const signedMB = (bytes) => `${bytes < 0 ? "−" : "+"}${fmt(Math.abs(bytes) / 2 ** 20)} MB`;
const msText = (ms) => (ms >= 100 ? `${fmt(ms)} ms` : `${fmt(ms, 1)} ms`);
const us = (ns) => fmt(ns / 1e3, ns < 1e5 ? 1 : 0);
const times = (x) => `${fmt(x, 2)}×`;
const bearer = (key) => ({ authorization: `Bearer ${key}` });
const query = (params) => `${PATH}?${new URLSearchParams(params)}`;

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** GET, parsed; throws on a non-2xx or non-JSON answer (a benchmark error, not a measurement). */
async function getJson(url, headers, what) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
  if (!(res.headers.get("content-type") ?? "").startsWith("application/json")) {
    throw new Error(`${what}: content-type ${res.headers.get("content-type")}`);
  }
  return JSON.parse(text);
}

/** Runs the latency worker; resolves with its per-case results. */
function measureLatency(origin, cases) {
  const worker = new Worker(new URL("./latency-worker.mjs", import.meta.url), {
    workerData: { origin, cases, perRound: LATENCY.perRound, rounds: LATENCY.rounds, warmup: LATENCY.warmup },
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

/**
 * Pages through a whole query with `page_size=100`, keeping every next token and the position (last
 * item) each one stands for, so that a page at any depth can be asked for afterwards.
 */
async function traverse(url, headers, params) {
  const started = performance.now();
  const tokens = [];
  let items = 0;
  let token;
  do {
    const body = await getJson(
      `${url}${query({ ...params, page_size: String(LATENCY.traversalPageSize), ...(token ? { page_token: token } : {}) })}`,
      headers,
      "traversal",
    );
    items += body.items.length;
    token = body.next_page_token;
    if (token) tokens.push({ token, itemsBefore: items, last: body.items[body.items.length - 1] });
  } while (token);
  return { tokens, items, pages: tokens.length + 1, ms: performance.now() - started };
}

// ---------------------------------------------------------------------------------------------
// B. Scale

async function scale() {
  log(`B. scale: generating ${fmt(SCALE_SIZE)} batches…`);
  const m0 = await settledMemory();

  let t = performance.now();
  let dataset = generateDataset({ size: SCALE_SIZE });
  const generateMs = performance.now() - t;
  const m1 = await settledMemory();

  // The fixed part of a start (spec, validators, listen), with no batches.
  t = performance.now();
  const empty = await start(() =>
    startReferenceApi({ fixture: { projects: dataset.projects, apiKeys: dataset.apiKeys, sessions: dataset.sessions, batches: [] } }),
  );
  const emptyStartMs = performance.now() - t;
  await stop(empty);

  log("B. scale: indexing and listening…");
  t = performance.now();
  const api = await start(() => startReferenceApi({ fixture: dataset }));
  const startMs = performance.now() - t;
  const m2 = await settledMemory();

  try {
    const orgKey = api.apiKeys.find((k) => k.project_id === null);
    const projectKey = api.apiKeys.find((k) => k.organization_id === orgKey.organization_id && k.project_id !== null);
    const orgProjects = new Set(dataset.projects.filter((p) => p.organization_id === orgKey.organization_id).map((p) => p.id));
    const directory = dataset.batches.find((b) => orgProjects.has(b.project_id)).source_directory_id;
    const status = "COMPLETED";
    let inOrganization = 0;
    let selected = 0;
    for (const b of dataset.batches) {
      if (!orgProjects.has(b.project_id)) continue;
      inOrganization++;
      if (b.source_directory_id === directory && b.status === status) selected++;
    }
    const total = dataset.batches.length;
    dataset = undefined; // the store keeps the batches; nothing else needs the arrays

    printTable(`B1. Start-up with ${fmt(total)} batches (node ${process.version})`, [
      { step: "generateDataset", time: msText(generateMs) },
      { step: "startReferenceApi({ fixture: dataset }): index + spec + validators + listen", time: msText(startMs) },
      { step: "  of which fixed (same start with no batches)", time: msText(emptyStartMs) },
      { step: "generate + index + listen", time: msText(generateMs + startMs) },
    ]);
    printTable("B2. Memory after a full GC (process.memoryUsage, in-process)", [
      { state: "before", heapUsed: MB(m0.heapUsed), rss: MB(m0.rss), "Δ heapUsed": "", "Δ rss": "" },
      {
        state: "dataset generated",
        heapUsed: MB(m1.heapUsed),
        rss: MB(m1.rss),
        "Δ heapUsed": signedMB(m1.heapUsed - m0.heapUsed),
        "Δ rss": signedMB(m1.rss - m0.rss),
      },
      {
        state: "server started (store + indexes)",
        heapUsed: MB(m2.heapUsed),
        rss: MB(m2.rss),
        "Δ heapUsed": signedMB(m2.heapUsed - m1.heapUsed),
        "Δ rss": signedMB(m2.rss - m1.rss),
      },
      {
        state: "total",
        heapUsed: MB(m2.heapUsed),
        rss: MB(m2.rss),
        "Δ heapUsed": signedMB(m2.heapUsed - m0.heapUsed),
        "Δ rss": signedMB(m2.rss - m0.rss),
      },
    ]);
    console.log(
      `\nper batch: ${fmt((m2.heapUsed - m0.heapUsed) / total)} B of heap in total. The start can shrink the heap: ids built by` +
        " concatenation are flattened when the store hashes them.",
    );

    // Deep tokens: page through the whole scope, keep the token ~90% of the way in.
    log("B. scale: paging through organization 0 and one of its projects…");
    const orgWalk = await traverse(api.url, bearer(orgKey.key), {});
    const projectWalk = await traverse(api.url, bearer(projectKey.key), {});
    if (orgWalk.items !== inOrganization) {
      throw new Error(`traversal of organization 0 returned ${orgWalk.items} items, the dataset holds ${inOrganization}`);
    }
    const deep = (walk) => walk.tokens[Math.floor(walk.tokens.length * LATENCY.deepShare)];
    const orgDeep = deep(orgWalk);
    const projectDeep = deep(projectWalk);

    const size = String(LATENCY.pageSize);
    const cases = [
      { name: "org key: first page", path: query({ page_size: size }), headers: bearer(orgKey.key) },
      { name: "org key: deep page", path: query({ page_size: size, page_token: orgDeep.token }), headers: bearer(orgKey.key) },
      {
        name: "org key: first page, directory + status",
        path: query({ page_size: size, source_directory_id: directory, status }),
        headers: bearer(orgKey.key),
      },
      { name: "project key: first page", path: query({ page_size: size }), headers: bearer(projectKey.key) },
      {
        name: "project key: deep page",
        path: query({ page_size: size, page_token: projectDeep.token }),
        headers: bearer(projectKey.key),
      },
    ];
    // Probe each case once: a full page, and the filter really filters.
    for (const c of cases) {
      const body = await getJson(`${api.url}${c.path}`, c.headers, c.name);
      if (body.items.length !== LATENCY.pageSize || !body.next_page_token) {
        throw new Error(`${c.name}: expected a full page with a next token, got ${body.items.length} items`);
      }
      if (c.path.includes("status=") && body.items.some((b) => b.status !== status || b.source_directory_id !== directory)) {
        throw new Error(`${c.name}: the page holds batches outside the filter`);
      }
    }

    log(`B. scale: latency, ${fmt(LATENCY.perRound * LATENCY.rounds)} sequential requests per case…`);
    const results = await measureLatency(api.url, cases);
    const stats = new Map(
      cases.map((c) => {
        const r = results[c.name];
        const sorted = Float64Array.from(r.samples).sort();
        const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
        return [
          c.name,
          { ...r, n: sorted.length, p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), mean },
        ];
      }),
    );
    const baselineOf = {
      "org key: deep page": "org key: first page",
      "org key: first page, directory + status": "org key: first page",
      "project key: deep page": "project key: first page",
    };
    const where = {
      "org key: first page": `items 1–${size} of ${fmt(orgWalk.items)}`,
      "org key: deep page": `after item ${fmt(orgDeep.itemsBefore)} of ${fmt(orgWalk.items)}`,
      "org key: first page, directory + status": `${fmt(selected)} of ${fmt(inOrganization)} match (${fmt((100 * selected) / inOrganization, 1)}%)`,
      "project key: first page": `items 1–${size} of ${fmt(projectWalk.items)}`,
      "project key: deep page": `after item ${fmt(projectDeep.itemsBefore)} of ${fmt(projectWalk.items)}`,
    };
    const rows = cases.map(({ name }) => {
      const s = stats.get(name);
      const base = baselineOf[name] && stats.get(baselineOf[name]);
      return {
        case: name,
        position: where[name],
        requests: fmt(s.n),
        "non-2xx": s.non2xx > 0 ? `${fmt(s.non2xx)} (${s.statuses.join(", ")})` : "0",
        bytes: fmt(s.bytes),
        "p50 µs": us(s.p50),
        "p90 µs": us(s.p90),
        "p99 µs": us(s.p99),
        "mean µs": us(s.mean),
        "p50 ratio": base ? `${times(s.p50 / base.p50)} of ${baselineOf[name].replace(/^.*: /, "")}` : "baseline",
      };
    });
    printTable(
      `B3. Latency on ${fmt(total)} batches: page_size=${size}, one keep-alive connection, sequential requests from a worker thread, ` +
        `${LATENCY.rounds} interleaved rounds of ${LATENCY.perRound} after ${LATENCY.warmup} warm-up requests each`,
      rows,
    );
    console.log(
      `\ndeep tokens: organization 0 paged through in ${fmt(orgWalk.pages)} pages of ${LATENCY.traversalPageSize} (${msText(orgWalk.ms)}), ` +
        `project in ${fmt(projectWalk.pages)} (${msText(projectWalk.ms)}); the deep page is the one ${LATENCY.deepShare * 100}% of the way in.` +
        `\nfilter: source_directory_id=${directory} & status=${status}.`,
    );

    const ratio = (name) => stats.get(name).p50 / stats.get(baselineOf[name]).p50;
    const failedRequests = [...stats.values()].reduce((acc, s) => acc + s.non2xx, 0);
    if (failedRequests > 0) notes.push(`B: ${failedRequests} latency requests were not 2xx: ratios are suspect`);
    for (const [label, name, limit] of [
      ["B. deep page / first page, p50 (org key)", "org key: deep page", TARGET.deepOverFirst],
      ["B. deep page / first page, p50 (project key)", "project key: deep page", TARGET.deepOverFirst],
      ["B. directory + status filter / no filter, p50 (org key)", "org key: first page, directory + status", TARGET.filterOverNone],
    ]) {
      const x = ratio(name);
      targets.push({ target: `${label} ≤ ${limit}×`, measured: times(x), verdict: verdict(x <= limit && stats.get(name).non2xx === 0) });
    }

    // The store alone, without HTTP, JSON or tokens: what the index does on its own.
    const store = api.store;
    const position = (walkStep) => ({ createdMs: Date.parse(walkStep.last.created_at), id: walkStep.last.id });
    const orgId = orgKey.organization_id;
    const limit = LATENCY.pageSize;
    const rates = await compareRates(
      {
        first: () => store.query({ organization_id: orgId, limit }),
        deep: () => store.query({ organization_id: orgId, after: position(orgDeep), limit }),
        filtered: () => store.query({ organization_id: orgId, source_directory_id: directory, status, limit }),
      },
      { rounds: 9, opsPerRound: 5_000, warmup: 5_000 },
    );
    printTable(`B4. BatchStore.query alone (organization 0, limit ${limit}, no HTTP): median of 9 interleaved rounds`, [
      { query: "first page", "µs/op": fmt(1e6 / rates.first, 2), "× first": "1.00×" },
      { query: "deep page (after the deep cursor)", "µs/op": fmt(1e6 / rates.deep, 2), "× first": times(rates.first / rates.deep) },
      { query: "directory + status", "µs/op": fmt(1e6 / rates.filtered, 2), "× first": times(rates.first / rates.filtered) },
    ]);
  } finally {
    await stop(api);
  }
}

// ---------------------------------------------------------------------------------------------
// A. Throughput

/** autocannon on its own worker thread (`workers: 1`), so it does not share the servers' event loop. */
function load(options) {
  return autocannon({ ...options, workers: 1 });
}

/**
 * Median round for rates and latencies; counts summed over all rounds. The rate counts 2xx answers
 * only: a server that fails fast (a 502 when Prism is gone) must not look faster for it.
 */
function summarize(rounds) {
  const sum = (pick) => rounds.reduce((acc, r) => acc + pick(r), 0);
  const codes = new Set(rounds.flatMap((r) => Object.keys(r.statusCodeStats ?? {})));
  return {
    rps: median(rounds.map((r) => r["2xx"] / r.duration)),
    p50: median(rounds.map((r) => r.latency.p50)),
    p99: median(rounds.map((r) => r.latency.p99)),
    bytes:
      sum((r) => r.throughput.total) /
      Math.max(
        1,
        sum((r) => r.requests.total),
      ),
    requests: sum((r) => r.requests.total),
    ok: sum((r) => r["2xx"]),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
    otherCodes: [...codes].filter((code) => !code.startsWith("2")),
  };
}

// autocannon's latency histogram has 1 ms resolution and truncates: 0 means under 1 ms.
const acMs = (value) => (value < 1 ? "<1" : fmt(value));

async function throughput() {
  log("A. throughput: starting the reference API, the Prism mock and a bare node:http server…");
  const reference = await start(() => startReferenceApi({ port: 0 }));
  const projectKey = reference.apiKeys.find((k) => k.project_id !== null);
  const refPath = query({ page_size: String(THROUGHPUT.pageSize) });
  const page = await getJson(`${reference.url}${refPath}`, bearer(projectKey.key), "reference probe");
  if (page.items.length !== THROUGHPUT.pageSize) throw new Error(`reference probe: ${page.items.length} items`);

  // Start the others at once (Prism takes a few seconds); allSettled, so that whatever did start is
  // stopped by stopAll() even when the other failed.
  const prismLog = []; // the tail of Prism's log, to say why when it answers errors
  const onLog = (line) => {
    prismLog.push(line);
    if (prismLog.length > 20) prismLog.shift();
  };
  const [mock, bare] = await Promise.allSettled([start(() => startMock({ port: 0, onLog })), start(() => startBareServer(page))]);
  if (mock.status === "rejected") throw new Error(`the Prism mock did not start: ${mock.reason?.message ?? mock.reason}`);
  if (bare.status === "rejected") throw new Error(`the bare server did not start: ${bare.reason?.message ?? bare.reason}`);

  const MOCK = "Prism mock (examples)";
  const BARE = "bare node:http (same page)";
  const REF = "reference API";
  const live = [
    { name: REF, url: reference.url, headers: bearer(projectKey.key) },
    { name: MOCK, url: mock.value.url, headers: { authorization: "Bearer bench" } },
    { name: BARE, url: bare.value.url, headers: {} },
  ];
  for (const target of live.slice(1)) await getJson(`${target.url}${refPath}`, target.headers, `${target.name} probe`);

  const options = (target, duration) => ({
    url: `${target.url}${refPath}`,
    headers: target.headers,
    connections: THROUGHPUT.connections,
    duration,
  });
  for (const target of live) await load(options(target, THROUGHPUT.warmupS));
  const rounds = new Map(live.map((t) => [t.name, []]));
  for (let round = 0; round < THROUGHPUT.rounds; round++) {
    log(`A. throughput: round ${round + 1}/${THROUGHPUT.rounds}…`);
    const order = live.map((_, i) => live[(i + round) % live.length]);
    for (const target of order) rounds.get(target.name).push(await load(options(target, THROUGHPUT_S / THROUGHPUT.rounds)));
  }
  for (const server of [reference, mock.value, bare.value]) await stop(server);

  const s = new Map([...rounds].map(([name, r]) => [name, summarize(r)]));
  const rows = live.map(({ name }) => {
    const x = s.get(name);
    return {
      target: name,
      "2xx/s": fmt(x.rps),
      "p50 ms": x.ok > 0 ? acMs(x.p50) : "-",
      "p99 ms": x.ok > 0 ? acMs(x.p99) : "-",
      "bytes/resp": fmt(x.bytes),
      requests: fmt(x.requests),
      errors: x.timeouts > 0 ? `${fmt(x.errors)} (${fmt(x.timeouts)} timeouts)` : fmt(x.errors),
      "non-2xx": x.otherCodes.length > 0 ? `${fmt(x.non2xx)} (${x.otherCodes.join(", ")})` : fmt(x.non2xx),
      "× Prism": times(x.rps / s.get(MOCK).rps),
      "× bare": times(x.rps / s.get(BARE).rps),
    };
  });
  printTable(
    `A. Throughput, GET ${refPath} on 127.0.0.1: autocannon (worker thread), ${THROUGHPUT.connections} connections, ` +
      `${THROUGHPUT_S} s per target in ${THROUGHPUT.rounds} interleaved rounds after a ${THROUGHPUT.warmupS} s warm-up; median round`,
    rows,
  );
  console.log(
    "\nreference: default dataset (2,000 batches), a project key. Prism answers the spec's example; the bare server answers the" +
      " reference's own first page, byte for byte.\nLatency percentiles are autocannon's (1 ms resolution, truncated).",
  );
  const dirty = [...s].filter(([, x]) => x.errors > 0 || x.non2xx > 0);
  for (const [name, x] of dirty) {
    const perRound = rounds.get(name).map((r) => `${r.non2xx + r.errors}/${r.requests.total}`);
    notes.push(`A: ${name}: ${x.errors} errors, ${x.non2xx} non-2xx (per round: ${perRound.join(", ")}): its req/s is suspect`);
    if (name === MOCK) notes.push(`A: the tail of Prism's log:\n    ${prismLog.join("\n    ")}`);
  }
  const ref = s.get(REF);
  const vs = ref.rps / s.get(MOCK).rps;
  targets.push({
    target: `A. reference req/s ≥ ${TARGET.vsPrism}× Prism`,
    measured: `${times(vs)} (${fmt(ref.rps)} vs ${fmt(s.get(MOCK).rps)} 2xx/s)`,
    verdict: verdict(vs >= TARGET.vsPrism && ref.errors === 0 && ref.non2xx === 0),
  });
}

// ---------------------------------------------------------------------------------------------
// C. Load

async function loadRun() {
  const api = await start(() => startReferenceApi({ port: 0 }));
  try {
    const orgKey = api.apiKeys.find((k) => k.project_id === null);
    const projectKey = api.apiKeys.find((k) => k.organization_id === orgKey.organization_id && k.project_id !== null);
    const first = await getJson(`${api.url}${query({ page_size: "20" })}`, bearer(orgKey.key), "load probe");
    const second = await getJson(
      `${api.url}${query({ page_size: "20", page_token: first.next_page_token })}`,
      bearer(orgKey.key),
      "load probe (token)",
    );
    if (!second.items.length) throw new Error("load probe: the second page is empty");
    // A mix each connection cycles through: first pages, big pages, a filter, a page token.
    const requests = [
      { method: "GET", path: query({ page_size: "20" }), headers: bearer(projectKey.key) },
      { method: "GET", path: query({ page_size: "100" }), headers: bearer(orgKey.key) },
      { method: "GET", path: query({ status: "COMPLETED", page_size: "50" }), headers: bearer(orgKey.key) },
      { method: "GET", path: query({ page_size: "20", page_token: first.next_page_token }), headers: bearer(orgKey.key) },
    ];
    log(`C. load: ${LOAD.connections} connections for ${LOAD_S} s…`);
    const r = await load({ url: api.url, requests, connections: LOAD.connections, duration: LOAD_S });
    // Still answering afterwards?
    await getJson(`${api.url}${query({ page_size: "20" })}`, bearer(orgKey.key), "probe after the load run");
    const codes = Object.entries(r.statusCodeStats ?? {}).map(([code, { count }]) => `${code}: ${fmt(count)}`);
    printTable(
      `C. Load: ${LOAD.connections} connections for ${LOAD_S} s, autocannon (worker thread), default dataset, a mix of 4 requests (first page, page_size=100, status filter, page token)`,
      [
        {
          "requests sent": fmt(r.requests.sent),
          responses: fmt(r.requests.total),
          "req/s": fmt(r.requests.total / r.duration),
          "p50 ms": acMs(r.latency.p50),
          "p99 ms": acMs(r.latency.p99),
          "max ms": fmt(r.latency.max),
          errors: fmt(r.errors),
          timeouts: fmt(r.timeouts),
          "non-2xx": fmt(r.non2xx),
          "status codes": codes.join(", ") || "-",
        },
      ],
    );
    const clean = r.errors === 0 && r.timeouts === 0 && r.non2xx === 0 && r.requests.total > 0;
    targets.push({
      target: `C. ${LOAD.connections} connections × ${LOAD_S} s: 0 errors, 0 non-2xx, 0 timeouts`,
      measured: `${fmt(r.requests.total)} responses, ${fmt(r.errors)} errors, ${fmt(r.non2xx)} non-2xx, ${fmt(r.timeouts)} timeouts`,
      verdict: verdict(clean),
    });
  } finally {
    await stop(api);
  }
}

// ---------------------------------------------------------------------------------------------

let failed = false;
try {
  await scale();
  await settledMemory();
  await throughput();
  await loadRun();
} catch (error) {
  failed = true;
  console.error(`\nbenchmark error: ${error?.stack ?? error}`);
} finally {
  await stopAll();
}

if (targets.length > 0) printTable("Targets", targets);
for (const note of notes) console.log(`! ${note}`);
console.log(`\ntotal run time ${fmt((performance.now() - t0) / 1000, 1)} s`);
if (failed) {
  console.log("! the benchmark did not complete: targets not listed were not measured");
  process.exitCode = 1;
}
