import type { Batch, BatchStatus } from "@llama-batches/client";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ApiKey, type RunningReferenceApi, type Scope, startReferenceApi } from "../src/index.js";

const LIST = "/api/v2/batches";
const STATUSES: readonly BatchStatus[] = ["PENDING", "THROTTLED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"];
/** A well-formed UUID that no organization or project of any generated dataset has. */
const NOBODY = "00000000-0000-4000-8000-000000000000";

interface Reply {
  status: number;
  body: unknown;
  headers: Headers;
}

interface PageBody {
  items: Batch[];
  next_page_token?: string | null;
}

interface Filters {
  status?: BatchStatus | undefined;
  organization_id?: string | undefined;
  project_id?: string | undefined;
  source_directory_id?: string | undefined;
  created_at_on_or_after?: string | undefined;
  created_at_on_or_before?: string | undefined;
}

type Params = Filters & { page_size?: number | undefined; page_token?: string | undefined };

let api: RunningReferenceApi | undefined;
let data: Batch[];
/** Project → organization, from the keys (each project has a project-scoped key). */
let organizationOf: Map<string, string>;
let orgKeys: ApiKey[];
let projectKeys: ApiKey[];

beforeAll(async () => {
  api = await startReferenceApi({ port: 0, seed: 5, size: 500 });
  data = api.store.all();
  organizationOf = new Map(
    api.apiKeys.flatMap((k) => (k.project_id === null ? [] : [[k.project_id, k.organization_id] as const])),
  );
  orgKeys = api.apiKeys.filter((k) => k.project_id === null);
  projectKeys = api.apiKeys.filter((k) => k.project_id !== null);
  if (orgKeys.length < 2 || projectKeys.length < 2) throw new Error("the dataset needs two organizations with projects");
  for (const b of data) {
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

function path(params: Params): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.append(name, String(value));
  const text = search.toString();
  return text ? `${LIST}?${text}` : LIST;
}

async function call(p: string, headers: Record<string, string>): Promise<Reply> {
  const res = await fetch(`${server().url}${p}`, { headers });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`GET ${p} → ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json\b/);
  return { status: res.status, body, headers: res.headers };
}

const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

function ok(reply: Reply): PageBody {
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  const body = reply.body as PageBody;
  expect(Array.isArray(body.items)).toBe(true);
  return body;
}

/** Follows tokens to the end; fails on a loop instead of hanging. */
async function traverse(headers: Record<string, string>, params: Params): Promise<Batch[]> {
  const out: Batch[] = [];
  let token: string | undefined;
  for (let pages = 0; pages <= server().store.size + 1; pages++) {
    const body = ok(await call(path({ ...params, page_token: token }), headers));
    out.push(...body.items);
    if (!body.next_page_token || body.items.length === 0) return out;
    token = body.next_page_token;
  }
  throw new Error("the traversal never ended");
}

/** Our own reading of the spec: what a credential of `scope` must get for `filters`, in API order. */
function expected(scope: Scope, filters: Filters): string[] {
  const after = filters.created_at_on_or_after === undefined ? undefined : Date.parse(filters.created_at_on_or_after);
  const before = filters.created_at_on_or_before === undefined ? undefined : Date.parse(filters.created_at_on_or_before);
  return data
    .filter((b) => {
      const organization = organizationOf.get(b.project_id);
      if (organization !== scope.organization_id) return false;
      if (scope.project_id !== null && b.project_id !== scope.project_id) return false;
      if (filters.organization_id !== undefined && organization !== filters.organization_id) return false;
      if (filters.project_id !== undefined && b.project_id !== filters.project_id) return false;
      if (filters.source_directory_id !== undefined && b.source_directory_id !== filters.source_directory_id) return false;
      if (filters.status !== undefined && b.status !== filters.status) return false;
      if (after !== undefined || before !== undefined) {
        if (b.created_at == null) return false;
        const ms = Date.parse(b.created_at);
        if (after !== undefined && ms < after) return false;
        if (before !== undefined && ms > before) return false;
      }
      return true;
    })
    .sort(apiOrder)
    .map((b) => b.id);
}

function apiOrder(a: Batch, b: Batch): number {
  const am = a.created_at == null ? Number.NEGATIVE_INFINITY : Date.parse(a.created_at);
  const bm = b.created_at == null ? Number.NEGATIVE_INFINITY : Date.parse(b.created_at);
  if (am !== bm) return am > bm ? -1 : 1;
  return a.id === b.id ? 0 : a.id > b.id ? -1 : 1;
}

/** `arbitrary`, or undefined `nilWeight` times as often. */
function maybe<T>(arbitrary: fc.Arbitrary<T>, nilWeight: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: nilWeight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

function visibleTo(scope: Scope, b: Batch): boolean {
  return (
    organizationOf.get(b.project_id) === scope.organization_id && (scope.project_id === null || b.project_id === scope.project_id)
  );
}

describe("credentials", () => {
  test("no credentials → 401 with a JSON detail", async () => {
    const reply = await call(LIST, {});
    expect(reply.status).toBe(401);
    expect(typeof (reply.body as { detail?: unknown }).detail).toBe("string");
  });

  test.each([
    ["a non-bearer scheme", (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString("base64")}` })],
    ["the Token scheme", (key: string) => ({ authorization: `Token ${key}` })],
    ["the bare key", (key: string) => ({ authorization: key })],
    ["Bearer with no key", () => ({ authorization: "Bearer" })],
    ["Bearer with a blank key", () => ({ authorization: "Bearer  " })],
    ["an unknown key", () => bearer("llx-not-a-key")],
    ["a known key with a suffix", (key: string) => bearer(`${key}x`)],
    ["a known key cut short", (key: string) => bearer(key.slice(0, -1))],
    ["a session id as a bearer key", () => bearer(server().sessions[0]?.session ?? "sess-none")],
    ["an unknown session cookie", () => ({ cookie: "session=sess-unknown" })],
    ["a key as the session cookie", (key: string) => ({ cookie: `session=${key}` })],
  ])("%s → 401 with a JSON detail", async (_name, headers) => {
    const key = projectKeys[0]?.key ?? "";
    const reply = await call(path({ page_size: 5 }), headers(key));
    expect(reply.status).toBe(401);
    expect(typeof (reply.body as { detail?: unknown }).detail).toBe("string");
    expect(reply.body).not.toHaveProperty("items");
  });

  test("credentials are checked before parameters: bad parameters without credentials → 401", async () => {
    expect((await call(path({ page_size: 0, status: "nope" as BatchStatus }), {})).status).toBe(401);
  });

  test("the scheme name is case-insensitive", async () => {
    const key = projectKeys[0]?.key ?? "";
    const reference = ok(await call(path({ page_size: 10 }), bearer(key)));
    for (const scheme of ["bearer", "BEARER"]) {
      const body = ok(await call(path({ page_size: 10 }), { authorization: `${scheme} ${key}` }));
      expect(body.items.map((b) => b.id)).toEqual(reference.items.map((b) => b.id));
    }
  });

  test("the session cookie is an alternative to the bearer key, with the same scope", async () => {
    expect(server().sessions.length).toBeGreaterThan(0);
    for (const session of server().sessions) {
      const viaCookie = await traverse({ cookie: `session=${session.session}` }, { page_size: 50 });
      expect(viaCookie.map((b) => b.id)).toEqual(expected(session, {}));
      expect(viaCookie.length).toBeGreaterThan(0);
      const key = projectKeys.find((k) => k.project_id === session.project_id);
      if (key) expect(viaCookie.map((b) => b.id)).toEqual((await traverse(bearer(key.key), { page_size: 50 })).map((b) => b.id));
    }
    // Among other cookies too.
    const first = server().sessions[0];
    if (!first) throw new Error("no session");
    const body = ok(await call(path({ page_size: 5 }), { cookie: `theme=dark; session=${first.session}; lang=en` }));
    expect(body.items.map((b) => b.id)).toEqual(expected(first, {}).slice(0, 5));
  });
});

