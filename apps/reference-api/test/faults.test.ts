/**
 * Every fault mode does what FAULTS says, shown by plain HTTP against a server with the fault and
 * the same request against a fault-free server with the same seed and size (same data, same keys),
 * both compared with `store.all()`, the true data in API order. A fault added to FAULTS without a
 * check here fails the first test.
 */
import type { Batch } from "@llama-batches/client";
import { getSpec } from "@llama-batches/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiKey, FAULTS, type FaultName, type RunningReferenceApi, startReferenceApi } from "../src/index.js";
import { type Check, writeChecks } from "./faults-writes.js";
import {
  asPage,
  bearer,
  expectationOf,
  expectedBatches,
  type Filters,
  getList,
  ids,
  itemsOf,
  organizationsOf,
  type Page,
  type Reply,
  STATUSES,
  traverse,
} from "./helpers.js";

const SEED = 5;
const SIZE = 300;
const JOB_TYPES: readonly string[] = getSpec().enumOf("BatchJobType");

type Params = Record<string, string>;

function get(api: RunningReferenceApi, key: string | undefined, params: Params = {}): Promise<Reply> {
  return getList(api, key === undefined ? {} : bearer(key), params);
}

/** Every page of a query. Page sizes are not checked here: some faults break them, and their checks say how. */
function pages(api: RunningReferenceApi, key: string, params: Params): Promise<Page[]> {
  return traverse(api, bearer(key), params, { anySize: true });
}

const flat = (ps: readonly Page[]) => ids(itemsOf(ps));

/** The oracle (the model in helpers): what a key may see under these filters, in the documented order. */
function expected(api: RunningReferenceApi, key: ApiKey, filters: Filters = {}): Batch[] {
  return expectedBatches(api.store.all(), organizationsOf(api), key, expectationOf(filters));
}

