// client.batches.list vs bare openapi-fetch vs fetch + JSON.parse vs the official SDK
// (@llamaindex/llama-cloud): one `list` call per operation, against a stub `fetch` answering a canned
// 20-item page, so that only the client's own cost is measured; interleaved rounds, medians, ratios.
//
// Run after `pnpm build`: `node --expose-gc bench/requests.mjs` (part of `pnpm bench`). No env knobs.
// Exit code 0 whether or not a target is met (see the Targets table); 1 when the benchmark itself failed.

import { compareRates, fmt, printTable, runBench, verdict } from "@llama-batches/bench-kit";
import { createBatchesClient } from "@llama-batches/client";
import LlamaCloud from "@llamaindex/llama-cloud";
import createClient from "openapi-fetch";
import { API_KEY, BASE_URL, cannedFetch } from "./fixtures.mjs";

await runBench("client requests", async ({ targets }) => {
  const fetch = cannedFetch(20);
  const query = { page_size: 20, status: "COMPLETED" };
  const headers = { accept: "application/json", authorization: `Bearer ${API_KEY}` };
  const ours = createBatchesClient({ apiKey: API_KEY, baseUrl: BASE_URL, fetch });
  const bare = createClient({ baseUrl: BASE_URL, headers, fetch });
  const sdk = new LlamaCloud({ apiKey: API_KEY, baseURL: BASE_URL, fetch, logLevel: "off" });

  const rates = await compareRates({
    "@llama-batches/client": () => ours.batches.list(query),
    "openapi-fetch (bare GET)": () => bare.GET("/api/v2/batches", { params: { query } }),
    "fetch + JSON.parse": async () => {
      const response = await fetch(`${BASE_URL}/api/v2/batches?page_size=20&status=COMPLETED`, { headers });
      return JSON.parse(await response.text());
    },
    "official SDK (@llamaindex/llama-cloud)": () => sdk.batches.list(query),
  });

  const base = rates["openapi-fetch (bare GET)"];
  const official = rates["official SDK (@llamaindex/llama-cloud)"];
  const mine = rates["@llama-batches/client"];
  printTable(
    `client.batches.list: requests/s with a stubbed fetch (median of interleaved rounds) (node ${process.version})`,
    Object.entries(rates).map(([name, rate]) => ({
      contender: name,
      "req/s": fmt(rate),
      "× bare openapi-fetch": fmt(rate / base, 2),
      "× official SDK": fmt(rate / official, 2),
    })),
  );
  targets.push(
    { target: "client ≥ 0.9× bare openapi-fetch", measured: `${fmt(mine / base, 2)}×`, result: verdict(mine / base >= 0.9) },
    { target: "client ≥ 1× official SDK", measured: `${fmt(mine / official, 2)}×`, result: verdict(mine / official >= 1) },
  );
});