describe("scope", () => {
  test("with no filter, a project key sees exactly its project, an org-wide key exactly its organization", async () => {
    for (const key of server().apiKeys) {
      const seen = await traverse(bearer(key.key), { page_size: 100 });
      expect(seen.map((b) => b.id)).toEqual(expected(key, {}));
      const projects = new Set(seen.map((b) => b.project_id));
      if (key.project_id !== null) {
        expect([...projects]).toEqual([key.project_id]);
      } else {
        const ofOrganization = [...organizationOf].filter(([, o]) => o === key.organization_id).map(([p]) => p);
        expect(new Set(projects)).toEqual(new Set(ofOrganization.filter((p) => data.some((b) => b.project_id === p))));
        expect(projects.size).toBeGreaterThan(1);
      }
    }
  });

  test("whatever the filters, a key only ever sees its scope, and all of it that matches (property)", async () => {
    const organizations = [...new Set(server().apiKeys.map((k) => k.organization_id))];
    const projects = [...organizationOf.keys()];
    const directories = [...new Set(data.map((b) => b.source_directory_id))];
    const times = [...new Set(data.map((b) => b.created_at ?? ""))];
    const bound = maybe(fc.constantFrom(...times), 2);
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...server().apiKeys),
        fc.record({
          status: maybe(fc.constantFrom(...STATUSES), 2),
          organization_id: maybe(fc.constantFrom(...organizations, NOBODY), 1),
          project_id: maybe(fc.constantFrom(...projects, NOBODY), 1),
          source_directory_id: maybe(fc.constantFrom(...directories), 3),
          created_at_on_or_after: bound,
          created_at_on_or_before: bound,
        }),
        fc.integer({ min: 10, max: 100 }),
        async (key, filters, pageSize) => {
          const seen = await traverse(bearer(key.key), { ...filters, page_size: pageSize });
          const leaked = seen.filter((b) => !visibleTo(key, b));
          expect(leaked.map((b) => `${b.id} (project ${b.project_id})`)).toEqual([]);
          expect(seen.map((b) => b.id)).toEqual(expected(key, filters));
          if (seen.length > 0) nonEmpty++;
        },
      ),
      { seed: Number(process.env.FAST_CHECK_SEED), numRuns: 60 },
    );
    // Not a vacuous property: a good share of the drawn queries see something.
    expect(nonEmpty).toBeGreaterThan(10);
  });

  test.each([
    ["another organization's id", "organization_id"],
    ["an organization that does not exist", "organization_id"],
    ["another organization's project", "project_id"],
    ["a sibling project of the same organization", "project_id"],
    ["a project that does not exist", "project_id"],
  ] as const)("filtering on %s → 200 with an empty list, for every key it is out of scope for", async (what, param) => {
    let checked = 0;
    for (const key of server().apiKeys) {
      const candidates =
        what === "another organization's id"
          ? orgKeys.map((k) => k.organization_id).filter((o) => o !== key.organization_id)
          : what === "another organization's project"
            ? [...organizationOf].filter(([, o]) => o !== key.organization_id).map(([p]) => p)
            : what === "a sibling project of the same organization"
              ? key.project_id === null
                ? []
                : [...organizationOf].filter(([p, o]) => o === key.organization_id && p !== key.project_id).map(([p]) => p)
              : [NOBODY];
      for (const value of candidates) {
        for (const extra of [{}, { status: "RUNNING" as const }]) {
          const body = ok(await call(path({ [param]: value, ...extra }), bearer(key.key)));
          expect(body.items, `${key.key} with ${param}=${value}`).toEqual([]);
          expect(body.next_page_token ?? undefined).toBeUndefined();
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  test("an in-scope organization_id / project_id filter is honoured", async () => {
    for (const key of server().apiKeys) {
      const own = await traverse(bearer(key.key), { organization_id: key.organization_id, page_size: 100 });
      expect(own.map((b) => b.id)).toEqual(expected(key, {}));
      if (key.project_id === null) {
        const project = [...organizationOf].find(([, o]) => o === key.organization_id)?.[0];
        if (!project) throw new Error("an organization without a project");
        const one = await traverse(bearer(key.key), { project_id: project, page_size: 100 });
        expect(one.map((b) => b.id)).toEqual(expected(key, { project_id: project }));
        expect(one.length).toBeGreaterThan(0);
      } else {
        const one = await traverse(bearer(key.key), { project_id: key.project_id, page_size: 100 });
        expect(one.map((b) => b.id)).toEqual(expected(key, {}));
      }
    }
  });

  // The server accepts these spellings (the spec's `format: uuid`, as ajv-formats reads it), so
  // they must name the same organization and project: RFC 4122 hex digits are case-insensitive on
  // input, and `urn:uuid:` is the URN form of the same UUID (FastAPI's UUID type reads both).
  test.each([
    ["upper-case hex digits", (id: string) => id.toUpperCase()],
    ["the urn:uuid: prefix", (id: string) => `urn:uuid:${id}`],
  ])("a UUID filter written with %s selects the same batches", async (_how, spell) => {
    const key = orgKeys[0];
    if (!key) throw new Error("no organization key");
    const project = [...organizationOf].find(([, o]) => o === key.organization_id)?.[0] ?? "";
    const canonical = await traverse(bearer(key.key), { organization_id: key.organization_id, project_id: project, page_size: 100 });
    expect(canonical.length).toBeGreaterThan(0);
    for (const params of [
      { organization_id: spell(key.organization_id) },
      { project_id: spell(project) },
      { organization_id: spell(key.organization_id), project_id: spell(project) },
    ]) {
      const reply = await call(path({ ...params, page_size: 100 }), bearer(key.key));
      expect(reply.status, JSON.stringify(params)).toBe(200);
      const all = await traverse(bearer(key.key), { ...params, page_size: 100 });
      const wanted = "project_id" in params ? canonical : await traverse(bearer(key.key), { page_size: 100 });
      expect(all.map((b) => b.id), JSON.stringify(params)).toEqual(wanted.map((b) => b.id));
    }
  });
});

describe("page tokens and credentials", () => {
  test("a token issued to one key is refused (422 naming page_token) for every other credential", async () => {
    for (const owner of server().apiKeys) {
      const first = ok(await call(path({ page_size: 2 }), bearer(owner.key)));
      const token = first.next_page_token;
      expect(typeof token, `${owner.key} has more than 2 batches`).toBe("string");
      const others: Record<string, string>[] = [
        ...server()
          .apiKeys.filter((k) => k.key !== owner.key)
          .map((k) => bearer(k.key)),
        ...server()
          .sessions.filter((s) => s.project_id !== owner.project_id || s.organization_id !== owner.organization_id)
          .map((s) => ({ cookie: `session=${s.session}` })),
      ];
      for (const headers of others) {
        const reply = await call(path({ page_size: 2, page_token: String(token) }), headers);
        expect(reply.status, JSON.stringify(headers)).toBe(422);
        const detail = (reply.body as { detail: { loc: unknown[] }[] }).detail;
        expect(detail.map((d) => d.loc)).toEqual([["query", "page_token"]]);
      }
      // The owner can still use it.
      ok(await call(path({ page_size: 2, page_token: String(token) }), bearer(owner.key)));
    }
  });

  test("a token is refused with other filters, even by its own key", async () => {
    const key = orgKeys[0];
    if (!key) throw new Error("no organization key");
    const first = ok(await call(path({ page_size: 3, status: "RUNNING" }), bearer(key.key)));
    const token = String(first.next_page_token);
    for (const params of [
      { page_size: 3 },
      { page_size: 3, status: "FAILED" as const },
      { page_size: 3, status: "RUNNING" as const, created_at_on_or_after: "2020-01-01T00:00:00Z" },
    ]) {
      const reply = await call(path({ ...params, page_token: token }), bearer(key.key));
      expect(reply.status, JSON.stringify(params)).toBe(422);
    }
  });
});
