import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Batch, BatchStatus } from "@llama-batches/client";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ApiKey, type Dataset, type RunningReferenceApi, type Scope, startReferenceApi } from "../src/index.js";
import {
  apiOrder,
  asPage,
  bearer,
  createdMs,
  DAY,
  expectedBatches,
  fcOptions,
  getList,
  getPage,
  itemsOf,
  type ListQuery,
  maybe,
  organizationsOf,
  type Page,
  STATUSES,
  traverse,
  useReferenceApi,
  visibleTo,
} from "./helpers.js";

/** Read-only data, admin routes off. */
const readOnly = useReferenceApi({ port: 0, seed: 13, size: 500 });
/** Data changed by the tests while they page. */
const live = useReferenceApi({ port: 0, seed: 17, size: 400 });
/** Admin routes on. */
const admin = useReferenceApi({ port: 0, seed: 19, size: 120, admin: true });
let tmp: string | undefined;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "reference-api-pagination-"));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The model (see helpers) over `batches`, which may be a snapshot taken before the data changed. */
function expected(server: RunningReferenceApi, batches: readonly Batch[], scope: Scope, status?: BatchStatus): Batch[] {
  return expectedBatches(batches, organizationsOf(server), scope, { status });
}

/** Every batch of a traversal whose page i asks for `sizes(i)` items (each page checked against it). */
async function listAll(
  server: RunningReferenceApi,
  key: string,
  params: ListQuery,
  sizes: (page: number) => number,
  between?: (page: Page) => void,
): Promise<Batch[]> {
  return itemsOf(await traverse(server, bearer(key), params, { pageSize: sizes, ...(between ? { between } : {}) }));
}

function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const id of ids) {
    if (seen.has(id)) twice.push(id);
    seen.add(id);
  }
  return twice;
}

describe("traversal", () => {
  test("the traversal is the same sequence for every page_size from 1 to 100 (property)", async () => {
    const server = readOnly.api;
    const data = server.store.all();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...server.apiKeys),
        fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(1, 2, 99, 100)),
        maybe(fc.constantFrom(...STATUSES), 2),
        async (key, pageSize, status) => {
          const ids = (await listAll(server, key.key, { status }, () => pageSize)).map((b) => b.id);
          expect(duplicates(ids)).toEqual([]);
          expect(ids).toEqual(expected(server, data, key, status).map((b) => b.id));
        },
      ),
      fcOptions(30),
    );
  });

  test("page_size may change from page to page: same sequence (property)", async () => {
    const server = readOnly.api;
    const data = server.store.all();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...server.apiKeys),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 12 }),
        maybe(fc.constantFrom(...STATUSES), 1),
        async (key, sizes, status) => {
          const ids = (await listAll(server, key.key, { status }, (i) => sizes[i % sizes.length] ?? 20)).map((b) => b.id);
          expect(ids).toEqual(expected(server, data, key, status).map((b) => b.id));
        },
      ),
      fcOptions(30),
    );
  });

  test("the same token returns the same page, then and later", async () => {
    const server = readOnly.api;
    const key = server.apiKeys.find((k) => k.project_id === null) as ApiKey;
    const pages: { token: string; body: Page }[] = [];
    let token: string | undefined;
    for (;;) {
      const body = await getPage(server, bearer(key.key), { page_size: 5, status: "RUNNING", page_token: token });
      if (token !== undefined) pages.push({ token, body });
      if (!body.next_page_token) break;
      token = body.next_page_token;
    }
    expect(pages.length).toBeGreaterThan(1);
    for (const { token: t, body } of [...pages].reverse()) {
      expect(await getPage(server, bearer(key.key), { page_size: 5, status: "RUNNING", page_token: t })).toEqual(body);
      expect(await getPage(server, bearer(key.key), { page_size: 5, status: "RUNNING", page_token: t })).toEqual(body);
    }
    // A token does not bind page_size: the same position, fewer items.
    const [firstPage] = pages;
    if (!firstPage) throw new Error("no page");
    const smaller = await getPage(server, bearer(key.key), { page_size: 5, status: "RUNNING", page_token: firstPage.token });
    expect(smaller.items).toEqual(firstPage.body.items.slice(0, 5));
  });

  test("no batch appears twice, and the last page says it is last", async () => {
    const server = readOnly.api;
    for (const key of server.apiKeys) {
      for (const size of [1, 7, 20]) {
        const ids = (await listAll(server, key.key, {}, () => size)).map((b) => b.id);
        expect(duplicates(ids)).toEqual([]);
        expect(ids.length).toBe(expected(server, server.store.all(), key).length);
      }
    }
  });
});

