import type { Batch, BatchStatus } from "@llama-batches/client";
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import type { ApiKey, Scope } from "../src/index.js";
import {
  bearer,
  createdMs,
  DAY,
  expectedBatches,
  fcOptions,
  getList,
  getPage,
  ids,
  itemsOf,
  listPath,
  maybe,
  type Page,
  type Query,
  rfc3339,
  STATUSES,
  traverse,
  useReferenceApi,
} from "./helpers.js";

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

const ref = useReferenceApi({ port: 0, seed: 9, size: 500 });

beforeAll(() => {
  for (const b of ref.data) {
    if (b.created_at == null) throw new Error(`batch ${b.id} has no created_at; these tests assume the generated data`);
  }
});

function bound(instant: number, offsetMinutes = 0): Bound {
  return { text: rfc3339(instant, offsetMinutes), ms: instant };
}

function paramsOf(filters: Filters, extra: { page_size?: number; page_token?: string } = {}): Query {
  return {
    status: filters.status,
    organization_id: filters.organization_id,
    project_id: filters.project_id,
    source_directory_id: filters.source_directory_id,
    created_at_on_or_after: filters.after?.text,
    created_at_on_or_before: filters.before?.text,
    ...extra,
  };
}

const pageOf = (key: string, params: Query): Promise<Page> => getPage(ref.api, bearer(key), params);

/** Every batch of a traversal, each page checked against `pageSize` (or the default). */
async function listAll(key: string, filters: Filters, pageSize?: number): Promise<Batch[]> {
  return itemsOf(await traverse(ref.api, bearer(key), paramsOf(filters, pageSize === undefined ? {} : { page_size: pageSize })));
}

/** The model's answer (see helpers) for the instants the bounds mean, as ids. */
function expected(scope: Scope, f: Filters): string[] {
  return ids(expectedBatches(ref.data, ref.organizationOf, scope, { ...f, after: f.after?.ms, before: f.before?.ms }));
}

async function check(key: ApiKey, filters: Filters, pageSize?: number): Promise<string[]> {
  const seen = ids(await listAll(key.key, filters, pageSize));
  expect(seen, `${key.key} ${listPath(paramsOf(filters))}`).toEqual(expected(key, filters));
  return seen;
}

function orgKeyOf(organization: string): ApiKey {
  const key = ref.orgKeys.find((k) => k.organization_id === organization);
  if (!key) throw new Error(`no organization-wide key for ${organization}`);
  return key;
}

describe("each filter alone", () => {
  test("status", async () => {
    for (const key of [...ref.orgKeys, ...ref.projectKeys.slice(0, 2)]) {
      for (const status of STATUSES) expect((await check(key, { status }, 100)).length).toBeGreaterThan(0);
    }
  });

  test("project_id", async () => {
    for (const key of ref.orgKeys) {
      for (const project of ref.organizationOf.keys()) {
        const seen = await check(key, { project_id: project }, 100);
        expect(seen.length > 0).toBe(ref.organizationOf.get(project) === key.organization_id);
      }
    }
  });

  test("organization_id", async () => {
    for (const key of ref.api.apiKeys) {
      for (const organization of new Set(ref.organizationOf.values())) {
        const seen = await check(key, { organization_id: organization }, 100);
        expect(seen.length > 0).toBe(organization === key.organization_id);
      }
    }
  });

  test("source_directory_id, every directory of the data, plus one that does not exist", async () => {
    const directories = new Map(ref.data.map((b) => [b.source_directory_id, ref.organizationOf.get(b.project_id) ?? ""]));
    for (const [directory, organization] of directories) {
      expect((await check(orgKeyOf(organization), { source_directory_id: directory }, 100)).length).toBeGreaterThan(0);
    }
    expect(await check(ref.orgKeys[0] as ApiKey, { source_directory_id: "dir-does-not-exist" }, 100)).toEqual([]);
  });

  test("created_at_on_or_after and created_at_on_or_before, at existing times and 1 ms either side", async () => {
    const key = ref.orgKeys[0] as ApiKey;
    const own = ref.data.filter((b) => ref.organizationOf.get(b.project_id) === key.organization_id);
    for (const b of [own[0], own[7], own[Math.floor(own.length / 2)], own[own.length - 1]]) {
      if (!b) continue;
      for (const delta of [-1, 0, 1]) {
        const at = bound(createdMs(b) + delta);
        const after = await check(key, { after: at }, 100);
        const before = await check(key, { before: at }, 100);
        // Inclusive bounds: b is on the side(s) its time puts it on.
        expect(after.includes(b.id)).toBe(delta <= 0);
        expect(before.includes(b.id)).toBe(delta >= 0);
      }
    }
    // Bounds beyond the data.
    const newest = Math.max(...ref.data.map(createdMs));
    const oldest = Math.min(...ref.data.map(createdMs));
    expect(await check(key, { after: bound(newest + DAY) }, 100)).toEqual([]);
    expect(await check(key, { before: bound(oldest - DAY) }, 100)).toEqual([]);
    expect((await check(key, { after: bound(oldest - DAY), before: bound(newest + DAY) }, 100)).length).toBe(own.length);
  });
});

