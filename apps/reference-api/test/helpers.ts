/**
 * Plumbing the reference API's test files share: starting a server for a file, sending a request,
 * reading a page, following page tokens, and one model of what a list request must return.
 *
 * The model reads only the raw batches (`store.all()`) and the keys: were it to reuse the server's
 * filtering, ordering or scope bookkeeping, a bug there would sit on both sides of every comparison.
 */
import type { Batch, BatchStatus } from "@llama-batches/client";
import { compareInstants, getSpec, type Instant, instantOf } from "@llama-batches/spec";
import fc from "fast-check";
import { afterAll, beforeAll, expect } from "vitest";
import { type ApiKey, type RunningReferenceApi, type Scope, type StartReferenceApiOptions, startReferenceApi } from "../src/index.js";

export const LIST = "/api/v2/batches";
/** The spec's statuses and default page size: read from the spec package, never copied here. */
export const STATUSES = getSpec().enumOf("BatchStatus") as readonly BatchStatus[];
/** The spec's default page_size: what a page may hold when the query names none. */
const DEFAULT_PAGE_SIZE = getSpec().operation("listBatches").pageSize?.default;
export const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// fast-check

const FC_SEED = process.env.FAST_CHECK_SEED === undefined ? undefined : Number(process.env.FAST_CHECK_SEED);

/** vitest.config.ts sets one seed for the whole run, so any failing property replays with FAST_CHECK_SEED. */
export function fcOptions(numRuns: number): { numRuns: number; seed?: number } {
  return { numRuns, ...(FC_SEED === undefined ? {} : { seed: FC_SEED }) };
}

