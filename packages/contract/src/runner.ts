import type { Tier } from "@llama-batches/spec";
import fc from "fast-check";
import { INVARIANTS, type Invariant, type Profile } from "./invariants/index.js";
import type { Context } from "./invariants/support.js";
import { type Observed, observe } from "./observe.js";
import { describeOperation } from "./operation.js";
import { specOf } from "./spec.js";
import { BudgetExhausted, Target, type TargetOptions } from "./target.js";
import { windowSource } from "./windows.js";

export interface RunOptions extends TargetOptions {
  profile?: Profile | undefined;
  /** fast-check runs per invariant (weighted per invariant). */
  runs?: number | undefined;
  seed?: number | undefined;
  /** Replay one shrunk counterexample: the path fast-check printed (with --only and --seed). */
  path?: string | undefined;
  only?: readonly string[] | undefined;
  /** Fail on decided rules too, instead of reporting their breaks as drift. */
  strict?: boolean | undefined;
  spec?: string | undefined;
  /** Pages of data read up front to draw values from. */
  observePages?: number | undefined;
  onResult?: ((result: InvariantResult) => void) | undefined;
}

/**
 * `fail`: a documented rule is broken (or a decided one, with `strict`). `drift`: a decided rule is
 * broken, and the run was not strict: reported with its evidence, not failed.
 */
export type Outcome = "pass" | "fail" | "drift" | "skip" | "budget";

export interface InvariantResult {
  id: string;
  title: string;
  /** The spec rule the invariant checks, and where that rule comes from. */
  rule: string;
  tier: Tier;
  outcome: Outcome;
  /** Runs done, and the runs this invariant was given (`--runs` times its weight). */
  runs: number;
  plannedRuns: number;
  /** Why fewer runs were done or given than `--runs`, when they were. */
  runsNote?: string;
  requests: number;
  ms: number;
  /** For a failure or drift: the shrunk counterexample, the reason, and how to replay it. */
  counterexample?: string;
  reason?: string;
  seed?: number;
  path?: string;
}

export interface RunReport {
  profile: Profile;
  strict: boolean;
  seed: number;
  runs: number;
  observed: Pick<Observed, "complete" | "horizonText"> & { batches: number };
  results: InvariantResult[];
  requests: number;
  ms: number;
  /** No failure (drift allowed unless strict). */
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
  const strict = options.strict ?? false;
  const seed = options.seed ?? (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
  const runs = options.runs ?? 25;
  const invariants = selectInvariants(profile, options.only);
  const spec = specOf(options.spec);
  const model = describeOperation(spec);
  const target = new Target(options);
  const observed = await observe(target, { pageSize: model.pageSize.maximum, maxPages: options.observePages ?? 10 });
  const ctx: Context = {
    target,
    spec,
    model,
    validate: (schemaName, value) => spec.validateSchema(schemaName, value),
    observed,
    observedById: new Map(observed.batches.map((b) => [b.id, b])),
    finalStatuses: new Set(spec.finalStatuses),
  };
  const results: InvariantResult[] = [];

  for (const invariant of invariants) {
    const before = target.requests;
    const t0 = performance.now();
    const tier = spec.rule(invariant.rule).tier;
    const plannedRuns = Math.max(1, Math.round(runs * (invariant.weight ?? 1)));
    const base = { id: invariant.id, title: invariant.title, rule: invariant.rule, tier, runs: 0, plannedRuns, requests: 0, ms: 0 };
    const missing = lacks(invariant, observed);
    let result: InvariantResult;
    if (missing) {
      result = { ...base, outcome: "skip", reason: missing };
    } else {
      const details = await fc.check(invariant.property(ctx), {
        seed,
        numRuns: plannedRuns,
        ...(options.path && options.only?.length === 1 ? { path: options.path } : {}),
        endOnFailure: false,
      });
      const error = details.errorInstance;
      const done = { ...base, runs: details.numRuns, ...runsNote(invariant, runs, plannedRuns, details.numSkips) };
      if (!details.failed) {
        result = { ...done, outcome: "pass" };
      } else if (error instanceof BudgetExhausted) {
        result = { ...done, outcome: "budget", reason: error.message };
      } else if (error instanceof Error && error.name === "Unreachable") {
        throw error;
      } else {
        result = {
          ...done,
          outcome: tier === "decided" && !strict ? "drift" : "fail",
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
    strict,
    seed,
    runs,
    observed: { batches: observed.batches.length, complete: observed.complete, horizonText: observed.horizonText },
    results,
    requests: target.requests,
    ms: Math.round(performance.now() - started),
    ok: results.every((r) => r.outcome !== "fail"),
  };
}

/** Why an invariant ran fewer times than `--runs`: its weight, or runs its precondition skipped. */
function runsNote(invariant: Invariant, runs: number, planned: number, skips: number): { runsNote?: string } {
  const notes: string[] = [];
  if (planned !== runs) notes.push(`weight ${invariant.weight}: each run traverses several pages, so it gets ${planned} of ${runs} runs`);
  if (skips > 0) notes.push(`${skips} drawn inputs did not meet its precondition and were drawn again`);
  return notes.length > 0 ? { runsNote: notes.join("; ") } : {};
}

function lacks(invariant: Invariant, observed: Observed): string | undefined {
  if (invariant.needs === "data" && observed.batches.length === 0) return "needs data: the key sees no batches";
  if (invariant.needs === "pages" && !windowSource(observed)) {
    return `needs several batches created before the run's horizon (${observed.horizonText}), with created_at`;
  }
  return undefined;
}
