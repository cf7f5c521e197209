/**
 * The mutation table, shared by the test files that run it on different data: every fault mode of
 * the reference API must make the contract suite fail (strict: decided rules fail too), on an
 * invariant the fault breaks by design.
 */
import { runContract } from "@llama-batches/contract";
import { expect } from "vitest";
import { type FaultName, type RunningReferenceApi, type StartReferenceApiOptions, startReferenceApi } from "../src/index.js";

/**
 * The faults of create, retrieve and cancel. The mutation table of this file runs the stateless
 * full profile, which sends no writes; these faults are held to the suite with writes allowed in
 * contract-writes.test.ts.
 */
export const OPERATION_FAULTS = [
  "cancel-final-409",
  "cancel-final-mutates",
  "leaky-404",
  "results-always",
  "expand-ignored",
  "create-ignores-body",
  "strict-body",
  "lenient-body",
  "create-not-readable",
] as const satisfies readonly FaultName[];

type OperationFaultName = (typeof OPERATION_FAULTS)[number];
type ListFaultName = Exclude<FaultName, OperationFaultName>;

/** The invariants each fault of the list breaks by design: the suite must fail on (at least) one of them. */
export const BREAKS: Record<ListFaultName, readonly string[]> = {
  "drop-last-item": ["P4", "F2", "F4"],
  "repeat-item": ["P3", "P4"],
  "ignore-status-filter": ["F1", "F2"],
  "exclusive-date-bounds": ["F4"],
  "page-size-off-by-one": ["P1", "P8"],
  "unstable-order": ["P4", "O1"],
  "token-ignores-filters": ["P7", "F1", "F2"],
  "schema-break": ["C1"],
  "server-error": ["C5"],
  "scope-leak": ["F1", "F2"],
  "no-auth": ["C6"],
  "lenient-validation": ["C4", "C8"],
  "reverse-order": ["O1"],
};

/** The invariants each fault of create, retrieve and cancel breaks by design (caught with writes allowed). */
export const WRITE_BREAKS: Record<OperationFaultName, readonly string[]> = {
  "cancel-final-409": ["W13"],
  "cancel-final-mutates": ["W12", "W13"],
  "leaky-404": ["G3", "W15"],
  "results-always": ["G1"],
  "expand-ignored": ["G5"],
  "create-ignores-body": ["W7"],
  "strict-body": ["W4"],
  "lenient-body": ["W3"],
  "create-not-readable": ["W8"],
};

const ALL_BREAKS: Record<FaultName, readonly string[]> = { ...BREAKS, ...WRITE_BREAKS };

export const orgKey = (api: RunningReferenceApi) => api.apiKeys.find((k) => k.project_id === null)?.key;

/**
 * Starts the server with `fault`, runs the full profile strictly, and checks the fault is caught by
 * an invariant it breaks. `during` runs while the suite does (a writer, say) and is stopped after;
 * `allowWrites` lets the suite write (the faults of create, retrieve and cancel need it).
 * Returns the invariants that failed.
 */
export async function catches(
  fault: FaultName,
  options: {
    server: StartReferenceApiOptions;
    runs: number;
    seed: number;
    allowWrites?: boolean;
    during?: (api: RunningReferenceApi) => { stop(): void };
  },
): Promise<string[]> {
  const api = await startReferenceApi({ ...options.server, fault });
  const during = options.during?.(api);
  try {
    const report = await runContract({
      baseUrl: api.url,
      apiKey: orgKey(api),
      profile: "full",
      strict: true,
      runs: options.runs,
      seed: options.seed,
      allowWrites: options.allowWrites,
    });
    const failed = report.results.filter((r) => r.outcome === "fail").map((r) => r.id);
    expect(failed, `fault ${fault} went unnoticed`).not.toEqual([]);
    expect(
      failed.filter((id) => ALL_BREAKS[fault].includes(id)),
      `fault ${fault} was caught only by ${failed.join(", ")}`,
    ).not.toEqual([]);
    const first = report.results.find((r) => r.outcome === "fail");
    expect(first?.counterexample).toBeTruthy();
    expect(first?.path).toBeTruthy();
    return failed;
  } finally {
    during?.stop();
    await api.stop();
  }
}

/** The table as the closing note shows it. */
export function printTable(title: string, caught: ReadonlyMap<FaultName, string[]>): void {
  const rows = [...caught].map(([fault, ids]) => `| ${fault.padEnd(22)} | ${(ids.join(", ") || "NOTHING").padEnd(34)} |`);
  console.log(
    [title, "| fault                  | caught by                          |", `|${"-".repeat(24)}|${"-".repeat(36)}|`, ...rows].join("\n"),
  );
}
