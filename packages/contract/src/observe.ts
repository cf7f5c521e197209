import type { Batch } from "@llama-batches/client";
import type { Target } from "./target.js";

/** What the server's own data looks like: the values properties draw from, so they bite on any data. */
export interface Observed {
  /** A prefix of the unfiltered traversal, in the server's order. */
  batches: Batch[];
  /** True when the traversal reached its end (the sample is all the data the key sees). */
  complete: boolean;
  statuses: string[];
  projectIds: string[];
  directoryIds: string[];
  /** Distinct created_at values of the sample, in traversal order. */
  timestamps: string[];
}

export async function observe(target: Target, options: { pageSize: number; maxPages: number }): Promise<Observed> {
  const batches: Batch[] = [];
  let token: string | undefined;
  let complete = false;
  for (let page = 0; page < options.maxPages; page++) {
    const res = await target.get({ page_size: options.pageSize, page_token: token });
    if (res.status !== 200) {
      throw new Error(`cannot read the server's data: GET ${res.url} → ${res.status} ${res.text.slice(0, 300)}`);
    }
    const body = res.body as { items?: Batch[]; next_page_token?: string | null };
    const items = Array.isArray(body.items) ? body.items : [];
    batches.push(...items);
    const next = body.next_page_token ?? undefined;
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
    timestamps: distinct(batches.flatMap((b) => (b.created_at ? [b.created_at] : []))),
  };
}
