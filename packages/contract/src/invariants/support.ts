import type { Batch } from "@llama-batches/client";
import { compareInstants, parseDateTime, type Spec } from "@llama-batches/spec";
import type fc from "fast-check";
import type { Query } from "../arbitraries.js";
import { createdAt, type Observed } from "../observe.js";
import type { OperationModel } from "../operation.js";
import type { SchemaErrors } from "../spec.js";
import type { Exchange, Target } from "../target.js";
import { type Window, windowArb } from "../windows.js";
import type { CreateIds } from "../writes.js";

export interface Context {
  target: Target;
  spec: Spec;
  model: OperationModel;
  validate: (schemaName: string, value: unknown) => SchemaErrors;
  observed: Observed;
  /** Observed batches by id: their status at the start, to tell what may have changed since. */
  observedById: ReadonlyMap<string, Batch>;
  /** Statuses a batch never leaves. */
  finalStatuses: ReadonlySet<string>;
  /** Ids of the batches this run created: the only ones it may cancel while they are not final. */
  created: Set<string>;
  /** Created batches seen in a final status: the cleanup leaves them be. */
  settled: Set<string>;
  /** Created batches whose cancel was answered with a 2xx: on their way to a final status already. */
  cancelSent: Set<string>;
  /** The existing resources every create meant to succeed is made from, when given. */
  createIds: CreateIds;
  /**
   * Creates whose answer did not say whether a batch was made (a transport error or timeout, a
   * 5xx): such a batch is in no `created`, so the cleanup looks for it in the pinned directory.
   */
  uncertainCreates: number;
  /** With a pinned source directory: what the cleanup's search of it needs (see `Sweep`). */
  sweep?: Sweep | undefined;
}

/**
 * The pinned source directory's batches created since `since` (the run's start on the server's
 * clock, less a margin) that existed before the run: the cleanup never cancels them. `before` is
 * undefined when they could not all be read: then the cleanup searches nothing.
 */
export interface Sweep {
  directory: string;
  since: string;
  before: ReadonlySet<string> | undefined;
  /** Why `before` is unknown, when it is. */
  problem?: string | undefined;
}

export type Profile = "contract" | "full";

export interface Invariant {
  id: string;
  title: string;
  /** The spec rule it checks (an `x-rules` id): its tier, documented or decided, comes from there. */
  rule: string;
  /** The smallest profile that runs it: `contract` ones also run in `full`. */
  profile: Profile;
  /** What the server must have for the property to bite; without it the invariant is skipped. */
  needs?: "data" | "pages" | "final";
  /** It sends writes: skipped unless writes are allowed, and once the write budget is used up. */
  writes?: boolean;
  /**
   * Its first counterexample is reported as found, not shrunk: for an invariant whose verdict waits
   * (W8 gives a lagging index seconds), every shrink step would wait as long, and what it draws does
   * not change the verdict.
   */
  noShrink?: boolean;
  /** Runs relative to --runs: properties that traverse many pages run fewer times. */
  weight?: number;
  /**
   * Finds, before the property runs, data the observation may lack (with the run's requests); a
   * string is the reason to skip the invariant.
   */
  prepare?(ctx: Context): Promise<string | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: each property has its own input tuple.
  property(ctx: Context): fc.IAsyncPropertyWithHooks<any>;
}

/** A broken invariant; its message carries the requests and the offending part of the response. */
export class Violation extends Error {
  override name = "Violation";
}

export function show(x: Exchange): string {
  const body = x.text.length > 600 ? `${x.text.slice(0, 600)}…` : x.text;
  const sent = x.requestBody === undefined ? "" : ` ${x.requestBody.length > 300 ? `${x.requestBody.slice(0, 300)}…` : x.requestBody}`;
  return `${x.method} ${x.url} [${x.auth}]${sent} → ${x.status} ${x.contentType ?? "(no content-type)"}\n  ${body}`;
}

export function violation(message: string, ...exchanges: Exchange[]): Violation {
  return new Violation([message, ...exchanges.map(show)].join("\n"));
}

export function itemsOf(x: Exchange): Batch[] {
  const items = (x.body as { items?: unknown } | undefined)?.items;
  return Array.isArray(items) ? (items as Batch[]) : [];
}

export function tokenOf(x: Exchange): string | undefined {
  return (x.body as { next_page_token?: string | null } | undefined)?.next_page_token || undefined;
}

export interface Traversal {
  pages: Exchange[];
  items: Batch[];
  ids: string[];
}

/**
 * Follows next_page_token from the first page to the last (a missing or empty token, or an empty
 * page). Every page must be a 200, no token may come back twice, and it must end within `maxPages`.
 * With `refusable`, a first page refused with a 4xx ends it quietly (undefined): the query held
 * something a server may refuse under a decided rule another invariant judges.
 */
