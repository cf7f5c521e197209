import type { Batch, BatchStatus } from "@llama-batches/client";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ApiKey, type RunningReferenceApi, type Scope, startReferenceApi } from "../src/index.js";

const LIST = "/api/v2/batches";
const STATUSES: readonly BatchStatus[] = ["PENDING", "THROTTLED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"];
const DAY = 86_400_000;

interface PageBody {
  items: Batch[];
  next_page_token?: string | null;
}

/** A date bound: how it is written in the query, and the instant it means (computed by us). */
interface Bound {
  text: string;
  ms: number;
}

interface Filters {
  status?: BatchStatus | undefined;
  organization_id?: string | undefined;
  project_id?: string | undefined;
  source_directory_id?: string | undefined;
  after?: Bound | undefined;
  before?: Bound | undefined;
}

let api: RunningReferenceApi | undefined;
let data: Batch[];
let organizationOf: Map<string, string>;
let orgKeys: ApiKey[];
let projectKeys: ApiKey[];

beforeAll(async () => {
  api = await startReferenceApi({ port: 0, seed: 9, size: 500 });
  data = api.store.all();
  organizationOf = new Map(
    api.apiKeys.flatMap((k) => (k.project_id === null ? [] : [[k.project_id, k.organization_id] as const])),
  );
  orgKeys = api.apiKeys.filter((k) => k.project_id === null);
  projectKeys = api.apiKeys.filter((k) => k.project_id !== null);
  for (const b of data) {
    if (b.created_at == null) throw new Error(`batch ${b.id} has no created_at; these tests assume the generated data`);
    if (!organizationOf.has(b.project_id)) throw new Error(`batch ${b.id} is in a project no key names`);
  }
});

afterAll(async () => {
  await api?.stop();
});

function server(): RunningReferenceApi {
  if (!api) throw new Error("server not started");
  return api;
}

const ms = (b: Batch): number => Date.parse(b.created_at ?? "");

