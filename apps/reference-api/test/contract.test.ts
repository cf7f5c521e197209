import { runContract, selectInvariants, table } from "@llama-batches/contract";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FAULTS, type FaultName, type RunningReferenceApi, startReferenceApi } from "../src/index.js";

const seed = Number(process.env.FAST_CHECK_SEED ?? 1);
const RUNS = 20;

/** The invariants each fault breaks by design: the suite must fail on (at least) one of them. */
const BREAKS: Record<FaultName, readonly string[]> = {
  "drop-last-item": ["P4", "F2", "F4"],
  "repeat-item": ["P3", "P4"],
  "ignore-status-filter": ["F1", "F2"],
  "exclusive-date-bounds": ["F4"],
  "page-size-off-by-one": ["P1"],
  "unstable-order": ["P4", "P3"],
  "token-ignores-filters": ["P7", "F1", "F2"],
  "schema-break": ["C1"],
  "server-error": ["C5"],
  "scope-leak": ["F1"],
  "no-auth": ["C6"],
  "lenient-validation": ["C4"],
};

describe("the full profile against the reference API", () => {
  let api: RunningReferenceApi;
  beforeAll(async () => {
    api = await startReferenceApi({ seed: 3, size: 2_000 });
  });
  afterAll(() => api?.stop());

  test.each([
    ["an organization-wide key", (a: RunningReferenceApi) => a.apiKeys.find((k) => k.project_id === null)],
    ["a project key", (a: RunningReferenceApi) => a.apiKeys.find((k) => k.project_id !== null)],
  ])("holds with %s", async (_name, pick) => {
    const key = pick(api);
    const report = await runContract({ baseUrl: api.url, apiKey: key?.key, profile: "full", runs: 40, seed });
    console.log(
      `full profile vs reference API (${_name}): ${report.requests} requests in ${report.ms} ms (seed ${report.seed})\n${table(report)}`,
    );
    expect(report.results.filter((r) => r.outcome !== "pass").map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    expect(report.results.map((r) => r.id)).toEqual(selectInvariants("full").map((i) => i.id));
  });
});

describe("mutation table: every fault mode is caught, on the invariant it breaks", () => {
  const caught = new Map<FaultName, string[]>();

  afterAll(() => {
    const rows = [...caught].map(([fault, ids]) => `| ${fault.padEnd(22)} | ${(ids.join(", ") || "NOTHING").padEnd(34)} |`);
    console.log(
      [
        `mutation table (full profile, ${RUNS} runs per invariant, seed ${seed})`,
        "| fault                  | caught by                          |",
        `|${"-".repeat(24)}|${"-".repeat(36)}|`,
        ...rows,
      ].join("\n"),
    );
  });

  test("every fault has an expectation", () => {
    expect(Object.keys(BREAKS).sort()).toEqual(Object.keys(FAULTS).sort());
  });

  test.each(Object.keys(FAULTS) as FaultName[])("%s", async (fault) => {
    const api = await startReferenceApi({ seed: 3, size: 2_000, fault });
    try {
      const key = api.apiKeys.find((k) => k.project_id === null);
      const report = await runContract({ baseUrl: api.url, apiKey: key?.key, profile: "full", runs: RUNS, seed });
      const failed = report.results.filter((r) => r.outcome === "fail").map((r) => r.id);
      caught.set(fault, failed);
      expect(failed, `fault ${fault} went unnoticed`).not.toEqual([]);
      expect(
        failed.filter((id) => BREAKS[fault].includes(id)),
        `fault ${fault} was caught only by ${failed.join(", ")}`,
      ).not.toEqual([]);
      const first = report.results.find((r) => r.outcome === "fail");
      expect(first?.counterexample).toBeTruthy();
      expect(first?.path).toBeTruthy();
    } finally {
      await api.stop();
    }
  });
});