describe("pagination while the data changes", () => {
  type Where = "newest" | "newer" | "tie" | "older" | "oldest";
  const MAX_INSERTS_PER_RUN = 40;

  test("inserts and status updates while paging: nothing twice, nothing skipped that existed throughout (property)", async () => {
    const server = live.api;
    const store = server.store;
    const organizationOf = organizationsOf(server);
    const projects = [...organizationOf.keys()];
    const step = fc.record({
      inserts: fc.array(
        fc.record({
          where: fc.constantFrom<Where>("newest", "newer", "tie", "tie", "older", "older", "oldest"),
          inScope: fc.boolean(),
          project: fc.nat(),
          shiftMs: fc.oneof(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 3 * DAY })),
          status: fc.constantFrom(...STATUSES),
        }),
        { maxLength: 3 },
      ),
      updates: fc.array(fc.record({ index: fc.nat(), status: fc.constantFrom(...STATUSES) }), { maxLength: 3 }),
    });

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...server.apiKeys),
        fc.integer({ min: 1, max: 8 }),
        maybe(fc.constantFrom(...STATUSES), 2),
        fc.array(step, { minLength: 1, maxLength: 6 }),
        async (key, pageSize, status, steps) => {
          const start = store.all();
          const existing = new Set(start.map((b) => b.id));
          const inScope = expected(server, start, key);
          const matching = expected(server, start, key, status);
          const scopeProjects = projects.filter(
            (p) => organizationOf.get(p) === key.organization_id && (key.project_id === null || p === key.project_id),
          );
          const otherProjects = projects.filter((p) => organizationOf.get(p) !== key.organization_id);
          const touched = new Set<string>();
          const inserted = new Set<string>();
          let page = 0;

          const mutate = (body: Page): void => {
            const last = body.items[body.items.length - 1];
            const plan = steps[page++ % steps.length];
            if (!last || !plan) return;
            const all = store.all();
            const newest = createdMs(all[0] as Batch);
            const oldest = createdMs(all[all.length - 1] as Batch);
            for (const insert of plan.inserts) {
              if (inserted.size >= MAX_INSERTS_PER_RUN) break;
              const pool = insert.inScope ? scopeProjects : otherProjects;
              const project = pool[insert.project % pool.length];
              const template = all.find((b) => b.project_id === project);
              if (!project || !template) continue;
              const at = {
                newest: newest + insert.shiftMs,
                newer: createdMs(last) + insert.shiftMs,
                tie: createdMs(last),
                older: createdMs(last) - insert.shiftMs,
                oldest: oldest - insert.shiftMs,
              }[insert.where];
              const created_at = new Date(at).toISOString();
              const batch: Batch = {
                ...template,
                id: `bat-${randomUUID()}`,
                status: insert.status,
                created_at,
                updated_at: created_at,
                results: null,
              };
              store.insert(batch);
              inserted.add(batch.id);
            }
            for (const update of plan.updates) {
              const target = inScope[update.index % inScope.length];
              if (!target) continue;
              store.update(target.id, { status: update.status, updated_at: new Date().toISOString() });
              touched.add(target.id);
            }
          };

          const seen = await listAll(server, key.key, { status }, () => pageSize, mutate);
          const ids = seen.map((b) => b.id);

          expect(duplicates(ids), "seen twice").toEqual([]);
          expect(
            seen.filter((b) => !existing.has(b.id) && !inserted.has(b.id)).map((b) => b.id),
            "seen but never existed",
          ).toEqual([]);
          const organizationOfNow = organizationsOf(server);
          expect(
            seen.filter((b) => !visibleTo(organizationOfNow, key, b)).map((b) => b.id),
            "out of scope",
          ).toEqual([]);
          if (status !== undefined)
            expect(
              seen.filter((b) => b.status !== status).map((b) => b.id),
              "wrong status",
            ).toEqual([]);
          // Existed for the whole traversal and matched the query all along (its status never touched
          // when the query filters on status): must be seen.
          const seenIds = new Set(ids);
          const mustSee = matching.filter((b) => status === undefined || !touched.has(b.id));
          expect(
            mustSee.filter((b) => !seenIds.has(b.id)).map((b) => `${b.id} ${b.created_at}`),
            "skipped",
          ).toEqual([]);
          // Keyset order holds across pages even while the data changes.
          for (let i = 1; i < seen.length; i++) {
            expect(apiOrder(seen[i - 1] as Batch, seen[i] as Batch), `order at ${i}`).toBe(-1);
          }
        },
      ),
      fcOptions(15),
    );
  });

  test("a batch inserted just behind the position, at the same instant, is seen exactly once", async () => {
    const server = live.api;
    const key = server.apiKeys.find((k) => k.project_id !== null) as ApiKey;
    const first = await getPage(server, bearer(key.key), { page_size: 3 });
    const last = first.items[2] as Batch;
    // Same created_at as the last item of the page: an id below its id comes after the position,
    // an id above it before the position.
    const tieAfter: Batch = { ...last, id: "bat-00000000-0000-4000-8000-000000000000", status: "PENDING", results: null };
    const tieBefore: Batch = { ...last, id: "bat-ffffffff-ffff-4fff-bfff-ffffffffffff", status: "PENDING", results: null };
    expect(tieAfter.id < last.id && tieBefore.id > last.id).toBe(true);
    server.store.insert(tieAfter);
    server.store.insert(tieBefore);
    const rest = (await listAll(server, key.key, {}, () => 3)).map((b) => b.id);
    const second = await getPage(server, bearer(key.key), { page_size: 50, page_token: String(first.next_page_token) });
    expect(second.items.map((b) => b.id)).toContain(tieAfter.id);
    expect(second.items.map((b) => b.id)).not.toContain(tieBefore.id);
    expect(rest.filter((id) => id === tieAfter.id || id === tieBefore.id)).toHaveLength(2);
  });
});

