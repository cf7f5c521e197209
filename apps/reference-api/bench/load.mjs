// C. Load: 200 connections for BENCH_LOAD_SECONDS against the reference API (default dataset, in its
// own child process), cycling through a mix of four requests (first page with a project key,
// page_size=100, a status filter, a page token): errors, non-2xx, timeouts, and whether it still
// answers afterwards. The load generator (autocannon) runs in this process. The server's RSS
// (/proc) is read before and after the run, and its peak. Then a hostile run on a fresh server:
// the same load, every request with a distinct 15 kB source_directory_id (the query a memo keyed on
// the whole filter would keep), and its RSS next to the normal run's.
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

  // The hostile run: a fresh server, each request a new 15 kB filter value.
  const hostileApi = await startProcess(ENTRY, { name: "reference API (hostile run)", args: ["reference"], readyTimeoutMs: 30_000 });
  const hostileKey = String(hostileApi.info.apiKey);
  let n = 0;
  const hostileBefore = hostileApi.rss();
  log(`C. hostile load: ${LOAD.connections} connections for ${LOAD_S} s, a distinct 15 kB source_directory_id per request…`);
  const h = await runAutocannon({
    url: hostileApi.url,
    connections: LOAD.connections,
    duration: LOAD_S,
    requests: [
      {
        method: "GET",
        headers: bearer(hostileKey),
        setupRequest: (req) => ({ ...req, path: query({ page_size: "20", source_directory_id: `${String(n++).padStart(15_000, "d")}` }) }),
      },
    ],
  });
  const hostileAfter = hostileApi.rss();
  const hostilePeak = peakRssOf(hostileApi.pid);
  await getJson(`${hostileApi.url}${query({ page_size: "20" })}`, bearer(hostileKey), "probe after the hostile run");
  await hostileApi.stop();

  const row = (name, x, before, after, top) => {
    const codes = Object.entries(x.statusCodeStats ?? {}).map(([code, { count }]) => `${code}: ${fmt(count)}`);
    return {
      run: name,
      "requests sent": fmt(x.requests.sent),
      responses: fmt(x.requests.total),
      "req/s": fmt(x.requests.total / x.duration),
      "p50 ms": acMs(x.latency.p50),
      "p99 ms": acMs(x.latency.p99),
      "max ms": fmt(x.latency.max),
      errors: fmt(x.errors),
      timeouts: fmt(x.timeouts),
      "non-2xx": fmt(x.non2xx),
      "status codes": codes.join(", ") || "-",
      "RSS before → after (peak)": `${mb(before)} → ${mb(after)} (${mb(top)})`,
    };
  };
  printTable(
    `C. Load: ${LOAD.connections} connections for ${LOAD_S} s, the reference API in its own process (a fresh one per run), autocannon ` +
      `in the bench process, default dataset. normal: a mix of 4 requests (first page, page_size=100, status filter, page token); ` +
      `hostile: every request a distinct 15 kB source_directory_id (node ${process.version})`,
    [row("normal", r, rssBefore, rssAfter, peak), row("hostile", h, hostileBefore, hostileAfter, hostilePeak)],
  );
  const clean = (x) => x.errors === 0 && x.timeouts === 0 && x.non2xx === 0 && x.requests.total > 0;
  targets.push(
    {
      target: `C. ${LOAD.connections} connections × ${LOAD_S} s: 0 errors, 0 non-2xx, 0 timeouts`,
      measured: `${fmt(r.requests.total)} responses, ${fmt(r.errors)} errors, ${fmt(r.non2xx)} non-2xx, ${fmt(r.timeouts)} timeouts`,
      result: verdict(clean(r)),
    },
    {
      target: "C. hostile queries: peak RSS at most 2× the normal run's (bounded memos), 0 errors",
      measured: `peak ${mb(hostilePeak)} vs ${mb(peak)} (${fmt(n)} distinct 15 kB filter values); ${fmt(h.errors)} errors, ${fmt(h.non2xx)} non-2xx`,
      result: verdict(clean(h) && hostilePeak <= 2 * peak),
    },
  );
});
