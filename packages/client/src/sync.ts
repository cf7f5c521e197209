import { BatchesError } from "./errors.js";
import { MAX_PAGE_SIZE } from "./generated/constants.js";
import { parseJson } from "./internal/json.js";
import { compareDateTimes } from "./order.js";
import type { PagePromise, RequestOptions } from "./pagination.js";
import type { Batch, ListBatchesParams } from "./types.js";

export interface SyncParams extends Omit<ListBatchesParams, "created_at_on_or_after" | "page_token"> {
  /** The watermark: the last checkpoint's, or where to start (an RFC 3339 date-time or a `Date`). */
  since: string | Date;
  /** How far before `since` to read again, in ms (default 24 h), so that recent batches' status changes are seen. */
  lookback?: number | undefined;
  /** The last checkpoint's `resumeToken`, after a run that did not finish. Opaque. */
  resumeToken?: string | null | undefined;
}

/** What to persist: start the next run with `since: watermark` (and `resumeToken` when not null). */
export interface SyncCheckpoint {
  watermark: string;
  /** Not null while the run is unfinished: pass it back, with the same filters, to resume where it stopped. */
  resumeToken: string | null;
}

export type SyncEvent = { type: "batch"; batch: Batch } | { type: "checkpoint"; checkpoint: SyncCheckpoint };

type List = (query: ListBatchesParams, options?: RequestOptions) => PagePromise;

/**
 * An incremental read (see README, Sync). Lists from `since − lookback`, rounded down to the second,
 * and yields each batch once per run, with a checkpoint after every page. A checkpoint's watermark
 * moves only at the end of a run, to the newest `created_at` seen: a run stopped half-way and
 * started again from its watermark alone reads everything again, never less.
 */
export async function* sync(list: List, params: SyncParams, options?: RequestOptions): AsyncGenerator<SyncEvent, void, undefined> {
  const { since, lookback = 86_400_000 /* 24 h */, resumeToken, ...filters } = params;
  // An invalid Date's toJSON() is null; an out-of-range lower bound is an invalid Date too.
  const start = typeof since === "string" ? since : (since.toJSON() ?? "");
  const fromMs = Date.parse(start) - lookback;
  // A date-time without an offset would be read in this machine's time zone: a watermark must name an instant.
  if (!(lookback >= 0) || Number.isNaN(new Date(fromMs).getTime()) || !/(z|[+-]\d\d:\d\d)$/i.test(start)) {
    throw new BatchesError("sync: bad since (an RFC 3339 date-time with an offset, or a Date) or lookback");
  }
  // The query's lower bound, the next page's token, the newest created_at seen before the resume.
  const [from, pageToken, newest] = resumeToken ? decode(resumeToken) : [floorToSecond(fromMs), undefined, start];
  let watermark = later(start, newest);
  const seen = new Set<string>();
  // The largest page the spec allows, what warehouse connectors page with; a caller's `page_size` wins.
  const query: ListBatchesParams = { page_size: MAX_PAGE_SIZE, ...filters, created_at_on_or_after: from };
  if (pageToken) query.page_token = pageToken;
  for await (const page of list(query, options).iterPages()) {
    for (const batch of page.items) {
      if (batch.created_at) watermark = later(watermark, batch.created_at);
      if (seen.has(batch.id)) continue;
      seen.add(batch.id);
      yield { type: "batch", batch };
    }
    // A next page means a token: the run can resume there.
    if (page.hasNextPage()) {
      yield { type: "checkpoint", checkpoint: { watermark: start, resumeToken: JSON.stringify([from, page.next_page_token, watermark]) } };
    }
  }
  yield { type: "checkpoint", checkpoint: { watermark, resumeToken: null } };
}

const later = (a: string, b: string): string => (compareDateTimes(a, b) < 0 ? b : a);

/** Down to the whole second, so that a server comparing coarser than we do skips no row. */
const floorToSecond = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString();

function decode(token: string): [string, string, string] {
  const parts = parseJson(token);
  if (Array.isArray(parts) && parts.length === 3 && parts.every((p) => typeof p === "string")) return parts as [string, string, string];
  throw new BatchesError("sync: bad resumeToken");
}
