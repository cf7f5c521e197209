import type { Batch } from "@llama-batches/client";
import type { Tier } from "@llama-batches/spec";
import fc from "fast-check";
import { INVARIANTS, type Invariant, type Profile } from "./invariants/index.js";
import { type Context, itemsOf, type Sweep, tokenOf } from "./invariants/support.js";
import { type Observed, observe } from "./observe.js";
import { describeOperation } from "./operation.js";
import { specOf } from "./spec.js";
import { BudgetExhausted, Interrupted, Target, type TargetOptions } from "./target.js";
import { windowSource } from "./windows.js";
import { shrinkWithinBudget } from "./within-budget.js";
import { type CreateIds, createIdsProblem, WRITE_BUDGET_EXHAUSTED, WRITES_NOT_ALLOWED, WriteBudgetExhausted } from "./writes.js";

/**
 * `sourceDirectoryId`, `configurationId` and `jobType` (`CreateIds`): the existing resources every
 * create meant to succeed is made from; required with `allowWrites` against a non-loopback server.
 */
export interface RunOptions extends TargetOptions, CreateIds {
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

/**
 * What became of the batches the run created, after it (failed invariants, a used-up budget or an
 * interrupt included): each one not seen in a final status is cancelled, outside the budgets.
 */
export interface Cleanup {
  /** Batches the run created. */
  created: number;
  /** Cancelled by the cleanup (the cancel answered a 2xx). */
  cancelled: number;
  /**
   * Cancelled by the cleanup among the batches no answer named: found in the pinned source
   * directory after a create timed out, dropped or answered a 5xx (see the README, "Cleanup").
   */
  recovered: number;
  /** Cancelled by the invariants already (a cancel answered a 2xx during the run). */
  cancelledByInvariants: number;
  /** Seen in a final status, during the run or when the cleanup's cancel was refused. */
  alreadyFinal: number;
  /** Not cancelled and not seen final: still running, perhaps. Their ids, and why, in `failures`. */
  failed: number;
  failures: string[];
  /** Requests the cleanup sent (cancels, and re-reads of refused ones), outside `budget` and `maxWrites`. */
  requests: number;
}

export interface RunReport {
  profile: Profile;
  strict: boolean;
  seed: number;
  runs: number;
  observed: Pick<Observed, "complete" | "horizonText"> & { batches: number };
  results: InvariantResult[];
  requests: number;
  /** Writes sent (creates and cancels, refused ones included), and whether any were allowed. */
  writes: number;
  allowWrites: boolean;
  /** With writes allowed: the cleanup of the batches the run created. */
  cleanup?: Cleanup;
  /** The run was interrupted (`signal`): the invariants not run are missing from `results`. */
  interrupted?: boolean;
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
  const idsProblem = createIdsProblem(options.baseUrl, options.allowWrites, options);
  if (idsProblem) throw new Error(idsProblem);
  const jobTypes = (spec.document.components?.schemas?.BatchJobType as { enum?: unknown[] } | undefined)?.enum;
  if (options.jobType !== undefined && jobTypes && !jobTypes.includes(options.jobType)) {
    throw new Error(`job type ${options.jobType} is not one of the spec's: ${jobTypes.join(", ")}`);
  }
  const observed = await observe(target, { pageSize: model.pageSize.maximum, maxPages: options.observePages ?? 10 });
  const ctx: Context = {
    target,
    spec,
    model,
    validate: (schemaName, value) => spec.validateSchema(schemaName, value),
    observed,
    observedById: new Map(observed.batches.map((b) => [b.id, b])),
    finalStatuses: new Set(spec.finalStatuses),
    created: new Set(),
    settled: new Set(),
    cancelSent: new Set(),
    createIds: { sourceDirectoryId: options.sourceDirectoryId, configurationId: options.configurationId, jobType: options.jobType },
    uncertainCreates: 0,
  };
  if (target.allowWrites && options.sourceDirectoryId !== undefined) {
    ctx.sweep = await sweepBefore(ctx, options.sourceDirectoryId, observed.horizonText);
  }
  const results: InvariantResult[] = [];
  try {
    await runInvariants(invariants, ctx, options, { seed, runs, strict }, results);
  } catch (error) {
    // An unreachable server or a bug of the suite: the batches already created are cancelled still.
    if (target.allowWrites) Object.assign(error as object, { cleanup: await cleanUp(ctx) });
    throw error;
  }
  const interrupted = options.signal?.aborted === true;
  const cleanup = target.allowWrites ? await cleanUp(ctx) : undefined;
  return {
    profile,
    strict,
    seed,
    runs,
    observed: { batches: observed.batches.length, complete: observed.complete, horizonText: observed.horizonText },
    results,
    requests: target.requests,
    writes: target.writes,
    allowWrites: target.allowWrites,
    ...(cleanup ? { cleanup } : {}),
    ...(interrupted ? { interrupted } : {}),
    ms: Math.round(performance.now() - started),
    ok: !interrupted && results.every((r) => r.outcome !== "fail"),
  };
}

async function runInvariants(
  invariants: Invariant[],
  ctx: Context,
  options: RunOptions,
  { seed, runs, strict }: { seed: number; runs: number; strict: boolean },
  results: InvariantResult[],
): Promise<void> {
  const { target, spec } = ctx;
  for (const invariant of invariants) {
    if (options.signal?.aborted) return;
    const before = target.requests;
    const t0 = performance.now();
    const tier = spec.rule(invariant.rule).tier;
    const plannedRuns = Math.max(1, Math.round(runs * (invariant.weight ?? 1)));
    const base = { id: invariant.id, title: invariant.title, rule: invariant.rule, tier, runs: 0, plannedRuns, requests: 0, ms: 0 };
    const missing = lacks(invariant, ctx, target);
    let result: InvariantResult;
    if (missing) {
      result = { ...base, outcome: "skip", reason: missing };
    } else {
      const unprepared = await prepare(invariant, ctx);
      // Interrupted while preparing: no verdict; the run stops here.
      if (unprepared === null) return;
      if (unprepared !== undefined) {
        result = { ...base, outcome: unprepared.outcome, reason: unprepared.reason };
        result.requests = target.requests - before;
        result.ms = Math.round(performance.now() - t0);
        results.push(result);
        options.onResult?.(result);
        continue;
      }
      const property = invariant.property(ctx);
      const details = await fc.check(shrinkWithinBudget(property), {
        seed,
        numRuns: plannedRuns,
        ...(options.path && options.only?.length === 1 ? { path: options.path } : {}),
        // With a write cap, a write invariant's first counterexample is reported as found: shrinking
        // it would spend the paid writes the other invariants are to get.
        endOnFailure: invariant.noShrink === true || (invariant.writes === true && Number.isFinite(target.maxWrites)),
      });
      const error = details.errorInstance;
      // Interrupted: what ran of this invariant is no verdict; the run stops here.
      if (options.signal?.aborted || error instanceof Interrupted) return;
      const done = { ...base, runs: details.numRuns, ...runsNote(invariant, runs, plannedRuns, details.numSkips) };
      if (!details.failed) {
        result = { ...done, outcome: "pass" };
      } else if (error instanceof BudgetExhausted) {
        result = { ...done, outcome: "budget", reason: error.message };
      } else if (error instanceof WriteBudgetExhausted) {
        // Runs before the budget ran out held; the rest were not run, so the verdict is a skip.
        result = { ...done, outcome: "skip", reason: WRITE_BUDGET_EXHAUSTED };
      } else if (error instanceof Error && (error.name === "Unreachable" || error.name === "WritesNotAllowed")) {
        // A write from an invariant that does not declare one is the suite's bug, not the server's.
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
}

/**
 * Cancels every batch the run created that it did not see in a final status and whose cancel it
 * did not already get accepted; best-effort, one attempt each. Outside `budget` and `maxWrites`:
 * on the live API a batch left running keeps spending, and a cancel is what stops it. Only ids in
 * `ctx.created` (answered by this run's own creates) are ever cancelled here.
 */
async function cleanUp(ctx: Context): Promise<Cleanup> {
  const { target, spec } = ctx;
  const before = target.cleanupRequests;
  const cancel = spec.operation("cancelBatch");
  const get = spec.operation("getBatch");
  const open = [...ctx.created].filter((id) => !ctx.settled.has(id) && !ctx.cancelSent.has(id));
  const failures: string[] = [];
  let cancelled = 0;
  let final = 0;
  await Promise.all(
    open.map(async (id) => {
      const pathParams = { batch_id: id };
      try {
        const x = await target.requestOutsideBudget({ method: cancel.method, path: cancel.path, pathParams });
        if (x.status >= 200 && x.status < 300) {
          cancelled += 1;
          return;
        }
        // Refused: fine when the batch reached a final status on its own meanwhile.
        const read = await target.requestOutsideBudget({ method: get.method, path: get.path, pathParams });
        const status = (read.body as { status?: unknown } | undefined)?.status;
        if (read.status === 200 && ctx.finalStatuses.has(String(status))) {
          final += 1;
          return;
        }
        failures.push(`${id}: cancel answered ${x.status}`);
      } catch (error) {
        failures.push(`${id}: ${(error as Error).message}`);
      }
    }),
  );
  const byInvariants = [...ctx.created].filter((id) => ctx.cancelSent.has(id) && !ctx.settled.has(id)).length;
  const recovered = await sweepAfter(ctx, failures);
  return {
    created: ctx.created.size,
    cancelled,
    recovered,
    cancelledByInvariants: byInvariants,
    alreadyFinal: ctx.settled.size + final,
    failed: failures.length,
    failures,
    requests: target.cleanupRequests - before,
  };
}

/** Pages of the pinned directory's list the sweep reads, before and after the run: more than a run creates there. */
const SWEEP_PAGES = 20;

/**
 * The pinned directory's batches created on or after `since`, every page (outside the budgets);
 * `complete` is false when the pages did not end within `SWEEP_PAGES` or one was not a 200.
 */
async function listDirectory(ctx: Context, directory: string, since: string): Promise<{ items: Batch[]; complete: boolean; why?: string }> {
  const list = ctx.spec.operation("listBatches");
  const items: Batch[] = [];
  let token: string | undefined;
  for (let page = 1; page <= SWEEP_PAGES; page++) {
    const query = {
      source_directory_id: directory,
      created_at_on_or_after: since,
      page_size: ctx.model.pageSize.maximum,
      page_token: token,
    };
    const x = await ctx.target.requestOutsideBudget({ method: list.method, path: list.path, query });
    if (x.status !== 200) return { items, complete: false, why: `the list of ${directory} answered ${x.status}` };
    const got = itemsOf(x);
    items.push(...got);
    token = tokenOf(x);
    if (!token || got.length === 0) return { items, complete: true };
  }
  return { items, complete: false, why: `the list of ${directory} did not end within ${SWEEP_PAGES} pages` };
}

/**
 * Before any write: the pinned directory's batches created since `since` (the observation's
 * horizon: the server's own clock, from its `Date` header, less HORIZON_MARGIN_S), which the
 * cleanup must never cancel. The server's clock, not this machine's, so that skew between the two
 * cannot move the bound; the margin covers the `Date` header's whole seconds and a store that
 * stamps `created_at` on a clock a little off the front end's. Batches created in the margin before
 * the run are recorded here, so the margin never makes the cleanup touch them.
 */
async function sweepBefore(ctx: Context, directory: string, since: string): Promise<Sweep> {
  try {
    const { items, complete, why } = await listDirectory(ctx, directory, since);
    return complete ? { directory, since, before: new Set(items.map((b) => b.id)) } : { directory, since, before: undefined, problem: why };
  } catch (error) {
    return { directory, since, before: undefined, problem: (error as Error).message };
  }
}

/**
 * After a run with creates whose answer did not say whether a batch was made (a timeout, a dropped
 * connection, a 5xx): cancels the pinned directory's batches created since the run's start that
 * were not there before it, that no create of the run answered, that are not final, and (with a
 * pinned configuration) that are of that configuration, and only when there are no more of them
 * than unanswered creates (otherwise someone else creates there too: they are listed, never
 * cancelled). Pin a directory only the suite uses. Returns how many it cancelled; problems go to
 * `failures`.
 */
async function sweepAfter(ctx: Context, failures: string[]): Promise<number> {
  const sweep = ctx.sweep;
  if (ctx.uncertainCreates === 0 || !sweep) return 0;
  const before = sweep.before;
  if (!before) {
    failures.push(`${ctx.uncertainCreates} create(s) went unanswered; ${sweep.directory} was not searched for them: ${sweep.problem}`);
    return 0;
  }
  const cancel = ctx.spec.operation("cancelBatch");
  const pinnedConfig = ctx.createIds.configurationId;
  let recovered = 0;
  try {
    const { items, complete, why } = await listDirectory(ctx, sweep.directory, sweep.since);
    if (!complete) failures.push(`searching ${sweep.directory} for unanswered creates: ${why}`);
    const lost = items.filter(
      (b) =>
        !before.has(b.id) &&
        !ctx.created.has(b.id) &&
        !ctx.finalStatuses.has(b.status) &&
        (pinnedConfig === undefined || b.config?.job?.configuration_id === pinnedConfig),
    );
    // Each unanswered create made at most one batch: more candidates than that means someone else is
    // creating in this directory too, and a batch that is not the run's own is never cancelled.
    if (lost.length > ctx.uncertainCreates) {
      failures.push(
        `${ctx.uncertainCreates} create(s) went unanswered and ${sweep.directory} holds ${lost.length} new batches not final ` +
          `(${lost.map((b) => b.id).join(", ")}): not cancelled, since they cannot be told from others' batches; check them by hand`,
      );
      return 0;
    }
    for (const b of lost) {
      try {
        const x = await ctx.target.requestOutsideBudget({ method: cancel.method, path: cancel.path, pathParams: { batch_id: b.id } });
        if (x.status >= 200 && x.status < 300) recovered += 1;
        else failures.push(`${b.id} (from an unanswered create): cancel answered ${x.status}`);
      } catch (error) {
        failures.push(`${b.id} (from an unanswered create): ${(error as Error).message}`);
      }
    }
  } catch (error) {
    failures.push(`searching ${sweep.directory} for unanswered creates: ${(error as Error).message}`);
  }
  return recovered;
}

/**
 * An invariant's `prepare`: undefined to go on, else a skip with its reason (or the request budget
 * used up); null when the run was interrupted meanwhile.
 */
async function prepare(invariant: Invariant, ctx: Context): Promise<{ outcome: Outcome; reason: string } | undefined | null> {
  if (!invariant.prepare) return undefined;
  try {
    const reason = await invariant.prepare(ctx);
    return reason === undefined ? undefined : { outcome: "skip", reason };
  } catch (error) {
    if (error instanceof BudgetExhausted) return { outcome: "budget", reason: error.message };
    if (error instanceof Interrupted) return null;
    throw error;
  }
}

/** Why an invariant ran fewer times than `--runs`: its weight, or runs its precondition skipped. */
function runsNote(invariant: Invariant, runs: number, planned: number, skips: number): { runsNote?: string } {
  const notes: string[] = [];
  const why = invariant.writes ? "each run writes" : "each run traverses several pages";
  if (planned !== runs) notes.push(`weight ${invariant.weight}: ${why}, so it gets ${planned} of ${runs} runs`);
  if (skips > 0) notes.push(`${skips} drawn inputs did not meet its precondition and were drawn again`);
  return notes.length > 0 ? { runsNote: notes.join("; ") } : {};
}

function lacks(invariant: Invariant, ctx: Context, target: Target): string | undefined {
  const { observed } = ctx;
  if (invariant.writes && !target.allowWrites) return WRITES_NOT_ALLOWED;
  if (invariant.writes && target.writesLeft <= 0) return WRITE_BUDGET_EXHAUSTED;
  if (invariant.needs === "data" && observed.batches.length === 0) return "needs data: the key sees no batches";
  if (invariant.needs === "final" && !observed.batches.some((b) => ctx.finalStatuses.has(b.status))) {
    return `needs a batch in a final status (${[...ctx.finalStatuses].join(", ")}) among those the key sees`;
  }
  if (invariant.needs === "pages" && !windowSource(observed)) {
    return `needs several batches created before the run's horizon (${observed.horizonText}), with created_at`;
  }
  return undefined;
}
