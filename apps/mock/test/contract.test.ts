import { runContract, selectInvariants, table } from "@llama-batches/contract";
import { expect, inject, test } from "vitest";

// The contract profile is what a stateless mock can honour; the mock is held to all of it, decided rules too.
// Writes are not sent here (the write invariants are exercised with --allow-writes elsewhere): they skip.
test("the contract profile holds against the Prism mock", async () => {
  const report = await runContract({
    baseUrl: inject("mockUrl"),
    apiKey: "test",
    profile: "contract",
    strict: true,
    runs: 40,
    seed: Number(process.env.FAST_CHECK_SEED ?? 1),
  });
  console.log(`contract profile vs Prism mock: ${report.requests} requests in ${report.ms} ms (seed ${report.seed})\n${table(report)}`);
  const invariants = selectInvariants("contract");
  const writes = new Set(invariants.filter((i) => i.writes).map((i) => i.id));
  expect(report.results.filter((r) => r.outcome !== (writes.has(r.id) ? "skip" : "pass")).map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
  expect(report.results.map((r) => r.id)).toEqual(invariants.map((i) => i.id));
});
