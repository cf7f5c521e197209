import type { Batch } from "@llama-batches/client";
import type fc from "fast-check";
import { type Query, type Window, windowArb } from "../arbitraries.js";
import type { Observed } from "../observe.js";
import type { OperationModel } from "../operation.js";
import type { SchemaErrors } from "../spec.js";
import type { Exchange, Target } from "../target.js";

export interface Context {
  target: Target;
  model: OperationModel;
  validate: (schemaName: string, value: unknown) => SchemaErrors;
  observed: Observed;
}

export type Profile = "contract" | "full";

export interface Invariant {
  id: string;
  title: string;
  /** The smallest profile that runs it: `contract` ones also run in `full`. */
  profile: Profile;
  /** What the server must have for the property to bite; without it the invariant is skipped. */
  needs?: "data" | "pages";
  /** Runs relative to --runs: properties that traverse many pages run fewer times. */
  weight?: number;
  // biome-ignore lint/suspicious/noExplicitAny: each property has its own input tuple.
  property(ctx: Context): fc.IAsyncPropertyWithHooks<any>;
}

/** A broken invariant; its message carries the requests and the offending part of the response. */
export class Violation extends Error {
  override name = "Violation";
}

export function show(x: Exchange): string {
  const body = x.text.length > 600 ? `${x.text.slice(0, 600)}…` : x.text;
  return `GET ${x.url} [${x.auth}] → ${x.status} ${x.contentType ?? "(no content-type)"}\n  ${body}`;
}

export function violation(message: string, ...exchanges: Exchange[]): Violation {
  return new Violation([message, ...exchanges.map(show)].join("\n"));
}

export function itemsOf(x: Exchange): Batch[] {
  const items = (x.body as { items?: unknown } | undefined)?.items;
  return Array.isArray(items) ? (items as Batch[]) : [];
}

export function tokenOf(x: Exchange): string | undefined {
  return (x.body as { next_page_token?: string | null } | undefined)?.next_page_token ?? undefined;
}

export interface Traversal {
  pages: Exchange[];
  items: Batch[];
  ids: string[];
}

/**
 * Follows next_page_token from the first page to the last (a missing token or an empty page).
 * Every page must be a 200, no token may come back twice, and it must end within `maxPages`.
 */
export async function traverse(target: Target, query: Query, maxPages: number): Promise<Traversal> {
  const pages: Exchange[] = [];
  const items: Batch[] = [];
  const sent = new Set<string>();
  let token: string | undefined;
  for (;;) {
    const page = await target.get({ ...query, page_token: token });
    pages.push(page);
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
  const after = q.created_at_on_or_after === undefined ? undefined : Date.parse(String(q.created_at_on_or_after));
  const before = q.created_at_on_or_before === undefined ? undefined : Date.parse(String(q.created_at_on_or_before));
  if (after !== undefined || before !== undefined) {
    if (!b.created_at) return "created_at is null but a date bound was given";
    const t = Date.parse(b.created_at);
    if (after !== undefined && t < after) return `created_at ${b.created_at} is before ${q.created_at_on_or_after}`;
    if (before !== undefined && t > before) return `created_at ${b.created_at} is after ${q.created_at_on_or_before}`;
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

/** Windows of the observed data (the invariants that use them declare `needs: "pages"`). */
export function windows(ctx: Context) {
  const arb = windowArb(ctx.observed);
  if (!arb) throw new Error("not enough data for windows");
  return arb;
}

export const windowQuery = (w: Pick<Window, "after" | "before">): Query => ({
  created_at_on_or_after: w.after,
  created_at_on_or_before: w.before,
});
