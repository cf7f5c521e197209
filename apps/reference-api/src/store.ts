import type { Batch, BatchStatus } from "@llama-batches/client";
import { type At, atOf, compareAt, NO_DATE } from "./instants.js";
import type { Project } from "./model.js";

/**
 * A position in the documented total order: `created_at` descending (to the microsecond), then
 * `id` descending. `s`/`us` are the created_at instant (see `At`).
 */
export interface Cursor extends At {
  id: string;
}

interface Row extends Cursor {
  batch: Batch;
  organization_id: string;
}

export interface StoreQuery {
  organization_id: string;
  project_id?: string | undefined;
  source_directory_id?: string | undefined;
  status?: BatchStatus | undefined;
  /** Inclusive bounds on created_at. */
  createdOnOrAfter?: At | undefined;
  createdOnOrBefore?: At | undefined;
  /** Start strictly after this position. */
  after?: Cursor | undefined;
  limit: number;
}

export interface StorePage {
  items: Batch[];
  /** Position of the last item, when more items follow it. */
  next?: Cursor | undefined;
}

/** Where a batch stands in the order; its created_at string is kept as given, only read. */
export function positionOf(batch: Batch): Cursor {
  if (batch.created_at == null) return { ...NO_DATE, id: batch.id };
  try {
    return { ...atOf(batch.created_at), id: batch.id };
  } catch {
    throw new Error(`batch ${batch.id} has an invalid created_at`);
  }
}

/** What the list endpoint needs of the data: a page of a query, and whose a project is. */
export interface BatchQueries {
  query(q: StoreQuery): StorePage;
  organizationOf(projectId: string): string | undefined;
}

/** The order itself: negative when `a` comes first. */
export function compareCursors(a: Cursor, b: Cursor): number {
  const at = compareAt(b, a);
  if (at !== 0) return at;
  return a.id === b.id ? 0 : a.id > b.id ? -1 : 1;
}

/** First index whose row comes strictly after `cursor` in the order. */
function firstAfter(rows: readonly Row[], cursor: Cursor): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareCursors(rows[mid] as Row, cursor) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose row was created at or before `at`. */
function firstAtOrBefore(rows: readonly Row[], at: At): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareAt(rows[mid] as Row, at) > 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * In-memory batches, kept sorted in the API's order in several indexes (per organization, project
 * and source directory, each with and without status). A page is a binary search to its start and
 * a scan of the most selective index, so a deep page costs what the first page costs, and a
 * selective filter does not scan what it filters out.
 */
export class BatchStore implements BatchQueries {
  readonly #rows = new Map<string, Row>();
  readonly #indexes = new Map<string, Row[]>();
  readonly #organizationOf = new Map<string, string>();