/** `ms` written as RFC 3339 with a UTC offset in minutes; `z` alternatives for offset 0. */
function write(instant: number, offsetMinutes: number, style: "Z" | "z" | "+00:00" | "-00:00" | "micro" = "Z"): string {
  const local = new Date(instant + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const abs = Math.abs(offsetMinutes);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  if (offsetMinutes !== 0) return `${style === "micro" ? `${local}000` : local}${offsetMinutes < 0 ? "-" : "+"}${hhmm}`;
  switch (style) {
    case "Z":
      return `${local}Z`;
    case "z":
      return `${local.replace("T", "t")}z`;
    case "micro":
      return `${local}000Z`;
    default:
      return `${local}${style}`;
  }
}

function bound(instant: number, offsetMinutes = 0): Bound {
  return { text: write(instant, offsetMinutes), ms: instant };
}

function queryOf(filters: Filters, extra: { page_size?: number; page_token?: string } = {}): string {
  const search = new URLSearchParams();
  const params: Record<string, string | number | undefined> = {
    status: filters.status,
    organization_id: filters.organization_id,
    project_id: filters.project_id,
    source_directory_id: filters.source_directory_id,
    created_at_on_or_after: filters.after?.text,
    created_at_on_or_before: filters.before?.text,
    ...extra,
  };
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.append(name, String(value));
  const text = search.toString();
  return text ? `${LIST}?${text}` : LIST;
}

async function getPage(key: string, p: string): Promise<PageBody> {
  const res = await fetch(`${server().url}${p}`, { headers: { authorization: `Bearer ${key}` } });
  const body = (await res.json()) as PageBody;
  if (res.status !== 200) throw new Error(`GET ${p} → ${res.status}: ${JSON.stringify(body)}`);
  expect(Array.isArray(body.items)).toBe(true);
  return body;
}

/** Follows tokens to the end; checks no page exceeds `pageSize`; fails on a loop instead of hanging. */
async function traverse(key: string, filters: Filters, pageSize?: number): Promise<Batch[]> {
  const out: Batch[] = [];
  let token: string | undefined;
  for (let pages = 0; pages <= server().store.size + 1; pages++) {
    const body = await getPage(
      key,
      queryOf(filters, {
        ...(pageSize === undefined ? {} : { page_size: pageSize }),
        ...(token === undefined ? {} : { page_token: token }),
      }),
    );
    expect(body.items.length).toBeLessThanOrEqual(pageSize ?? 20);
    out.push(...body.items);
    if (!body.next_page_token || body.items.length === 0) return out;
    token = body.next_page_token;
  }
  throw new Error("the traversal never ended");
}

/** Our own reading of the spec, over the server's data: what `scope` must get, in API order. */
function expected(scope: Scope, f: Filters): string[] {
  return data
    .filter((b) => {
      const organization = organizationOf.get(b.project_id);
      if (organization !== scope.organization_id) return false;
      if (scope.project_id !== null && b.project_id !== scope.project_id) return false;
      if (f.organization_id !== undefined && organization !== f.organization_id) return false;
      if (f.project_id !== undefined && b.project_id !== f.project_id) return false;
      if (f.source_directory_id !== undefined && b.source_directory_id !== f.source_directory_id) return false;
      if (f.status !== undefined && b.status !== f.status) return false;
      if (f.after !== undefined && ms(b) < f.after.ms) return false;
      if (f.before !== undefined && ms(b) > f.before.ms) return false;
      return true;
    })
    .sort((a, b) => (ms(a) !== ms(b) ? ms(b) - ms(a) : a.id === b.id ? 0 : a.id > b.id ? -1 : 1))
    .map((b) => b.id);
}

async function check(key: ApiKey, filters: Filters, pageSize?: number): Promise<string[]> {
  const seen = (await traverse(key.key, filters, pageSize)).map((b) => b.id);
  expect(seen, `${key.key} ${queryOf(filters)}`).toEqual(expected(key, filters));
  return seen;
}

/** `arbitrary`, or undefined `nilWeight` times as often. */
function maybe<T>(arbitrary: fc.Arbitrary<T>, nilWeight: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: nilWeight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

function orgKeyOf(organization: string): ApiKey {
  const key = orgKeys.find((k) => k.organization_id === organization);
  if (!key) throw new Error(`no organization-wide key for ${organization}`);
  return key;
}

describe("each filter alone", () => {
  test("status", async () => {
    for (const key of [...orgKeys, ...projectKeys.slice(0, 2)]) {
      for (const status of STATUSES) expect((await check(key, { status }, 100)).length).toBeGreaterThan(0);
    }
  });

  test("project_id", async () => {
    for (const key of orgKeys) {
      for (const project of organizationOf.keys()) {
        const seen = await check(key, { project_id: project }, 100);
        expect(seen.length > 0).toBe(organizationOf.get(project) === key.organization_id);
      }
    }
  });

  test("organization_id", async () => {
    for (const key of server().apiKeys) {
      for (const organization of new Set(organizationOf.values())) {
        const seen = await check(key, { organization_id: organization }, 100);
        expect(seen.length > 0).toBe(organization === key.organization_id);
      }
    }
  });

  test("source_directory_id, every directory of the data, plus one that does not exist", async () => {
    const directories = new Map(data.map((b) => [b.source_directory_id, organizationOf.get(b.project_id) ?? ""]));
    for (const [directory, organization] of directories) {
      expect((await check(orgKeyOf(organization), { source_directory_id: directory }, 100)).length).toBeGreaterThan(0);
    }
    expect(await check(orgKeys[0] as ApiKey, { source_directory_id: "dir-does-not-exist" }, 100)).toEqual([]);
  });

  test("created_at_on_or_after and created_at_on_or_before, at existing times and 1 ms either side", async () => {
    const key = orgKeys[0] as ApiKey;
    const own = data.filter((b) => organizationOf.get(b.project_id) === key.organization_id);
    for (const b of [own[0], own[7], own[Math.floor(own.length / 2)], own[own.length - 1]]) {
      if (!b) continue;
      for (const delta of [-1, 0, 1]) {
        const at = bound(ms(b) + delta);
        const after = await check(key, { after: at }, 100);
        const before = await check(key, { before: at }, 100);
        // Inclusive bounds: b is on the side(s) its time puts it on.
        expect(after.includes(b.id)).toBe(delta <= 0);
        expect(before.includes(b.id)).toBe(delta >= 0);
      }
    }
    // Bounds beyond the data.
    const newest = Math.max(...data.map(ms));
    const oldest = Math.min(...data.map(ms));
    expect(await check(key, { after: bound(newest + DAY) }, 100)).toEqual([]);
    expect(await check(key, { before: bound(oldest - DAY) }, 100)).toEqual([]);
    expect((await check(key, { after: bound(oldest - DAY), before: bound(newest + DAY) }, 100)).length).toBe(own.length);
  });
});

describe("filters in combination", () => {
  test("any combination of filters drawn from the data, any key and page size (property)", async () => {
    const organizations = [...new Set(organizationOf.values())];
    const projects = [...organizationOf.keys()];
    const directories = [...new Set(data.map((b) => b.source_directory_id))];
    const times = [...new Set(data.map(ms))];
    const instant = fc.oneof(
      { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...times), fc.constantFrom(-1, 0, 0, 0, 1)).map(([t, d]) => t + d) },
      { weight: 1, arbitrary: fc.integer({ min: Math.min(...times) - DAY, max: Math.max(...times) + DAY }) },
    );
    const aBound = fc
      .tuple(instant, fc.constantFrom(0, 0, 60, -300, 330, 345, -570, 840, -720))
      .map(([t, offset]) => bound(t, offset));
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...server().apiKeys),
        fc.record({
          status: maybe(fc.constantFrom(...STATUSES), 1),
          organization_id: maybe(fc.constantFrom(...organizations), 2),
          project_id: maybe(fc.constantFrom(...projects), 1),
          source_directory_id: maybe(fc.constantFrom(...directories), 3),
          after: maybe(aBound, 1),
          before: maybe(aBound, 1),
        }),
        maybe(fc.integer({ min: 3, max: 100 }), 1),
        async (key, filters, pageSize) => {
          if ((await check(key, filters, pageSize)).length > 0) nonEmpty++;
        },
      ),
      { seed: Number(process.env.FAST_CHECK_SEED), numRuns: 80 },
    );
    // Not a vacuous property: a good share of the drawn queries match something.
    expect(nonEmpty).toBeGreaterThan(15);
  });

  test("the filters of an org-wide key narrowed to one project equal the project key's", async () => {
    for (const key of projectKeys) {
      const orgKey = orgKeyOf(key.organization_id);
      for (const status of ["RUNNING", "FAILED"] as const) {
        const viaOrg = await traverse(orgKey.key, { project_id: key.project_id ?? "", status }, 50);
        const viaProject = await traverse(key.key, { status }, 50);
        expect(viaOrg.map((b) => b.id)).toEqual(viaProject.map((b) => b.id));
      }
    }
  });
});

