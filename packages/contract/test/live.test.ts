import { expect, test } from "vitest";
import { INVARIANTS, runContract, table, WRITES_NOT_ALLOWED } from "../src/index.js";

const apiKey = process.env.LLAMA_CLOUD_API_KEY;
const baseUrl = process.env.LLAMA_CLOUD_BASE_URL ?? "https://api.cloud.llamaindex.ai";

if (!apiKey) console.log("live API: skipped (LLAMA_CLOUD_API_KEY is not set)");

// Only GETs, a small budget and gentle concurrency: safe against a production account.
test.skipIf(!apiKey)("the full profile holds against the live API", { timeout: 300_000 }, async () => {
  const report = await runContract({
    baseUrl,
    apiKey,
    profile: "full",
    runs: 5,
    budget: 600,
    concurrency: 2,
    observePages: 3,
    seed: Number(process.env.FAST_CHECK_SEED ?? Date.now() % 2 ** 31),
  });
  console.log(`full profile vs ${baseUrl}: ${report.requests} requests in ${report.ms} ms (seed ${report.seed})\n${table(report)}`);
  // The live API is judged on documented rules; where it does otherwise than this spec decided,
  // that is drift, printed for the record, not a failure.
  for (const r of report.results.filter((x) => x.outcome === "drift")) console.log(`drift ${r.id} (${r.rule}): ${r.reason}`);
  expect(report.results.filter((r) => r.outcome === "fail").map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
  // A run in which nothing was checked proves nothing: the invariants that need no data must have
  // run (passed, or drifted from a decided rule), and none may have stopped for lack of budget.
  const needNoData = new Set(INVARIANTS.filter((i) => i.needs === undefined && !i.writes).map((i) => i.id));
  expect(
    report.results
      .filter((r) => needNoData.has(r.id) && r.outcome !== "pass" && r.outcome !== "drift")
      .map((r) => `${r.id}: ${r.outcome} ${r.reason ?? ""}`),
  ).toEqual([]);
  expect(report.results.filter((r) => r.outcome === "budget").map((r) => r.id)).toEqual([]);
  // No --allow-writes: creating a batch there costs money. Nothing was written, and the runs say why.
  expect(report.writes).toBe(0);
  for (const r of report.results.filter((x) => INVARIANTS.some((i) => i.id === x.id && i.writes))) {
    expect([r.id, r.outcome, r.reason]).toEqual([r.id, "skip", WRITES_NOT_ALLOWED]);
  }
});