  constructor(projects: readonly Project[] = [], batches: readonly Batch[] = []) {
    for (const p of projects) this.#organizationOf.set(p.id, p.organization_id);
    // Bulk load: sort once instead of inserting one by one.
    const rows = batches.map((b) => this.#row(b));
    rows.sort(compareCursors);
    for (const row of rows) {
      if (this.#rows.has(row.id)) throw new Error(`duplicate batch id ${row.id}`);
      this.#rows.set(row.id, row);
      for (const key of this.#keys(row)) this.#index(key).push(row);
    }
  }

  get size(): number {
    return this.#rows.size;
  }

  get(id: string): Batch | undefined {
    return this.#rows.get(id)?.batch;
  }

  /** Every batch, in the API order (for tests). */
  all(): Batch[] {
    return [...this.#rows.values()].sort(compareCursors).map((r) => r.batch);
  }

  organizationOf(projectId: string): string | undefined {
    return this.#organizationOf.get(projectId);
  }

  insert(batch: Batch): Batch {
    if (this.#rows.has(batch.id)) throw new Error(`batch ${batch.id} already exists`);
    const row = this.#row(batch);
    this.#rows.set(row.id, row);
    for (const key of this.#keys(row)) this.#add(key, row);
    return batch;
  }

  /** Changes what may change: status, updated_at, results. The order's keys never move. */
  update(id: string, patch: Partial<Pick<Batch, "status" | "updated_at" | "results">>): Batch {
    const row = this.#rows.get(id);
    if (!row) throw new Error(`no batch ${id}`);
    const immutable = Object.keys(patch).filter((k) => !["status", "updated_at", "results"].includes(k));
    if (immutable.length > 0) throw new Error(`cannot change ${immutable.join(", ")} of a batch`);
    const before = this.#keys(row);
    row.batch = { ...row.batch, ...patch };
    const after = this.#keys(row);
    for (const key of before) if (!after.includes(key)) this.#remove(key, row);
    for (const key of after) if (!before.includes(key)) this.#add(key, row);
    return row.batch;
  }

  query(q: StoreQuery): StorePage {
    const rows = this.#indexFor(q);
    let start = q.createdOnOrBefore === undefined ? 0 : firstAtOrBefore(rows, q.createdOnOrBefore);
    if (q.after) start = Math.max(start, firstAfter(rows, q.after));
    const items: Row[] = [];
    let more = false;
    for (let i = start; i < rows.length; i++) {
      const row = rows[i] as Row;
      if (q.createdOnOrAfter !== undefined && compareAt(row, q.createdOnOrAfter) < 0) break;
      if (!this.#matches(row, q)) continue;
      if (items.length === q.limit) {
        more = true;
        break;
      }
      items.push(row);
    }
    const last = items[items.length - 1];
    return {
      items: items.map((r) => r.batch),
      next: more && last ? { s: last.s, us: last.us, id: last.id } : undefined,
    };
  }

  #row(batch: Batch): Row {
    const organization_id = this.#organizationOf.get(batch.project_id);
    if (!organization_id) throw new Error(`batch ${batch.id} is in unknown project ${batch.project_id}`);
    return { batch, ...positionOf(batch), organization_id };
  }

  #keys(row: Row): string[] {
    const s = row.batch.status;
    const { project_id: p, source_directory_id: d } = row.batch;
    return [`o:${row.organization_id}`, `o:${row.organization_id}|${s}`, `p:${p}`, `p:${p}|${s}`, `d:${d}`, `d:${d}|${s}`];
  }

  #indexFor(q: StoreQuery): readonly Row[] {
    const status = q.status ? `|${q.status}` : "";
    const key = q.source_directory_id
      ? `d:${q.source_directory_id}${status}`
      : q.project_id
        ? `p:${q.project_id}${status}`
        : `o:${q.organization_id}${status}`;
    return this.#indexes.get(key) ?? [];
  }

  #matches(row: Row, q: StoreQuery): boolean {
    const b = row.batch;
    if (row.organization_id !== q.organization_id) return false;
    if (q.project_id !== undefined && b.project_id !== q.project_id) return false;
    if (q.source_directory_id !== undefined && b.source_directory_id !== q.source_directory_id) return false;
    if (q.status !== undefined && b.status !== q.status) return false;
    if ((q.createdOnOrAfter !== undefined || q.createdOnOrBefore !== undefined) && row.s === NO_DATE.s) return false;
    if (q.createdOnOrBefore !== undefined && compareAt(row, q.createdOnOrBefore) > 0) return false;
    return true;
  }

  #index(key: string): Row[] {
    let index = this.#indexes.get(key);
    if (!index) {
      index = [];
      this.#indexes.set(key, index);
    }
    return index;
  }

  #add(key: string, row: Row): void {
    const index = this.#index(key);
    index.splice(firstAfter(index, row), 0, row);
  }

  #remove(key: string, row: Row): void {
    const index = this.#indexes.get(key);
    if (!index) return;
    const at = firstAfter(index, row) - 1;
    if (index[at] === row) index.splice(at, 1);
  }
}
