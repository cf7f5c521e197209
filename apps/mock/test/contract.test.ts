import { runContract, table } from "@llama-batches/contract";
import { expect, inject, test } from "vitest";

// The contract profile is what a stateless mock can honour; the mock is held to all of it.
test("the contract profile holds against the Prism mock", async () => {
  const report = await runContract({
    baseUrl: inject("mockUrl"),
    apiKey: "test",
    profile: "contract",
    runs: 40,
    seed: Number(process.env.FAST_CHECK_SEED ?? 1),
  });
  console.log(`contract profile vs Prism mock: ${report.requests} requests in ${report.ms} ms (seed ${report.seed})\n${table(report)}`);
  expect(report.results.filter((r) => r.outcome !== "pass").map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
  expect(report.results.map((r) => r.id)).toEqual(["C1", "C2", "C3", "C4", "C5", "C6", "C7", "P2", "P6"]);
});
