// The contract profile with writes allowed: the stateless mock answers creates and cancels in the
// spec's shapes and refuses bad bodies as FastAPI does. Without --allow-writes nothing is written.
import { INVARIANTS, runContract, selectInvariants, table, WRITES_NOT_ALLOWED } from "@llama-batches/contract";
import { expect, inject, test } from "vitest";

const seed = Number(process.env.FAST_CHECK_SEED ?? 1);
const writers = selectInvariants("contract")
  .filter((i) => i.writes)
  .map((i) => i.id);

test("the contract profile has write invariants, and the full profile's are not among them", () => {
  expect(writers.length).toBeGreaterThan(0);
  expect(INVARIANTS.filter((i) => i.writes && i.profile === "full").every((i) => !writers.includes(i.id))).toBe(true);
});

test("with --allow-writes the contract profile holds against the Prism mock, strictly, write invariants judged", async () => {
  const report = await runContract({
    baseUrl: inject("mockUrl"),
    apiKey: "test",
    profile: "contract",
    strict: true,
    runs: 25,
    seed,
    allowWrites: true,
  });
  console.log(`contract profile, writes allowed, vs Prism mock: ${report.requests} requests, ${report.writes} writes\n${table(report)}`);
  expect(report.results.filter((r) => r.outcome !== "pass").map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
  expect(report.results.map((r) => r.id)).toEqual(selectInvariants("contract").map((i) => i.id));
  expect(report.writes).toBeGreaterThan(0);
});

test("without --allow-writes the write invariants SKIP with the reason, and no write is sent", async () => {
  const report = await runContract({ baseUrl: inject("mockUrl"), apiKey: "test", profile: "contract", strict: true, runs: 5, seed });
  expect(report.writes).toBe(0);
  expect(report.results.filter((r) => writers.includes(r.id)).map((r) => [r.id, r.outcome, r.reason, r.requests])).toEqual(
    writers.map((id) => [id, "skip", WRITES_NOT_ALLOWED, 0]),
  );
});