/** `arbitrary`, or undefined `nilWeight` times as often: most generated queries should leave most filters out. */
export function maybe<T>(arbitrary: fc.Arbitrary<T>, nilWeight: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: nilWeight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

// ---------------------------------------------------------------------------------------------
// A server per test file

/** A started server and what the tests know of its data without asking it. */
export interface Suite {
  readonly api: RunningReferenceApi;
  /** `store.all()` at start: the raw data the model filters. */
  readonly data: Batch[];
  /** Project → organization, read from the keys: see `organizationsOf`. */
  readonly organizationOf: ReadonlyMap<string, string>;
  readonly orgKeys: ApiKey[];
  readonly projectKeys: ApiKey[];
}

/**
 * Starts a server before the file's tests and stops it after them. The fields are read lazily, so
 * they can be named at the top of a file; reading one before the start fails loudly instead of
 * handing a test `undefined`. Later `beforeAll` hooks of the file see it started (vitest runs them in order).
 */
export function useReferenceApi(options: StartReferenceApiOptions): Suite {
  let api: RunningReferenceApi | undefined;
  let known: Suite | undefined;
  beforeAll(async () => {
    api = await startReferenceApi(options);
    known = {
      api,
      data: api.store.all(),
      organizationOf: organizationsOf(api),
      orgKeys: api.apiKeys.filter((k) => k.project_id === null),
      projectKeys: api.apiKeys.filter((k) => k.project_id !== null),
    };
  });
  afterAll(async () => {
    await api?.stop();
  });
  const started = (): Suite => {
    if (!known) throw new Error("server not started");
    return known;
  };
  return {
    get api() {
      return started().api;
    },
    get data() {
      return started().data;
    },
    get organizationOf() {
      return started().organizationOf;
    },
    get orgKeys() {
      return started().orgKeys;
    },
    get projectKeys() {
      return started().projectKeys;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Requests

/** Query parameters; undefined ones are left out, so optional filters can be spread in as they are. */
export type Query = Readonly<Record<string, string | number | undefined>>;

/** The list path with `params`; pairs keep their order and repeats, for tests of repeated parameters. */
export function listPath(params: Query | readonly (readonly [string, string])[] = {}): string {
  const search = new URLSearchParams();
  const entries = Array.isArray(params) ? params : Object.entries(params);
  for (const [name, value] of entries) if (value !== undefined) search.append(name, String(value));
  const text = search.toString();
  return text ? `${LIST}?${text}` : LIST;
}

export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

export interface Reply {
  status: number;
  headers: Headers;
  /** The parsed JSON, or the raw text when it is not JSON, so that an assertion on it prints it. */
  body: unknown;
  json: boolean;
}

/** One request. Never throws on what the server answers: each test decides what it requires of the reply. */
export async function send(
  api: RunningReferenceApi,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const res = await fetch(`${api.url}${path}`, {
    method: init.method ?? "GET",
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await res.text();
  try {
    return { status: res.status, headers: res.headers, body: JSON.parse(text), json: true };
  } catch {
    return { status: res.status, headers: res.headers, body: text, json: false };
  }
}

export function getList(api: RunningReferenceApi, headers: Record<string, string>, params: Query = {}): Promise<Reply> {
  return send(api, listPath(params), { headers });
}

/** A 200 body. `next_page_token` may be null in the spec; the server leaves it out, which some tests check. */
export interface Page {
  items: Batch[];
  next_page_token?: string | null;
}

/** A 200 reply, checked to be the JSON list body the spec describes. */
export function asPage(reply: Reply): Page {
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  expect(reply.headers.get("content-type") ?? "").toMatch(/^application\/json\b/);
  expect(reply.json, String(reply.body).slice(0, 200)).toBe(true);
  const page = reply.body as Page;
  expect(Array.isArray(page.items)).toBe(true);
  return page;
}

/** A page of the list that also holds no more than the page_size asked for (or the default). */
export async function getPage(api: RunningReferenceApi, headers: Record<string, string>, params: Query = {}): Promise<Page> {
  const page = asPage(await getList(api, headers, params));
  expect(page.items.length, listPath(params)).toBeLessThanOrEqual(Number(params.page_size ?? DEFAULT_PAGE_SIZE));
  return page;
}

export interface Traversal {
  /** page_size of the i-th request (from 0), for traversals that change it as they go. */
  pageSize?: (index: number) => number;
  /** Runs after each page that has a successor, before the successor is fetched: where a test changes the data. */
  between?: (page: Page) => void;
  /** No page_size check, for servers broken on purpose whose test states what it expects of page sizes. */
  anySize?: boolean;
}

/**
 * Every page of a query, following next_page_token until a page comes without one; an empty page
 * with a token is followed too, so a server that never ends fails here instead of passing as done.
 */
export async function traverse(
  api: RunningReferenceApi,
  headers: Record<string, string>,
  params: Query,
  options: Traversal = {},
): Promise<Page[]> {
  const pages: Page[] = [];
  let token: string | undefined;
  // One page per batch is the most a correct server needs (page_size 1), plus the last one.
  for (let index = 0; index <= api.store.size + 1; index++) {
    const request = { ...params, ...(options.pageSize ? { page_size: options.pageSize(index) } : {}), page_token: token };
    const page = options.anySize ? asPage(await getList(api, headers, request)) : await getPage(api, headers, request);
    pages.push(page);
    if (!page.next_page_token) return pages;
    token = page.next_page_token;
    options.between?.(page);
  }
  throw new Error(`the traversal of ${listPath(params)} never ended`);
}

export const itemsOf = (pages: readonly Page[]): Batch[] => pages.flatMap((p) => p.items);
export const ids = (batches: readonly Batch[]): string[] => batches.map((b) => b.id);

/** `instant` in RFC 3339 at a UTC offset in minutes; the spellings are the ones the spec's date-time lets through. */
export function rfc3339(instant: number, offsetMinutes: number, spelling: "Z" | "z" | "+00:00" | "-00:00" | "micro" = "Z"): string {
  const local = new Date(instant + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const written = spelling === "micro" ? `${local}000` : spelling === "z" ? local.replace("T", "t") : local;
  if (offsetMinutes !== 0) {
    const abs = Math.abs(offsetMinutes);
    return `${written}${offsetMinutes < 0 ? "-" : "+"}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  }
  return spelling === "+00:00" || spelling === "-00:00" ? `${written}${spelling}` : `${written}${spelling === "z" ? "z" : "Z"}`;
}

// ---------------------------------------------------------------------------------------------
// The model: our own reading of the spec

/**
 * Project → organization, read from the keys (each project has a project-scoped key) rather than
 * from the store, whose mapping is what the server's scope checks use.
 */
export function organizationsOf(api: RunningReferenceApi): Map<string, string> {
  const organizationOf = new Map(api.apiKeys.flatMap((k) => (k.project_id === null ? [] : [[k.project_id, k.organization_id] as const])));
  for (const b of api.store.all()) {
    if (!organizationOf.has(b.project_id)) throw new Error(`batch ${b.id} is in a project no key names`);
  }
  return organizationOf;
}

/** A batch without created_at sorts as the oldest. (Milliseconds: for tests on millisecond data.) */
export const createdMs = (b: Batch): number => (b.created_at == null ? Number.NEGATIVE_INFINITY : Date.parse(b.created_at));

/** An instant in ms, or a date-time string, as the exact instant it names. */
function exactly(t: number | string): Instant {
  if (typeof t === "string") return instantOf(t);
  const seconds = Math.floor(t / 1000);
  return {
    seconds,
    fraction: String(t - seconds * 1000)
      .padStart(3, "0")
      .replace(/0+$/, ""),
  };
}

/** The documented order: created_at descending to the last fraction digit (undated last), then id descending. */
export function apiOrder(a: Batch, b: Batch): number {
  if (a.created_at != null && b.created_at != null) {
    const c = compareInstants(instantOf(b.created_at), instantOf(a.created_at));
    if (c !== 0) return c;
  } else if (a.created_at != null || b.created_at != null) {
    return a.created_at == null ? 1 : -1;
  }
  return a.id === b.id ? 0 : a.id > b.id ? -1 : 1;
}

export function visibleTo(organizationOf: ReadonlyMap<string, string>, scope: Scope, b: Batch): boolean {
  return organizationOf.get(b.project_id) === scope.organization_id && (scope.project_id === null || b.project_id === scope.project_id);
}

/** The filters of a list query, as sent. */
export type Filters = {
  status?: BatchStatus | undefined;
  organization_id?: string | undefined;
  project_id?: string | undefined;
  source_directory_id?: string | undefined;
  created_at_on_or_after?: string | undefined;
  created_at_on_or_before?: string | undefined;
};

/** A whole list query, as sent. */
export type ListQuery = Filters & { page_size?: number | undefined; page_token?: string | undefined };

/**
 * Filters as the model takes them: the date bounds as the instants they mean (ms, or a date-time
 * read to its last fraction digit), which a test may know better than the server.
 */
export type Expectation = Omit<Filters, "created_at_on_or_after" | "created_at_on_or_before"> & {
  after?: number | string | undefined;
  before?: number | string | undefined;
};

/** The date bounds as sent. */
export function expectationOf({ created_at_on_or_after, created_at_on_or_before, ...rest }: Filters): Expectation {
  return { ...rest, after: created_at_on_or_after, before: created_at_on_or_before };
}

/** What `scope` must get from `batches` for `filters`, in API order: inclusive date bounds, which no undated batch meets. */
export function expectedBatches(
  batches: readonly Batch[],
  organizationOf: ReadonlyMap<string, string>,
  scope: Scope,
  filters: Expectation = {},
): Batch[] {
  const after = filters.after === undefined ? undefined : exactly(filters.after);
  const before = filters.before === undefined ? undefined : exactly(filters.before);
  return batches
    .filter((b) => {
      if (!visibleTo(organizationOf, scope, b)) return false;
      if (filters.organization_id !== undefined && organizationOf.get(b.project_id) !== filters.organization_id) return false;
      if (filters.project_id !== undefined && b.project_id !== filters.project_id) return false;
      if (filters.source_directory_id !== undefined && b.source_directory_id !== filters.source_directory_id) return false;
      if (filters.status !== undefined && b.status !== filters.status) return false;
      if (after !== undefined || before !== undefined) {
        if (b.created_at == null) return false;
        if (after !== undefined && compareInstants(instantOf(b.created_at), after) < 0) return false;
        if (before !== undefined && compareInstants(instantOf(b.created_at), before) > 0) return false;
      }
      return true;
    })
    .sort(apiOrder);
}
