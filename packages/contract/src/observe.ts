import type { Batch } from "@llama-batches/client";
import { compareInstants, formatInstant, type Instant, parseDateTime } from "@llama-batches/spec";
import type { Target } from "./target.js";

/**
 * What the server's own data looks like before the properties run: the values they draw from, so
 * that they bite on any data, and what of it cannot change while the run goes on.
 */
export interface Observed {
  /**
   * A prefix of the traversal of every batch created up to the horizon (the only filter), in the
   * server's order, each batch once.
   */
  batches: Batch[];
  /** True when the traversal reached its end (the sample is all the data the key sees). */
  complete: boolean;
  statuses: string[];
  projectIds: string[];
  directoryIds: string[];
  /** Distinct created_at values of the sample, as the server wrote them, in traversal order. */
  timestamps: string[];
  /**
   * Batches created after this instant may be created during the run: every comparison of two
   * answers stays at or before it (`created_at_on_or_before`). The server's clock (its `Date`
   * header) at the first page, less a margin for clocks that disagree.
   */
  horizon: Instant;
  /** The horizon as a date-time to send. */
  horizonText: string;
  /**
   * The direction of created_at in the sample, when it has one. With a monotone order, the batches
   * of a window strictly inside the sample are all in it, even when the sample is a prefix.
   */
  monotone: "descending" | "ascending" | undefined;
}

/** How far before the server's clock a batch must have been created to count as existing before the run. */
export const HORIZON_MARGIN_S = 120;

export async function observe(target: Target, options: { pageSize: number; maxPages: number }): Promise<Observed> {
  // The server's clock first: the sample is read up to the horizon, so that batches created while
  // the run goes on (at the top of a newest-first list) never crowd out the data that is stable.
  const probe = await target.get({ page_size: 1 });
  if (probe.status !== 200) {
    throw new Error(`cannot read the server's data: GET ${probe.url} → ${probe.status} ${probe.text.slice(0, 300)}`);
  }
  const serverNow = probe.date && !Number.isNaN(Date.parse(probe.date)) ? Date.parse(probe.date) : Date.now();
  const horizonSeconds = Math.floor(serverNow / 1000) - HORIZON_MARGIN_S;
  const horizonText = formatInstant({ seconds: horizonSeconds, fraction: "" });
  const batches: Batch[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  let complete = false;
  for (let page = 0; page < options.maxPages; page++) {
    const res = await target.get({ created_at_on_or_before: horizonText, page_size: options.pageSize, page_token: token });
    if (res.status !== 200) {
      throw new Error(`cannot read the server's data: GET ${res.url} → ${res.status} ${res.text.slice(0, 300)}`);
    }
    const body = res.body as { items?: Batch[]; next_page_token?: string | null };
    const items = Array.isArray(body.items) ? body.items : [];
    for (const b of items) {
      if (b && typeof b.id === "string" && !seen.has(b.id)) {
        seen.add(b.id);
        batches.push(b);
      }
    }
    const next = body.next_page_token || undefined;
    if (!next || items.length === 0 || next === token) {
      complete = !next || items.length === 0;
      break;
    }
    token = next;
  }
  const distinct = <T>(xs: T[]) => [...new Set(xs)];
  return {
    batches,
    complete,
    statuses: distinct(batches.map((b) => b.status)),
    projectIds: distinct(batches.map((b) => b.project_id)),
    directoryIds: distinct(batches.map((b) => b.source_directory_id)),
    timestamps: distinct(batches.flatMap((b) => (b.created_at && parseDateTime(b.created_at).ok ? [b.created_at] : []))),
    horizon: { seconds: horizonSeconds, fraction: "" },
    horizonText,
    monotone: directionOf(batches),
  };
}

/** The instant of a batch's created_at, or undefined when it has none (or an unreadable one). */
export function createdAt(b: Batch): Instant | undefined {
  if (!b.created_at) return undefined;
  const parsed = parseDateTime(b.created_at);
  return parsed.ok ? parsed.instant : undefined;
}

function directionOf(batches: readonly Batch[]): Observed["monotone"] {
  let down = true;
  let up = true;
  let previous: Instant | undefined;
  for (const b of batches) {
    const at = createdAt(b);
    if (!at) return undefined;
    if (previous) {
      const c = compareInstants(previous, at);
      if (c < 0) down = false;
      if (c > 0) up = false;
    }
    previous = at;
  }
  return down ? "descending" : up ? "ascending" : undefined;
}
