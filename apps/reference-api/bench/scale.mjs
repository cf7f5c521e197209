// B. Scale of the reference API with BENCH_SCALE_SIZE batches (default 1,000,000), in this process:
//
//   B1. start-up time (generate the dataset; index + spec + validators + listen; the fixed part),
//   B2. memory after a full GC (process.memoryUsage) at each step,
//   B3. per-request latency of the first page vs a page deep in the traversal, and of a selective
//       filter vs none: one keep-alive connection, sequential requests from a worker thread
//       (bench-kit's measureLatency), sub-millisecond timing, interleaved rounds,
//   B4. BatchStore.query alone (no HTTP), side by side.
//
// The server runs in this process on purpose: B2 reads this process's heap and B4 calls the store
// directly; B3's client runs on its own thread. Throughput is measured in throughput.mjs, with every
// server in its own process.
// Run after `pnpm build`: `node --max-old-space-size=8192 bench/scale.mjs` (part of `pnpm bench`).
// Env: BENCH_SCALE_SIZE   batches in the generated dataset (default 1,000,000).
// Exit code 0 whether or not a target is met (see the Targets table); 1 when the benchmark itself
// failed (the server did not start, a probe got a wrong answer, an exception).

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  compareRates,
  envNumber,
  fmt,
  getJson as getJsonText,
  measureLatency,
  printTable,
  quantile,
  runBench,
  times,
  verdict,
} from "@llama-batches/bench-kit";
import { generateDataset, startReferenceApi } from "@llama-batches/reference-api";

const PATH = "/api/v2/batches";
const SCALE_SIZE = Math.round(envNumber("BENCH_SCALE_SIZE", 1_000_000));
const LATENCY = { pageSize: 20, perRound: 500, rounds: 5, warmup: 300, deepShare: 0.9, traversalPageSize: 100 };
const TARGET = { deepOverFirst: 1.5, filterOverNone: 2 };

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
const bearer = (key) => ({ authorization: `Bearer ${key}` });
const query = (params) => `${PATH}?${new URLSearchParams(params)}`;
const getJson = async (url, headers, what) => (await getJsonText(url, headers, what)).body;

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

async function scale({ targets, notes, log }) {
  log(`B. scale: generating ${fmt(SCALE_SIZE)} batches…`);
  const m0 = await settledMemory();

  let t = performance.now();
  let dataset = generateDataset({ size: SCALE_SIZE });
  const generateMs = performance.now() - t;
  const m1 = await settledMemory();

  // The fixed part of a start (spec, validators, listen), with no batches.
  t = performance.now();
  const empty = await startReferenceApi({
    fixture: { projects: dataset.projects, apiKeys: dataset.apiKeys, sessions: dataset.sessions, batches: [] },
  });
  const emptyStartMs = performance.now() - t;
  await empty.stop();

  log("B. scale: indexing and listening…");
  t = performance.now();
  const api = await startReferenceApi({ fixture: dataset });
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
    const results = await measureLatency(api.url, cases, LATENCY);
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
      targets.push({ target: `${label} ≤ ${limit}×`, measured: times(x), result: verdict(x <= limit && stats.get(name).non2xx === 0) });
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
    await api.stop();
  }
}

await runBench("reference-api scale", scale);
