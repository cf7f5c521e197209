// C. Load: 200 connections for BENCH_LOAD_SECONDS against the reference API (default dataset, in its
// own child process), cycling through a mix of four requests (first page with a project key,
// page_size=100, a status filter, a page token): errors, non-2xx, timeouts, and whether it still
// answers afterwards. The load generator (autocannon) runs in this process. The server's RSS
// (/proc) is read before and after the run, and its peak.
//
// Run after `pnpm build`: `node bench/load.mjs` (part of `pnpm bench`).
// Env: BENCH_LOAD_SECONDS   seconds of load (default 30).
// Exit code 0 whether or not a target is met (see the Targets table); 1 when the benchmark itself
// failed (the server did not start, a probe got a wrong answer, an exception).

import {
  acMs,
  envNumber,
  fmt,
  getJson,
  mb,
  peakRssOf,
  printTable,
  runAutocannon,
  runBench,
  startProcess,
  verdict,
} from "@llama-batches/bench-kit";

const PATH = "/api/v2/batches";
const LOAD_S = envNumber("BENCH_LOAD_SECONDS", 30);
const LOAD = { connections: 200 };
const ENTRY = new URL("./server-entry.mjs", import.meta.url);

const bearer = (key) => ({ authorization: `Bearer ${key}` });
const query = (params) => `${PATH}?${new URLSearchParams(params)}`;

await runBench("reference-api load", async ({ targets, log }) => {
  const api = await startProcess(ENTRY, { name: "reference API", args: ["reference"], readyTimeoutMs: 30_000 });
  const orgKey = String(api.info.apiKey);
  const projectKey = String(api.info.projectApiKey);
  const first = await getJson(`${api.url}${query({ page_size: "20" })}`, bearer(orgKey), "load probe");
  const second = await getJson(
    `${api.url}${query({ page_size: "20", page_token: first.body.next_page_token })}`,
    bearer(orgKey),
    "load probe (token)",
  );
  if (!second.body.items.length) throw new Error("load probe: the second page is empty");
  // A mix each connection cycles through: first pages, big pages, a filter, a page token.
  const requests = [
    { method: "GET", path: query({ page_size: "20" }), headers: bearer(projectKey) },
    { method: "GET", path: query({ page_size: "100" }), headers: bearer(orgKey) },
    { method: "GET", path: query({ status: "COMPLETED", page_size: "50" }), headers: bearer(orgKey) },
    { method: "GET", path: query({ page_size: "20", page_token: first.body.next_page_token }), headers: bearer(orgKey) },
  ];
  const rssBefore = api.rss();
  log(`C. load: ${LOAD.connections} connections for ${LOAD_S} s…`);
  const r = await runAutocannon({ url: api.url, requests, connections: LOAD.connections, duration: LOAD_S });
  const rssAfter = api.rss();
  const peak = peakRssOf(api.pid);
  // Still answering afterwards?
  await getJson(`${api.url}${query({ page_size: "20" })}`, bearer(orgKey), "probe after the load run");
  await api.stop();

  const codes = Object.entries(r.statusCodeStats ?? {}).map(([code, { count }]) => `${code}: ${fmt(count)}`);
  printTable(
    `C. Load: ${LOAD.connections} connections for ${LOAD_S} s, the reference API in its own process, autocannon in the bench process, ` +
      `default dataset, a mix of 4 requests (first page, page_size=100, status filter, page token) (node ${process.version})`,
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
        "RSS before → after (peak)": `${mb(rssBefore)} → ${mb(rssAfter)} (${mb(peak)})`,
      },
    ],
  );
  const clean = r.errors === 0 && r.timeouts === 0 && r.non2xx === 0 && r.requests.total > 0;
  targets.push({
    target: `C. ${LOAD.connections} connections × ${LOAD_S} s: 0 errors, 0 non-2xx, 0 timeouts`,
    measured: `${fmt(r.requests.total)} responses, ${fmt(r.errors)} errors, ${fmt(r.non2xx)} non-2xx, ${fmt(r.timeouts)} timeouts`,
    result: verdict(clean),
  });
});