/** Consecutive equal created_at in a sequence: the ties that make order bugs visible. */
function hasTies(items: readonly Batch[]): boolean {
  return items.some((b, i) => i > 0 && b.created_at === items[i - 1]?.created_at);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function orgKey(api: RunningReferenceApi, index = 0): ApiKey {
  const key = api.apiKeys.filter((k) => k.project_id === null)[index];
  if (!key) throw new Error(`no organization-wide key #${index}`);
  return key;
}

function projectKey(api: RunningReferenceApi): ApiKey {
  const key = api.apiKeys.find((k) => k.project_id !== null);
  if (!key) throw new Error("no project key");
  return key;
}

function expect422Naming(reply: Reply, parameter: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(422);
  const detail = (reply.body as { detail: { loc: unknown[] }[] }).detail;
  expect(detail.map((d) => d.loc)).toContainEqual(["query", parameter]);
}

/** The checks of the list's faults; those of create, retrieve and cancel are in faults-writes.ts. */
const listChecks: Partial<Record<FaultName, Check>> = {
  async "drop-last-item"({ faulty, clean }) {
    const key = orgKey(faulty);
    const truth = ids(expected(clean, key));
    expect(truth.length).toBeGreaterThan(20);
    const good = await pages(clean, key.key, { page_size: "5" });
    expect(flat(good)).toEqual(truth);
    expect(good.slice(0, -1).every((p) => p.items.length === 5)).toBe(true);

    const bad = await pages(faulty, key.key, { page_size: "5" });
    // Every page with a successor lacks the last item its token points past; the final page is whole.
    const groups = chunks(truth, 5);
    const survivors = groups.flatMap((g, i) => (i < groups.length - 1 ? g.slice(0, -1) : g));
    expect(flat(bad)).toEqual(survivors);
    expect(bad.slice(0, -1).every((p) => p.items.length === 4)).toBe(true);
    const missing = truth.filter((id) => !flat(bad).includes(id));
    expect(missing).toEqual(groups.slice(0, -1).map((g) => g[g.length - 1]));
    expect(missing.length).toBeGreaterThan(0);
  },

  async "repeat-item"({ faulty, clean }) {
    const key = orgKey(faulty);
    const truth = ids(expected(clean, key));
    const good = await pages(clean, key.key, { page_size: "5" });
    expect(flat(good)).toEqual(truth);
    expect(new Set(flat(good)).size).toBe(truth.length);

    const bad = await pages(faulty, key.key, { page_size: "5" });
    expect(bad.length).toBeGreaterThan(2);
    const all = flat(bad);
    expect(new Set(all).size, "a duplicate id across pages").toBeLessThan(all.length);
    for (let i = 1; i < bad.length; i++) {
      const previous = bad[i - 1]?.items ?? [];
      expect(bad[i]?.items[0]?.id, `page ${i + 1} starts with the last item of page ${i}`).toBe(previous[previous.length - 1]?.id);
    }
    // Apart from the repeats, nothing is lost or reordered.
    expect([...ids(bad[0]?.items ?? []), ...bad.slice(1).flatMap((p) => ids(p.items.slice(1)))]).toEqual(truth);
  },

  async "ignore-status-filter"({ faulty, clean }) {
    const key = orgKey(faulty);
    const params = { status: "PENDING", page_size: "100" };
    const truth = ids(expected(clean, key, { status: "PENDING" }));
    expect(truth.length).toBeGreaterThan(0);
    const good = (await pages(clean, key.key, params)).flatMap((p) => p.items);
    expect(ids(good)).toEqual(truth);
    expect(good.every((b) => b.status === "PENDING")).toBe(true);

    const bad = (await pages(faulty, key.key, params)).flatMap((p) => p.items);
    expect(
      bad.some((b) => b.status !== "PENDING"),
      "non-matching statuses returned",
    ).toBe(true);
    expect(ids(bad)).toEqual(ids(expected(clean, key)));
    // Only the status filter is ignored: source_directory_id still filters.
    const directory = good[0]?.source_directory_id ?? "";
    const byDirectory = (await pages(faulty, key.key, { source_directory_id: directory, status: "PENDING", page_size: "100" })).flatMap(
      (p) => p.items,
    );
    expect(ids(byDirectory)).toEqual(ids(expected(clean, key, { source_directory_id: directory })));
  },

  async "exclusive-date-bounds"({ faulty, clean }) {
    const key = orgKey(faulty);
    const scoped = expected(clean, key);
    // A created_at shared by two batches, and a wider range whose both ends are batches' created_at.
    const tie = scoped.find((b, i) => i > 0 && b.created_at === scoped[i - 1]?.created_at)?.created_at;
    const upper = scoped[10]?.created_at;
    const lower = scoped[40]?.created_at;
    if (!tie || !upper || !lower) throw new Error("dataset too small or without ties");

    const exact = { created_at_on_or_after: tie, created_at_on_or_before: tie, page_size: "100" };
    const goodExact = flat(await pages(clean, key.key, exact));
    expect(goodExact).toEqual(ids(scoped.filter((b) => b.created_at === tie)));
    expect(goodExact.length).toBeGreaterThanOrEqual(2);
    expect(flat(await pages(faulty, key.key, exact)), "a batch whose created_at equals a bound is missing").toEqual([]);

    const range = { created_at_on_or_after: lower, created_at_on_or_before: upper, page_size: "100" };
    const truth = expected(clean, key, range);
    expect(flat(await pages(clean, key.key, range))).toEqual(ids(truth));
    const bad = flat(await pages(faulty, key.key, range));
    expect(bad).toEqual(ids(truth.filter((b) => b.created_at !== lower && b.created_at !== upper)));
    expect(bad.length).toBeLessThan(truth.length);
  },

  async "page-size-off-by-one"({ faulty, clean }) {
    const key = orgKey(faulty);
    const truth = ids(expected(clean, key));
    for (const [size, params] of [
      [5, { page_size: "5" }],
      [1, { page_size: "1" }],
      [20, {}],
    ] as const) {
      const good = asPage(await get(clean, key.key, params));
      expect(ids(good.items)).toEqual(truth.slice(0, size));
      const bad = asPage(await get(faulty, key.key, params));
      expect(ids(bad.items), `page_size ${size} gives ${size + 1} items`).toEqual(truth.slice(0, size + 1));
    }
    // The traversal is complete, only with bigger pages.
    const bad = await pages(faulty, key.key, { page_size: "5" });
    expect(flat(bad)).toEqual(truth);
    expect(bad.slice(0, -1).every((p) => p.items.length === 6)).toBe(true);
  },

  async "unstable-order"({ faulty, clean }) {
    const key = orgKey(faulty);
    const truthItems = expected(clean, key);
    expect(hasTies(truthItems), "the data must have ties for this fault to show").toBe(true);
    const truth = ids(truthItems);
    const goodSmall = await pages(clean, key.key, { page_size: "3" });
    const goodLarge = await pages(clean, key.key, { page_size: "100" });
    expect(flat(goodSmall)).toEqual(truth);
    expect(flat(goodLarge)).toEqual(truth);

    const badSmall = await pages(faulty, key.key, { page_size: "3" });
    const badLarge = await pages(faulty, key.key, { page_size: "100" });
    // The first page (no token) is right; later pages are not, so page size changes the sequence.
    expect(ids(badSmall[0]?.items ?? [])).toEqual(truth.slice(0, 3));
    expect(flat(badSmall), "page_size 3 traversal differs from the documented order").not.toEqual(truth);
    expect(flat(badSmall), "page_size 3 and page_size 100 traversals differ").not.toEqual(flat(badLarge));
    // What goes wrong: a page reached with a token has a tie in ascending id order.
    const ascendingTie = badSmall
      .slice(1)
      .some((p) => p.items.some((b, i) => i > 0 && b.created_at === p.items[i - 1]?.created_at && b.id > (p.items[i - 1]?.id ?? "")));
    expect(ascendingTie).toBe(true);
  },

  async "reverse-order"({ faulty, clean }) {
    const key = orgKey(faulty);
    const truth = ids(expected(clean, key));
    expect(truth.length).toBeGreaterThan(20);
    const reversed = [...truth].reverse();
    // The same batches, each once, oldest first, whatever the page size; filters still apply.
    for (const size of ["1", "7", "100"]) expect(flat(await pages(faulty, key.key, { page_size: size }))).toEqual(reversed);
    const failed = ids(expected(clean, key, { status: "FAILED" })).reverse();
    expect(flat(await pages(faulty, key.key, { status: "FAILED", page_size: "4" }))).toEqual(failed);
    expect(flat(await pages(clean, key.key, { page_size: "7" }))).toEqual(truth);
  },

  async "token-ignores-filters"({ faulty, clean }) {
    const key = orgKey(faulty);
    const params = { status: "FAILED", page_size: "3" };
    const truth = ids(expected(clean, key, { status: "FAILED" }));
    expect(truth.length).toBeGreaterThan(3);
    const good = await pages(clean, key.key, params);
    expect(flat(good)).toEqual(truth);

    const first = asPage(await get(faulty, key.key, params));
    expect(ids(first.items)).toEqual(truth.slice(0, 3));
    const token = first.next_page_token;
    if (!token) throw new Error("expected a second page");
    const second = asPage(await get(faulty, key.key, { ...params, page_token: token }));
    expect(
      second.items.some((b) => b.status !== "FAILED"),
      "the second page of a filtered traversal has non-matching items",
    ).toBe(true);

    // A token of another query is accepted by the faulty server, refused by the clean one.
    const other = { status: "PENDING", page_size: "3" };
    expect((await get(faulty, key.key, { ...other, page_token: token })).status).toBe(200);
    const goodToken = asPage(await get(clean, key.key, params)).next_page_token ?? "";
    expect422Naming(await get(clean, key.key, { ...other, page_token: goodToken }), "page_token");
    // And a token of another key too.
    const otherKey = orgKey(faulty, 1);
    expect((await get(faulty, otherKey.key, { ...params, page_token: token })).status).toBe(200);
    expect422Naming(await get(clean, otherKey.key, { ...params, page_token: goodToken }), "page_token");
  },

  async "schema-break"({ faulty, clean }) {
    const validate = (schema: string, value: unknown) => getSpec().validateSchema(schema, value);
    const key = orgKey(faulty);
    const truth = expected(clean, key);
    const good = await pages(clean, key.key, { page_size: "10" });
    expect(flat(good)).toEqual(ids(truth));
    for (const p of good) expect(validate("BatchListResponse", p)).toEqual([]);

    const bad = await pages(faulty, key.key, { page_size: "10" });
    expect(flat(bad)).toEqual(ids(truth));
    for (const p of bad) {
      const [first, ...rest] = p.items;
      expect(JOB_TYPES, "first item's config.job.type is outside the enum").not.toContain(first?.config.job.type);
      expect(rest.every((b) => JOB_TYPES.includes(b.config.job.type))).toBe(true);
      expect(validate("BatchListResponse", p).join("; ")).toMatch(/\/items\/0\/config\/job\/type/);
    }
  },

  async "server-error"({ faulty, clean }) {
    const key = orgKey(faulty);
    const after = expected(clean, key)[30]?.created_at;
    if (!after) throw new Error("dataset too small");
    const both = { status: "COMPLETED" as const, created_at_on_or_after: after };
    const bad = await get(faulty, key.key, both);
    expect(bad.status).toBe(500);
    expect(bad.body).toEqual({ detail: "Internal Server Error" });
    const good = asPage(await get(clean, key.key, { ...both, page_size: "100" }));
    expect(ids(good.items)).toEqual(ids(expected(clean, key, both)));
    // Each alone is served, and right.
    for (const alone of [{ status: "COMPLETED" as const }, { created_at_on_or_after: after }]) {
      const page = asPage(await get(faulty, key.key, { ...alone, page_size: "100" }));
      expect(ids(page.items)).toEqual(ids(expected(clean, key, alone)).slice(0, 100));
    }
  },

  async "scope-leak"({ faulty, clean }) {
    const key = projectKey(faulty);
    const truth = ids(expected(clean, key));
    const good = await pages(clean, key.key, { page_size: "10" });
    expect(flat(good)).toEqual(truth);
    const foreignIn = (items: readonly Batch[]) => items.filter((b) => faulty.store.organizationOf(b.project_id) !== key.organization_id);
    for (const p of good) expect(foreignIn(p.items)).toEqual([]);

    const bad = await pages(faulty, key.key, { page_size: "10" });
    expect(bad.length).toBeGreaterThan(1);
    const [first, ...later] = bad;
    const leaked = foreignIn(first?.items ?? []);
    expect(leaked.length, "a batch from another organization in the first page").toBe(1);
    expect(first?.items[0]?.id).toBe(leaked[0]?.id);
    for (const p of later) expect(foreignIn(p.items)).toEqual([]);
    // Each first page leaks, whatever the filters.
    const filtered = asPage(await get(faulty, key.key, { status: "RUNNING" }));
    expect(foreignIn(filtered.items).length).toBe(1);
  },

  async "no-auth"({ faulty, clean }) {
    const first = faulty.apiKeys[0];
    if (!first) throw new Error("no keys");
    const good = await get(clean, undefined, { page_size: "7" });
    expect(good.status).toBe(401);
    expect(good.body).toEqual({ detail: "Not authenticated" });

    const bad = asPage(await get(faulty, undefined, { page_size: "7" }));
    expect(ids(bad.items), "served as the first key").toEqual(ids(expected(clean, first)).slice(0, 7));
    // Wrong credentials are still refused: only their absence is let through.
    expect((await get(faulty, "llx-not-a-key", { page_size: "7" })).status).toBe(401);
  },

  async "lenient-validation"({ faulty, clean }) {
    const key = orgKey(faulty);
    const truth = ids(expected(clean, key));
    expect422Naming(await get(clean, key.key, { status: "BOGUS" }), "status");
    expect422Naming(await get(clean, key.key, { page_size: "0" }), "page_size");
    expect422Naming(await get(clean, key.key, { created_at_on_or_after: "yesterday" }), "created_at_on_or_after");

    const bogus = asPage(await get(faulty, key.key, { status: "BOGUS", page_size: "5" }));
    expect(ids(bogus.items), "status=BOGUS is ignored").toEqual(truth.slice(0, 5));
    const zero = asPage(await get(faulty, key.key, { page_size: "0" }));
    expect(ids(zero.items), "page_size=0 is ignored: the default 20").toEqual(truth.slice(0, 20));
    const date = asPage(await get(faulty, key.key, { created_at_on_or_after: "yesterday", status: "FAILED" }));
    expect(ids(date.items)).toEqual(ids(expected(clean, key, { status: "FAILED" })).slice(0, 20));
  },
};

const checks: Partial<Record<FaultName, Check>> = { ...listChecks, ...writeChecks };

describe("fault modes", () => {
  let clean: RunningReferenceApi;
  /** The generated data's ids, before any check creates batches on the clean server. */
  let generated: string[];

  beforeAll(async () => {
    clean = await startReferenceApi({ port: 0, seed: SEED, size: SIZE });
    generated = ids(clean.store.all());
  });
  afterAll(async () => {
    await clean?.stop();
  });

  it("every fault in FAULTS has a check here, and no check is for an unknown fault", () => {
    expect(Object.keys(checks).sort()).toEqual(Object.keys(FAULTS).sort());
  });

  for (const name of Object.keys(FAULTS)) {
    it(`${name}: ${FAULTS[name as FaultName]}`, async () => {
      const check = (checks as Partial<Record<string, Check>>)[name];
      if (!check) throw new Error(`no check for fault "${name}"`);
      const faulty = await startReferenceApi({ port: 0, seed: SEED, size: SIZE, fault: name as FaultName });
      try {
        expect([...faulty.faults]).toEqual([name]);
        expect(faulty.apiKeys).toEqual(clean.apiKeys);
        expect(ids(faulty.store.all())).toEqual(generated);
        await check({ faulty, clean });
      } finally {
        await faulty.stop();
      }
    });
  }

  it("the fault-free server passes the basic checks the faults break", async () => {
    const key = orgKey(clean);
    const truth = expected(clean, key);
    expect(STATUSES.every((s) => truth.some((b) => b.status === s))).toBe(true);
    expect(flat(await pages(clean, key.key, { page_size: "7" }))).toEqual(ids(truth));
  });

  it("an unknown fault name makes startReferenceApi reject, listing the known ones", async () => {
    const start = startReferenceApi({ port: 0, seed: SEED, size: 10, fault: "no-such-fault" as FaultName });
    await expect(start).rejects.toThrow(/unknown fault "no-such-fault"/);
    const message = await start.then(
      (api) => api.stop().then(() => ""),
      (error: unknown) => (error as Error).message,
    );
    for (const name of Object.keys(FAULTS)) expect(message).toContain(name);
    // A known name next to an unknown one does not save it.
    await expect(startReferenceApi({ port: 0, size: 10, fault: ["repeat-item", "nope"] as FaultName[] })).rejects.toThrow(
      /unknown fault "nope"; known: /,
    );
  });
});
