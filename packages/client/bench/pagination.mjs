// for-await auto-pagination (client.batches.list()) vs a hand loop over the same client's pages vs a
// hand loop over bare openapi-fetch: items/s over 100,000 items in 1,000 pages from a stub `fetch`,
// and the peak heap growth (after forced GCs) at 100 and 1,000 pages: memory must not grow with the
// page count.
//
// Run after `pnpm build`: `node --expose-gc bench/pagination.mjs` (part of `pnpm bench`). No env knobs.
// Exit code 0 whether or not a target is met (see the Targets table); 1 when the benchmark itself failed.

import { compareRates, fmt, printTable, runBench, verdict } from "@llama-batches/bench-kit";
import { createBatchesClient } from "@llama-batches/client";
import createClient from "openapi-fetch";
import { API_KEY, BASE_URL, pagedFetch } from "./fixtures.mjs";

const PER_PAGE = 100;

function ours(fetch) {
  const client = createBatchesClient({ apiKey: API_KEY, baseUrl: BASE_URL, fetch });
  return async (onItem = () => {}) => {
    let n = 0;
    for await (const batch of client.batches.list({ page_size: PER_PAGE })) {
      n++;
      onItem(batch, n);
    }
    return n;
  };
}

/** The same client, paged by hand: isolates what `for await` itself costs. */
function manualPages(fetch) {
  const client = createBatchesClient({ apiKey: API_KEY, baseUrl: BASE_URL, fetch });
  return async (onItem = () => {}) => {
    let n = 0;
    let page = await client.batches.list({ page_size: PER_PAGE });
    for (;;) {
      for (const batch of page.items) {
        n++;
        onItem(batch, n);
      }
      if (!page.hasNextPage()) return n;
      page = await page.getNextPage();
    }
  };
}

/** What a user would write by hand with bare openapi-fetch: a token loop around a `for…of`. */
function handLoop(fetch) {
  const api = createClient({ baseUrl: BASE_URL, headers: { authorization: `Bearer ${API_KEY}` }, fetch });
  return async (onItem = () => {}) => {
    let n = 0;
    let token;
    do {
      const query = token ? { page_size: PER_PAGE, page_token: token } : { page_size: PER_PAGE };
      const { data, error } = await api.GET("/api/v2/batches", { params: { query } });
      if (error) throw new Error(String(error));
      for (const batch of data.items) {
        n++;
        onItem(batch, n);
      }
      token = data.items.length ? data.next_page_token : undefined;
    } while (token);
    return n;
  };
}

/** Highest heap (after a forced GC) seen during a traversal, minus the heap before it. */
async function peakHeapGrowth(traverse) {
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  await traverse((_batch, n) => {
    if (n % (PER_PAGE * 25) === 0) {
      globalThis.gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
  });
  return peak - before;
}

await runBench("client pagination", async ({ targets }) => {
  if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");
  const PAGES = 1000;
  const fetch = pagedFetch(PAGES, PER_PAGE);
  const contenders = {
    "for await over client.batches.list()": ours(fetch),
    "hand loop: client pages + getNextPage()": manualPages(fetch),
    "hand loop: bare openapi-fetch": handLoop(fetch),
  };
  for (const traverse of Object.values(contenders)) {
    const n = await traverse();
    if (n !== PAGES * PER_PAGE) throw new Error(`traversal saw ${n} items`);
  }
  const rates = await compareRates(Object.fromEntries(Object.entries(contenders).map(([k, f]) => [k, () => f()])), {
    rounds: 21,
    opsPerRound: 1,
    warmup: 2,
  });
  const hand = rates["hand loop: client pages + getNextPage()"];
  const bare = rates["hand loop: bare openapi-fetch"];
  const mine = rates["for await over client.batches.list()"];

  const heap = {};
  for (const [name, make] of [
    ["for await over client.batches.list()", ours],
    ["hand loop: client pages + getNextPage()", manualPages],
    ["hand loop: bare openapi-fetch", handLoop],
  ]) {
    heap[name] = {
      100: await peakHeapGrowth(make(pagedFetch(100, PER_PAGE))),
      1000: await peakHeapGrowth(make(pagedFetch(1000, PER_PAGE))),
    };
  }
  const mb = (b) => fmt(b / 2 ** 20, 2);
  printTable(
    `Auto-pagination: ${fmt(PAGES * PER_PAGE)} items in ${fmt(PAGES)} pages (stubbed fetch) (node ${process.version})`,
    Object.entries(rates).map(([name, rate]) => ({
      contender: name,
      "items/s": fmt(rate * PAGES * PER_PAGE),
      "× hand loop (client)": fmt(rate / hand, 2),
      "× hand loop (bare)": fmt(rate / bare, 2),
      "peak heap growth, 100 pages (MB)": mb(heap[name][100]),
      "peak heap growth, 1,000 pages (MB)": mb(heap[name][1000]),
    })),
  );
  const growth = heap["for await over client.batches.list()"];
  // Constant memory: ten times the pages may not cost more than a page-sized allowance (1 MB).
  const constant = growth[1000] <= growth[100] + 2 ** 20;
  targets.push(
    {
      target: "for await ≥ 0.9× hand loop over the same client",
      measured: `${fmt(mine / hand, 2)}× (${fmt(mine / bare, 2)}× a bare openapi-fetch loop)`,
      result: verdict(mine / hand >= 0.9),
    },
    {
      target: "heap growth independent of page count",
      measured: `${mb(growth[100])} MB @100 pages vs ${mb(growth[1000])} MB @1,000 pages`,
      result: verdict(constant),
    },
  );
});
