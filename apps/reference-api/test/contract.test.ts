import { runContract, selectInvariants, table } from "@llama-batches/contract";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FAULTS, type FaultName, type RunningReferenceApi, startReferenceApi } from "../src/index.js";
import { BREAKS, catches, OPERATION_FAULTS, orgKey, printTable } from "./mutation.js";

const seed = Number(process.env.FAST_CHECK_SEED ?? 1);
const RUNS = 20;

describe("the full profile against the reference API, strict", () => {
  let api: RunningReferenceApi;
  beforeAll(async () => {
    api = await startReferenceApi({ seed: 3, size: 2_000 });
  });
  afterAll(() => api?.stop());

  test.each([
    ["an organization-wide key", (a: RunningReferenceApi) => a.apiKeys.find((k) => k.project_id === null)],
    ["a project key", (a: RunningReferenceApi) => a.apiKeys.find((k) => k.project_id !== null)],
  ])("holds with %s", async (name, pick) => {
    const report = await runContract({ baseUrl: api.url, apiKey: pick(api)?.key, profile: "full", strict: true, runs: 40, seed });
    console.log(
      `full profile vs reference API (${name}): ${report.requests} requests in ${report.ms} ms (seed ${report.seed})\n${table(report)}`,
    );
    // Write invariants skip without --allow-writes (contract-writes.test.ts runs them); nothing else may.
    expect(report.results.filter((r) => r.outcome !== "pass" && r.outcome !== "skip").map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    for (const r of report.results.filter((x) => x.outcome === "skip")) expect(r.reason, r.id).toMatch(/writes not allowed/);
    expect(report.results.map((r) => r.id)).toEqual(selectInvariants("full").map((i) => i.id));
  });
});

describe("a correct server with another order (oldest first): only the decided order invariant notices", () => {
  let api: RunningReferenceApi;
  beforeAll(async () => {
    api = await startReferenceApi({ seed: 3, size: 2_000, fault: "reverse-order" });
  });
  afterAll(() => api?.stop());

  test("strict: O1 fails, saying the items are not newest-first; every other invariant passes", async () => {
    const report = await runContract({ baseUrl: api.url, apiKey: orgKey(api), profile: "full", strict: true, runs: RUNS, seed });
    const failed = report.results.filter((r) => r.outcome !== "pass" && r.outcome !== "skip");
    expect(failed.map((r) => [r.id, r.outcome, r.tier])).toEqual([["O1", "fail", "decided"]]);
    expect(failed[0]?.reason).toMatch(
      /^items are not newest-first: bat-\S+ \(created_at [^)]+\) comes before bat-\S+ \(created_at [^)]+\), which is newer/,
    );
    expect(report.ok).toBe(false);
  });

  test("by default: the run holds (exit 0) and reports the drift from the decided order, with its evidence", async () => {
    const report = await runContract({ baseUrl: api.url, apiKey: orgKey(api), profile: "full", runs: RUNS, seed });
    expect(report.ok).toBe(true);
    expect(report.results.filter((r) => r.outcome !== "pass" && r.outcome !== "skip").map((r) => [r.id, r.outcome])).toEqual([
      ["O1", "drift"],
    ]);
    expect(report.results.find((r) => r.id === "O1")?.counterexample).toBeTruthy();
  });
});

describe("mutation table: every fault mode is caught, on the invariant it breaks", () => {
  const caught = new Map<FaultName, string[]>();
  afterAll(() => printTable(`mutation table (full profile, strict, ${RUNS} runs per invariant, seed ${seed})`, caught));

  test("every fault has an expectation: here, or (create, retrieve, cancel) in contract-writes.test.ts", () => {
    expect([...Object.keys(BREAKS), ...OPERATION_FAULTS].sort()).toEqual(Object.keys(FAULTS).sort());
  });

  test.each(Object.keys(BREAKS) as FaultName[])("%s", async (fault) => {
    caught.set(fault, await catches(fault, { server: { seed: 3, size: 2_000 }, runs: RUNS, seed }));
  });
});
