import fc from "fast-check";
import { INVARIANTS, type Invariant, type Profile } from "./invariants/index.js";
import { type Observed, observe } from "./observe.js";
import { describeOperation } from "./operation.js";
import { specOf } from "./spec.js";
import { BudgetExhausted, Target, type TargetOptions } from "./target.js";

export interface RunOptions extends TargetOptions {
  profile?: Profile | undefined;
  /** fast-check runs per invariant (weighted per invariant). */
  runs?: number | undefined;
  seed?: number | undefined;
  /** Replay one shrunk counterexample: the path fast-check printed (with --only and --seed). */
  path?: string | undefined;
  only?: readonly string[] | undefined;
  spec?: string | undefined;
  /** Pages of data read up front to draw values from. */
  observePages?: number | undefined;
  onResult?: ((result: InvariantResult) => void) | undefined;
}

export type Outcome = "pass" | "fail" | "skip" | "budget";

export interface InvariantResult {
  id: string;
  title: string;
  outcome: Outcome;
  runs: number;
  requests: number;
  ms: number;
  /** For a failure: the shrunk counterexample, the reason, and how to replay it. */
  counterexample?: string;
  reason?: string;
  seed?: number;
  path?: string;
}

export interface RunReport {
  profile: Profile;
  seed: number;
  observed: Pick<Observed, "complete"> & { batches: number };
  results: InvariantResult[];
  requests: number;
  ms: number;
  ok: boolean;
}

export function selectInvariants(profile: Profile, only?: readonly string[]): Invariant[] {
  const wanted = only?.map((s) => s.trim().toUpperCase()).filter(Boolean);
  if (wanted?.length) {
    const unknown = wanted.filter((id) => !INVARIANTS.some((i) => i.id === id));
    if (unknown.length) throw new Error(`unknown invariant ${unknown.join(", ")}; known: ${INVARIANTS.map((i) => i.id).join(", ")}`);
    return INVARIANTS.filter((i) => wanted.includes(i.id));
  }
  return INVARIANTS.filter((i) => profile === "full" || i.profile === "contract");
}

/** Runs the chosen invariants against one server and reports each. Throws `Unreachable` if it cannot be reached. */
export async function runContract(options: RunOptions): Promise<RunReport> {
  const started = performance.now();
  const profile = options.profile ?? "contract";
  const seed = options.seed ?? (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
  const runs = options.runs ?? 25;
  const invariants = selectInvariants(profile, options.only);
  const spec = specOf(options.spec);
  const model = describeOperation(spec);
  const validate = (schemaName: string, value: unknown) => spec.validateSchema(schemaName, value);
  const target = new Target(options);
  const observed = await observe(target, { pageSize: model.pageSize.maximum, maxPages: options.observePages ?? 10 });
  const ctx = { target, model, validate, observed };
  const results: InvariantResult[] = [];

  for (const invariant of invariants) {
    const before = target.requests;
    const t0 = performance.now();
    const base = { id: invariant.id, title: invariant.title, runs: 0, requests: 0, ms: 0 };
    const missing = lacks(invariant, observed);
    let result: InvariantResult;
    if (missing) {
      result = { ...base, outcome: "skip", reason: missing };
    } else {
      const numRuns = Math.max(1, Math.round(runs * (invariant.weight ?? 1)));
      const details = await fc.check(invariant.property(ctx), {
        seed,
        numRuns,
        ...(options.path && options.only?.length === 1 ? { path: options.path } : {}),
        endOnFailure: false,
      });
      const error = details.errorInstance;
      if (!details.failed) {
        result = { ...base, outcome: "pass", runs: details.numRuns };
      } else if (error instanceof BudgetExhausted) {
        result = { ...base, outcome: "budget", runs: details.numRuns, reason: error.message };
      } else if (error instanceof Error && error.name === "Unreachable") {
        throw error;
      } else {
        result = {
          ...base,
          outcome: "fail",
          runs: details.numRuns,
          counterexample: fc.stringify(details.counterexample),
          reason: error instanceof Error ? error.message : String(error),
          seed: details.seed,
          path: details.counterexamplePath ?? "",
        };
      }
    }
    result.requests = target.requests - before;
    result.ms = Math.round(performance.now() - t0);
    results.push(result);
    options.onResult?.(result);
  }
  return {
    profile,
    seed,
    observed: { batches: observed.batches.length, complete: observed.complete },
    results,
    requests: target.requests,
    ms: Math.round(performance.now() - started),
    ok: results.every((r) => r.outcome !== "fail"),
  };
}

function lacks(invariant: Invariant, observed: Observed): string | undefined {
  if (invariant.needs === "data" && observed.batches.length === 0) return "needs data: the key sees no batches";
  if (invariant.needs === "pages" && observed.timestamps.length < 3) return "needs several batches with created_at";
  return undefined;
}