describe("filters in combination", () => {
  test("any combination of filters drawn from the data, any key and page size (property)", async () => {
    const organizations = [...new Set(ref.organizationOf.values())];
    const projects = [...ref.organizationOf.keys()];
    const directories = [...new Set(ref.data.map((b) => b.source_directory_id))];
    const times = [...new Set(ref.data.map(createdMs))];
    const instant = fc.oneof(
      { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...times), fc.constantFrom(-1, 0, 0, 0, 1)).map(([t, d]) => t + d) },
      { weight: 1, arbitrary: fc.integer({ min: Math.min(...times) - DAY, max: Math.max(...times) + DAY }) },
    );
    const aBound = fc.tuple(instant, fc.constantFrom(0, 0, 60, -300, 330, 345, -570, 840, -720)).map(([t, offset]) => bound(t, offset));
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ref.api.apiKeys),
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
      fcOptions(80),
    );
    // Not a vacuous property: a good share of the drawn queries match something.
    expect(nonEmpty).toBeGreaterThanOrEqual(5);
  });

  test("the filters of an org-wide key narrowed to one project equal the project key's", async () => {
    for (const key of ref.projectKeys) {
      const orgKey = orgKeyOf(key.organization_id);
      for (const status of ["RUNNING", "FAILED"] as const) {
        const viaOrg = await listAll(orgKey.key, { project_id: key.project_id ?? "", status }, 50);
        const viaProject = await listAll(key.key, { status }, 50);
        expect(viaOrg.map((b) => b.id)).toEqual(viaProject.map((b) => b.id));
      }
    }
  });
});