export async function traverse(target: Target, query: Query, maxPages: number, refusable = false): Promise<Traversal | undefined> {
  const pages: Exchange[] = [];
  const items: Batch[] = [];
  const sent = new Set<string>();
  let token: string | undefined;
  for (;;) {
    const page = await target.get({ ...query, page_token: token });
    pages.push(page);
    if (refusable && pages.length === 1 && page.status >= 400 && page.status < 500) return undefined;
    if (page.status !== 200) throw violation(`a page of the traversal is not a 200 (page ${pages.length})`, page);
    const got = itemsOf(page);
    items.push(...got);
    const next = tokenOf(page);
    if (!next || got.length === 0) return { pages, items, ids: items.map((b) => b.id) };
    if (sent.has(next)) throw violation(`next_page_token ${JSON.stringify(next)} came back a second time: paging would loop`, page);
    if (pages.length >= maxPages) {
      throw violation(`the traversal did not end within ${maxPages} pages (more than the data can fill)`, page);
    }
    sent.add(next);
    token = next;
  }
}

/** `traverse` of a query no server may refuse. */
export async function traverseAll(target: Target, query: Query, maxPages: number): Promise<Traversal> {
  return (await traverse(target, query, maxPages)) as Traversal;
}

/** Pages a traversal of `expected` items at `pageSize` may take, with slack for an empty last page. */
export function pagesFor(expected: number, pageSize: number): number {
  return Math.ceil(expected / pageSize) + 2;
}

/** Does a batch satisfy every filter of a query? (organization_id is not visible on a batch.) */
export function unmetFilter(b: Batch, q: Query): string | undefined {
  if (q.status !== undefined && b.status !== q.status) return `status ${b.status} ≠ ${q.status}`;
  if (q.project_id !== undefined && b.project_id !== q.project_id) return `project_id ${b.project_id} ≠ ${q.project_id}`;
  if (q.source_directory_id !== undefined && b.source_directory_id !== q.source_directory_id) {
    return `source_directory_id ${b.source_directory_id} ≠ ${q.source_directory_id}`;
  }
  const bound = (name: "created_at_on_or_after" | "created_at_on_or_before") => {
    const text = q[name];
    const parsed = text === undefined ? undefined : parseDateTime(String(text));
    return parsed?.ok ? parsed.instant : undefined;
  };
  const after = bound("created_at_on_or_after");
  const before = bound("created_at_on_or_before");
  if (after || before) {
    const t = createdAt(b);
    if (!t) return "created_at is null but a date bound was given";
    if (after && compareInstants(t, after) < 0) return `created_at ${b.created_at} is before ${q.created_at_on_or_after}`;
    if (before && compareInstants(t, before) > 0) return `created_at ${b.created_at} is after ${q.created_at_on_or_before}`;
  }
  return undefined;
}

export function sameSequence(a: readonly string[], b: readonly string[]): string | undefined {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i])
      return `they differ at position ${i}: ${a[i] ?? "(end)"} vs ${b[i] ?? "(end)"} (lengths ${a.length} and ${b.length})`;
  }
  return undefined;
}

/** What `got` lacks of `expected`, and what it holds beyond it; undefined when they hold the same ids. */
export function sameSet(
  expected: readonly string[],
  got: readonly string[],
  label = { missing: "missing", extra: "unexpected" },
): string | undefined {
  const want = new Set(expected);
  const have = new Set(got);
  const missing = expected.filter((id) => !have.has(id));
  const extra = got.filter((id) => !want.has(id));
  if (missing.length === 0 && extra.length === 0) return undefined;
  const list = (ids: string[]) => `${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ` (+${ids.length - 5} more)` : ""}`;
  return [missing.length ? `${label.missing}: ${list(missing)}` : "", extra.length ? `${label.extra}: ${list(extra)}` : ""]
    .filter(Boolean)
    .join("; ");
}

/**
 * Whether a batch's membership under `filter` could not have changed since the observation: true
 * unless the filter names a status and the batch was not yet in a final status (it may have moved
 * on since, out of one status set and into another). Batches the observation did not see are
 * judged as they show.
 */
export function settledUnder(ctx: Context, id: string, filter: Query): boolean {
  if (filter.status === undefined) return true;
  const seen = ctx.observedById.get(id);
  return seen !== undefined && ctx.finalStatuses.has(seen.status);
}

/** Windows of the observed data (the invariants that use them declare `needs: "pages"`). */
export function windows(ctx: Context): fc.Arbitrary<Window> {
  const arb = windowArb(ctx.observed);
  if (!arb) throw new Error("not enough data for windows");
  return arb;
}

export const windowQuery = (w: Pick<Window, "after" | "before">): Query => ({
  created_at_on_or_after: w.after,
  created_at_on_or_before: w.before,
});

/**
 * The query pinned to what existed before the run: its upper date bound is at most the horizon, so
 * that batches created while the suite runs cannot make two answers differ.
 */
export function pinned(ctx: Context, q: Query): Query {
  const before = q.created_at_on_or_before === undefined ? undefined : parseDateTime(String(q.created_at_on_or_before));
  if (before?.ok && compareInstants(before.instant, ctx.observed.horizon) <= 0) return q;
  return { ...q, created_at_on_or_before: ctx.observed.horizonText };
}