describe("admin routes", () => {
  async function send(
    server: RunningReferenceApi,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { "content-type": "application/json", "x-admin-token": server.adminToken ?? "" },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  function newBatch(server: RunningReferenceApi, overrides: Partial<Batch> = {}): Batch {
    const template = server.store.all()[10] as Batch;
    return {
      id: `bat-${randomUUID()}`,
      config: template.config,
      project_id: template.project_id,
      source_directory_id: template.source_directory_id,
      status: "PENDING",
      created_at: "2026-06-15T12:34:56.789Z",
      updated_at: "2026-06-15T12:34:56.789Z",
      results: null,
      ...overrides,
    };
  }

  function keyFor(server: RunningReferenceApi, project: string): ApiKey {
    const key = server.apiKeys.find((k) => k.project_id === project);
    if (!key) throw new Error(`no key for project ${project}`);
    return key;
  }

  test("POST /_admin/batches → 201 and the batch is listed; PATCH /_admin/batches/{id} → 200 and the change is listed", async () => {
    const server = admin.api;
    const batch = newBatch(server);
    const key = keyFor(server, batch.project_id);
    const size = server.store.size;

    const created = await send(server, "POST", "/_admin/batches", batch);
    expect(created.status).toBe(201);
    expect(created.body).toEqual(batch);
    expect(server.store.size).toBe(size + 1);
    const around = { created_at_on_or_after: batch.created_at ?? "", created_at_on_or_before: batch.created_at ?? "" };
    const listed = asPage(await getList(server, bearer(key.key), around));
    expect(listed.items).toContainEqual(batch);

    const patched = await send(server, "PATCH", `/_admin/batches/${batch.id}`, { status: "RUNNING" });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({ ...batch, status: "RUNNING" });
    const running_ = asPage(await getList(server, bearer(key.key), { ...around, status: "RUNNING" }));
    expect(running_.items.map((b) => b.id)).toContain(batch.id);
    const pending = asPage(await getList(server, bearer(key.key), { ...around, status: "PENDING" }));
    expect(pending.items.map((b) => b.id)).not.toContain(batch.id);
  });

  test("POST of a batch that breaks the spec → 422, nothing inserted", async () => {
    const server = admin.api;
    const size = server.store.size;
    const good = newBatch(server);
    const { project_id: _dropped, ...noProject } = good;
    for (const bad of [
      { ...good, status: "DONE" },
      { ...good, config: { job: { ...good.config.job, type: "parse_v3" } } },
      noProject,
      { ...good, created_at: "yesterday" },
    ]) {
      const reply = await send(server, "POST", "/_admin/batches", bad);
      expect(reply.status, JSON.stringify(bad)).toBe(422);
    }
    expect((await send(server, "POST", "/_admin/batches", "{not json")).status).toBeGreaterThanOrEqual(400);
    expect(server.store.size).toBe(size);
    expect(server.store.get(good.id)).toBeUndefined();
  });

  test("PATCH errors: unknown id → 404, an immutable field → 422, the batch unchanged", async () => {
    const server = admin.api;
    expect((await send(server, "PATCH", `/_admin/batches/bat-${randomUUID()}`, { status: "FAILED" })).status).toBe(404);
    const target = server.store.all()[5] as Batch;
    for (const patch of [{ created_at: "2020-01-01T00:00:00Z" }, { id: "bat-other" }, { project_id: randomUUID() }]) {
      expect((await send(server, "PATCH", `/_admin/batches/${target.id}`, patch)).status, JSON.stringify(patch)).toBe(422);
    }
    expect(server.store.get(target.id)).toEqual(target);
  });

  test("PATCH to a status outside the spec's enum → 422, the batch unchanged", async () => {
    const server = admin.api;
    const target = server.store.all()[6] as Batch;
    const reply = await send(server, "PATCH", `/_admin/batches/${target.id}`, { status: "DONE" });
    expect(reply.status).toBe(422);
    expect(server.store.get(target.id)).toEqual(target);
  });

  test("with admin off, the admin routes are 404 and change nothing", async () => {
    const server = readOnly.api;
    const target = server.store.all()[0] as Batch;
    const size = server.store.size;
    const post = await send(server, "POST", "/_admin/batches", { ...target, id: `bat-${randomUUID()}` });
    expect(post.status).toBe(404);
    const patch = await send(server, "PATCH", `/_admin/batches/${target.id}`, { status: "CANCELLED" });
    expect(patch.status).toBe(404);
    expect(server.store.size).toBe(size);
    expect(server.store.get(target.id)).toEqual(target);
  });
});

describe("fixtures", () => {
  const ORG_A = "aaaaaaaa-0000-4000-8000-000000000001";
  const ORG_B = "bbbbbbbb-0000-4000-8000-000000000002";
  const P1 = "11111111-0000-4000-8000-000000000001";
  const P2 = "22222222-0000-4000-8000-000000000002";
  const P3 = "33333333-0000-4000-8000-000000000003";

  function fixture(): Dataset {
    const projects = [P1, P2, P3];
    // created_at with various offsets: the order is by instant, not by the text.
    const times = [
      "2026-03-01T10:00:00+02:00", // 08:00Z
      "2026-03-01T09:00:00Z",
      "2026-03-01T09:00:00.000Z", // a tie with the previous one, written differently
      "2026-03-01T03:30:00-05:00", // 08:30Z
      "2026-02-28T23:59:59.999Z",
      "2026-03-02T00:00:00+14:00", // 2026-03-01T10:00Z
    ];
    const batches: Batch[] = Array.from({ length: 30 }, (_, i) => ({
      id: `bat-${String(i % 7).padStart(8, "0")}-0000-4000-8000-${String(i).padStart(12, "0")}`,
      config: { job: { configuration_id: `cfg-${i}`, type: i % 2 === 0 ? "parse_v2" : "extract_v2" } },
      project_id: projects[i % 3] as string,
      source_directory_id: `dir-${i % 4}`,
      status: STATUSES[i % STATUSES.length] as BatchStatus,
      created_at: times[i % times.length] as string,
      updated_at: null,
      results: null,
    }));
    return {
      projects: [
        { id: P1, organization_id: ORG_A },
        { id: P2, organization_id: ORG_A },
        { id: P3, organization_id: ORG_B },
      ],
      apiKeys: [
        { key: "llx-fixture-org-a", organization_id: ORG_A, project_id: null },
        { key: "llx-fixture-p1", organization_id: ORG_A, project_id: P1 },
        { key: "llx-fixture-p3", organization_id: ORG_B, project_id: P3 },
      ],
      sessions: [{ session: "sess-fixture-p2", organization_id: ORG_A, project_id: P2 }],
      batches,
    };
  }

  function writeFixture(name: string, content: unknown): string {
    if (!tmp) throw new Error("no temporary directory");
    const path = join(tmp, name);
    writeFileSync(path, JSON.stringify(content, null, 2));
    return path;
  }

  test("a JSON fixture file is served, in API order, for each of its keys and sessions", async () => {
    const dataset = fixture();
    const path = writeFixture("good.json", dataset);
    const server = await startReferenceApi({ port: 0, fixture: path });
    try {
      expect(server.store.size).toBe(dataset.batches.length);
      // From the fixture's own project list: the keys of a fixture need not name every project.
      const organizationOf = new Map(dataset.projects.map((p) => [p.id, p.organization_id]));
      for (const key of dataset.apiKeys) {
        const want = expectedBatches(dataset.batches, organizationOf, key);
        expect(want.length).toBeGreaterThan(0);
        const seen = await listAll(server, key.key, {}, () => 4);
        expect(seen).toEqual(want);
      }
      const viaSession = asPage(await getList(server, { cookie: "session=sess-fixture-p2" }, { page_size: 100 }));
      expect(viaSession.items.map((b) => b.project_id)).toEqual(dataset.batches.filter((b) => b.project_id === P2).map(() => P2));
      // The generated data is not served alongside.
      const foreign = await getList(server, { authorization: `Bearer ${readOnly.api.apiKeys[0]?.key}` });
      expect(foreign.status).toBe(401);
    } finally {
      await server.stop();
    }
  });

  async function refusal(path: string): Promise<string> {
    let server: RunningReferenceApi | undefined;
    try {
      server = await startReferenceApi({ port: 0, fixture: path });
    } catch (error) {
      return (error as Error).message;
    } finally {
      await server?.stop();
    }
    throw new Error(`the server started from ${path}`);
  }

  test.each([
    ["a status outside the enum", 2, (b: Batch) => ({ ...b, status: "DONE" }), /status/],
    ["a job type outside the enum", 4, (b: Batch) => ({ ...b, config: { job: { ...b.config.job, type: "parse_v3" } } }), /type/],
    ["no project_id", 7, ({ project_id: _p, ...rest }: Batch) => rest, /project_id/],
    ["a created_at that is not a date-time", 11, (b: Batch) => ({ ...b, created_at: "2026-03-01" }), /created_at/],
    ["a project the fixture does not list", 3, (b: Batch) => ({ ...b, project_id: "44444444-0000-4000-8000-000000000004" }), /project/],
  ])("a fixture with a batch with %s is refused at start, naming it", async (_what, index, breakIt, field) => {
    const dataset = fixture();
    const batches: unknown[] = [...dataset.batches];
    batches[index] = breakIt(dataset.batches[index] as Batch);
    const path = writeFixture(`bad-${index}.json`, { ...dataset, batches });
    const message = await refusal(path);
    expect(message).toContain(path);
    expect(message).toContain(`batches[${index}]`);
    expect(message).toMatch(field);
  });

  test("a fixture that is not a dataset is refused at start", async () => {
    const message = await refusal(writeFixture("shapeless.json", { batches: [] }));
    expect(message).toMatch(/projects/);
  });
});