describe("date bounds", () => {
  test("an existing created_at as both bounds returns exactly the batches created at that instant (ties included)", async () => {
    const groups = new Map<number, Batch[]>();
    for (const b of ref.data) groups.set(createdMs(b), [...(groups.get(createdMs(b)) ?? []), b]);
    const ties = [...groups.values()].filter((g) => g.length > 1);
    expect(ties.length, "the dataset has deliberate ties").toBeGreaterThan(5);
    let sameOrganizationTies = 0;
    for (const group of [...ties.slice(0, 12), ...[...groups.values()].filter((g) => g.length === 1).slice(0, 3)]) {
      const first = group[0] as Batch;
      const at = bound(createdMs(first));
      for (const key of ref.api.apiKeys) {
        const seen = await check(key, { after: at, before: at }, 1);
        const want = group
          .filter((b) => ref.organizationOf.get(b.project_id) === key.organization_id)
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
    const key = ref.orgKeys[0] as ApiKey;
    const own = ref.data.filter((b) => ref.organizationOf.get(b.project_id) === key.organization_id);
    const a = own[3] as Batch;
    const b = own[40] as Batch;
    for (const [after, before] of [
      [createdMs(a), createdMs(b)],
      [createdMs(b) + 1, createdMs(b)],
      [createdMs(a) + DAY, createdMs(a) - DAY],
    ] as const) {
      const body = await pageOf(key.key, paramsOf({ after: bound(after), before: bound(before) }, { page_size: 100 }));
      expect(body.items).toEqual([]);
      expect(body.next_page_token ?? undefined).toBeUndefined();
      expect(await check(key, { after: bound(after), before: bound(before) })).toEqual([]);
    }
  });

  test("the same instant written with another UTC offset gives the same result", async () => {
    const key = ref.orgKeys[1] as ApiKey;
    const own = ref.data.filter((b) => ref.organizationOf.get(b.project_id) === key.organization_id);
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
      const newer = createdMs(own[i] as Batch);
      const older = createdMs(own[j] as Batch);
      const reference = await check(key, { after: bound(older), before: bound(newer) }, 100);
      expect(reference.length).toBeGreaterThan(0);
      for (const [offset, style] of writings) {
        const after = { text: rfc3339(older, offset, style), ms: older };
        const before = { text: rfc3339(newer, -offset, style), ms: newer };
        const seen = await listAll(key.key, { after, before }, 100);
        expect(
          seen.map((b) => b.id),
          `${after.text} .. ${before.text}`,
        ).toEqual(reference);
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
    const key = ref.orgKeys[0] as ApiKey;
    const reply = await getList(ref.api, bearer(key.key), { [param]: text, page_size: "100" });
    const body = reply.body as Page & { detail?: { loc: unknown[] }[] };
    if (reply.status === 422) {
      expect(body.detail?.map((d) => d.loc)).toEqual([["query", param]]);
    } else {
      expect(reply.status).toBe(200);
      const all = expected(key, {}).slice(0, 100);
      expect(body.items.map((b) => `${b.id} created ${b.created_at}`)).toEqual(
        want === "all" ? all.map((id) => `${id} created ${ref.data.find((b) => b.id === id)?.created_at}`) : [],
      );
    }
  });

  test("a bound with sub-millisecond digits is not rounded past a batch", async () => {
    // 500 µs after a batch's creation: the batch was created before the bound, so it is excluded
    // by created_at_on_or_after; 500 µs before it, it is excluded by created_at_on_or_before.
    const key = ref.orgKeys[0] as ApiKey;
    const b = ref.data.find((x) => ref.organizationOf.get(x.project_id) === key.organization_id) as Batch;
    const t = new Date(createdMs(b)).toISOString().slice(0, -1);
    const justAfter = `${t}5Z`;
    const justBefore = `${new Date(createdMs(b) - 1).toISOString().slice(0, -1)}5Z`;
    const after = await listAll(key.key, { after: { text: justAfter, ms: createdMs(b) + 0.5 } }, 100);
    expect(
      after.map((x) => x.id),
      `created_at_on_or_after=${justAfter}, batch created ${b.created_at}`,
    ).not.toContain(b.id);
    const before = await listAll(key.key, { before: { text: justBefore, ms: createdMs(b) - 0.5 } }, 100);
    expect(
      before.map((x) => x.id),
      `created_at_on_or_before=${justBefore}`,
    ).not.toContain(b.id);
  });
});

describe("page size", () => {
  test("the default page size is 20", async () => {
    const key = ref.orgKeys[0] as ApiKey;
    const total = expected(key, {}).length;
    expect(total).toBeGreaterThan(40);
    const first = await pageOf(key.key, {});
    expect(first.items).toHaveLength(20);
    expect(typeof first.next_page_token).toBe("string");
    // Every page of the default traversal: 20, the last one the rest.
    await check(key, {});
    const second = await pageOf(key.key, paramsOf({}, { page_token: String(first.next_page_token) }));
    expect(second.items).toHaveLength(20);
  });

  test("page_size=100 returns at most 100, exactly 100 when there are more", async () => {
    for (const key of ref.api.apiKeys) {
      const total = expected(key, {}).length;
      const first = await pageOf(key.key, paramsOf({}, { page_size: 100 }));
      expect(first.items).toHaveLength(Math.min(100, total));
      expect(Boolean(first.next_page_token)).toBe(total > 100);
    }
    expect(
      ref.orgKeys.some((k) => expected(k, {}).length > 100),
      "some key sees more than 100 batches",
    ).toBe(true);
  });
});