describe("date bounds", () => {
  test("an existing created_at as both bounds returns exactly the batches created at that instant (ties included)", async () => {
    const groups = new Map<number, Batch[]>();
    for (const b of data) groups.set(ms(b), [...(groups.get(ms(b)) ?? []), b]);
    const ties = [...groups.values()].filter((g) => g.length > 1);
    expect(ties.length, "the dataset has deliberate ties").toBeGreaterThan(5);
    let sameOrganizationTies = 0;
    for (const group of [...ties.slice(0, 12), ...[...groups.values()].filter((g) => g.length === 1).slice(0, 3)]) {
      const first = group[0] as Batch;
      const at = bound(ms(first));
      for (const key of server().apiKeys) {
        const seen = await check(key, { after: at, before: at }, 1);
        const want = group
          .filter((b) => organizationOf.get(b.project_id) === key.organization_id)
          .filter((b) => key.project_id === null || b.project_id === key.project_id)
          .map((b) => b.id)
          .sort()
          .reverse();
        expect(seen).toEqual(want);
        if (key.project_id === null && seen.length > 1) sameOrganizationTies++;
      }
    }
    expect(sameOrganizationTies, "some tie is seen whole by one key").toBeGreaterThan(0);
  });

  test("after > before → 200 with an empty list", async () => {
    const key = orgKeys[0] as ApiKey;
    const own = data.filter((b) => organizationOf.get(b.project_id) === key.organization_id);
    const a = own[3] as Batch;
    const b = own[40] as Batch;
    for (const [after, before] of [
      [ms(a), ms(b)],
      [ms(b) + 1, ms(b)],
      [ms(a) + DAY, ms(a) - DAY],
    ] as const) {
      const body = await getPage(key.key, queryOf({ after: bound(after), before: bound(before) }, { page_size: 100 }));
      expect(body.items).toEqual([]);
      expect(body.next_page_token ?? undefined).toBeUndefined();
      expect(await check(key, { after: bound(after), before: bound(before) })).toEqual([]);
    }
  });

  test("the same instant written with another UTC offset gives the same result", async () => {
    const key = orgKeys[1] as ApiKey;
    const own = data.filter((b) => organizationOf.get(b.project_id) === key.organization_id);
    const writings: [number, "Z" | "z" | "+00:00" | "-00:00" | "micro"][] = [
      [0, "Z"],
      [0, "z"],
      [0, "+00:00"],
      [0, "-00:00"],
      [0, "micro"],
      [60, "Z"],
      [-60, "Z"],
      [330, "Z"],
      [345, "micro"],
      [-570, "Z"],
      [840, "Z"],
      [-720, "Z"],
      [-599, "Z"],
    ];
    for (const [i, j] of [
      [5, 30],
      [12, 13],
      [0, 80],
    ] as const) {
      const newer = ms(own[i] as Batch);
      const older = ms(own[j] as Batch);
      const reference = await check(key, { after: bound(older), before: bound(newer) }, 100);
      expect(reference.length).toBeGreaterThan(0);
      for (const [offset, style] of writings) {
        const after = { text: write(older, offset, style), ms: older };
        const before = { text: write(newer, -offset, style), ms: newer };
        const seen = await traverse(key.key, { after, before }, 100);
        expect(seen.map((b) => b.id), `${after.text} .. ${before.text}`).toEqual(reference);
      }
    }
  });

  // Forms the spec's `format: date-time` (as ajv-formats reads it) lets through: a leap second (RFC
  // 3339 allows it), an offset without minutes (ajv-formats allows it), a space instead of "T"
  // (RFC 3339 §5.6 allows it), years below 100. Whatever the server accepts, it must apply as the
  // instant written: a 422 naming the parameter, or the bound honoured; never ignored or misread.
  test.each([
    ["created_at_on_or_after", "2030-12-31T23:59:60Z", "none"],
    ["created_at_on_or_before", "1990-12-31T23:59:60Z", "none"],
    ["created_at_on_or_after", "2030-06-30T23:59:60Z", "none"],
    ["created_at_on_or_after", "2030-01-01T00:00:00+05", "none"],
    ["created_at_on_or_before", "1990-01-01T00:00:00-03", "none"],
    ["created_at_on_or_after", "0049-01-01T00:00:00Z", "all"],
    ["created_at_on_or_before", "0049-01-01T00:00:00Z", "none"],
    ["created_at_on_or_after", "0049-01-01 00:00:00Z", "all"],
    ["created_at_on_or_before", "0049-01-01 00:00:00Z", "none"],
    ["created_at_on_or_after", "2030-01-01 00:00:00Z", "none"],
    ["created_at_on_or_before", "1990-01-01 00:00:00+01:00", "none"],
  ] as const)("%s=%s is refused, or applied as the instant it names (%s of the data)", async (param, text, want) => {
    const key = orgKeys[0] as ApiKey;
    const res = await fetch(`${server().url}${LIST}?${new URLSearchParams({ [param]: text, page_size: "100" })}`, {
      headers: { authorization: `Bearer ${key.key}` },
    });
    const body = (await res.json()) as PageBody & { detail?: { loc: unknown[] }[] };
    if (res.status === 422) {
      expect(body.detail?.map((d) => d.loc)).toEqual([["query", param]]);
    } else {
      expect(res.status).toBe(200);
      const all = expected(key, {}).slice(0, 100);
      expect(body.items.map((b) => `${b.id} created ${b.created_at}`)).toEqual(
        want === "all" ? all.map((id) => `${id} created ${data.find((b) => b.id === id)?.created_at}`) : [],
      );
    }
  });

  test("a bound with sub-millisecond digits is not rounded past a batch", async () => {
    // 500 µs after a batch's creation: the batch was created before the bound, so it is excluded
    // by created_at_on_or_after; 500 µs before it, it is excluded by created_at_on_or_before.
    const key = orgKeys[0] as ApiKey;
    const b = data.find((x) => organizationOf.get(x.project_id) === key.organization_id) as Batch;
    const t = new Date(ms(b)).toISOString().slice(0, -1);
    const justAfter = `${t}5Z`;
    const justBefore = `${new Date(ms(b) - 1).toISOString().slice(0, -1)}5Z`;
    const after = await traverse(key.key, { after: { text: justAfter, ms: ms(b) + 0.5 } }, 100);
    expect(after.map((x) => x.id), `created_at_on_or_after=${justAfter}, batch created ${b.created_at}`).not.toContain(b.id);
    const before = await traverse(key.key, { before: { text: justBefore, ms: ms(b) - 0.5 } }, 100);
    expect(before.map((x) => x.id), `created_at_on_or_before=${justBefore}`).not.toContain(b.id);
  });
});

describe("page size", () => {
  test("the default page size is 20", async () => {
    const key = orgKeys[0] as ApiKey;
    const total = expected(key, {}).length;
    expect(total).toBeGreaterThan(40);
    const first = await getPage(key.key, LIST);
    expect(first.items).toHaveLength(20);
    expect(typeof first.next_page_token).toBe("string");
    // Every page of the default traversal: 20, the last one the rest.
    await check(key, {});
    const second = await getPage(key.key, queryOf({}, { page_token: String(first.next_page_token) }));
    expect(second.items).toHaveLength(20);
  });

  test("page_size=100 returns at most 100, exactly 100 when there are more", async () => {
    for (const key of server().apiKeys) {
      const total = expected(key, {}).length;
      const first = await getPage(key.key, queryOf({}, { page_size: 100 }));
      expect(first.items).toHaveLength(Math.min(100, total));
      expect(Boolean(first.next_page_token)).toBe(total > 100);
    }
    expect(orgKeys.some((k) => expected(k, {}).length > 100), "some key sees more than 100 batches").toBe(true);
  });
});
