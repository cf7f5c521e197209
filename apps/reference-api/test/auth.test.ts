import type { Batch, BatchStatus } from "@llama-batches/client";
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import type { Scope } from "../src/index.js";
import {
  asPage,
  bearer,
  expectationOf,
  expectedBatches,
  type Filters,
  fcOptions,
  ids,
  itemsOf,
  LIST,
  type ListQuery,
  listPath,
  maybe,
  type Reply,
  STATUSES,
  send,
  traverse,
  useReferenceApi,
  visibleTo,
} from "./helpers.js";

/** A well-formed UUID that no organization or project of any generated dataset has. */
const NOBODY = "00000000-0000-4000-8000-000000000000";

const ref = useReferenceApi({ port: 0, seed: 5, size: 500 });

beforeAll(() => {
  if (ref.orgKeys.length < 2 || ref.projectKeys.length < 2) throw new Error("the dataset needs two organizations with projects");
});

/** Any request of this file: a non-JSON body throws, and every reply must say it is JSON, whatever its status. */
async function call(path: string, headers: Record<string, string>): Promise<Reply> {
  const reply = await send(ref.api, path, { headers });
  if (!reply.json) throw new Error(`GET ${path} → ${reply.status} with a body that is not JSON: ${String(reply.body).slice(0, 200)}`);
  expect(reply.headers.get("content-type") ?? "").toMatch(/^application\/json\b/);
  return reply;
}

/** Every batch of a traversal. */
async function listAll(headers: Record<string, string>, params: ListQuery): Promise<Batch[]> {
  return itemsOf(await traverse(ref.api, headers, params));
}

/** The model's answer (see helpers), as ids. */
function expected(scope: Scope, filters: Filters): string[] {
  return ids(expectedBatches(ref.data, ref.organizationOf, scope, expectationOf(filters)));
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
    ["a session id as a bearer key", () => bearer(ref.api.sessions[0]?.session ?? "sess-none")],
    ["an unknown session cookie", () => ({ cookie: "session=sess-unknown" })],
    ["a key as the session cookie", (key: string) => ({ cookie: `session=${key}` })],
  ])("%s → 401 with a JSON detail", async (_name, headers) => {
    const key = ref.projectKeys[0]?.key ?? "";
    const reply = await call(listPath({ page_size: 5 }), headers(key));
    expect(reply.status).toBe(401);
    expect(typeof (reply.body as { detail?: unknown }).detail).toBe("string");
    expect(reply.body).not.toHaveProperty("items");
  });

  test("credentials are checked before parameters: bad parameters without credentials → 401", async () => {
    expect((await call(listPath({ page_size: 0, status: "nope" as BatchStatus }), {})).status).toBe(401);
  });

  test("the scheme name is case-insensitive", async () => {
    const key = ref.projectKeys[0]?.key ?? "";
    const reference = asPage(await call(listPath({ page_size: 10 }), bearer(key)));
    for (const scheme of ["bearer", "BEARER"]) {
      const body = asPage(await call(listPath({ page_size: 10 }), { authorization: `${scheme} ${key}` }));
      expect(body.items.map((b) => b.id)).toEqual(reference.items.map((b) => b.id));
    }
  });

  test("the session cookie is an alternative to the bearer key, with the same scope", async () => {
    expect(ref.api.sessions.length).toBeGreaterThan(0);
    for (const session of ref.api.sessions) {
      const viaCookie = await listAll({ cookie: `session=${session.session}` }, { page_size: 50 });
      expect(viaCookie.map((b) => b.id)).toEqual(expected(session, {}));
      expect(viaCookie.length).toBeGreaterThan(0);
      const key = ref.projectKeys.find((k) => k.project_id === session.project_id);
      if (key) expect(viaCookie.map((b) => b.id)).toEqual((await listAll(bearer(key.key), { page_size: 50 })).map((b) => b.id));
    }
    // Among other cookies too.
    const first = ref.api.sessions[0];
    if (!first) throw new Error("no session");
    const body = asPage(await call(listPath({ page_size: 5 }), { cookie: `theme=dark; session=${first.session}; lang=en` }));
    expect(body.items.map((b) => b.id)).toEqual(expected(first, {}).slice(0, 5));
  });
});

describe("cookies and which credential wins (decided, as Starlette reads them)", () => {
  const session = () => ref.api.sessions[0]?.session ?? "";
  const get = (headers: Record<string, string>) => send(ref.api, `${LIST}?page_size=1`, { headers });

  test("a session followed by more characters is another session: refused, whatever it starts with", async () => {
    expect((await get({ cookie: `session=${session()}=junk` })).status).toBe(401);
    expect((await get({ cookie: `session=${session()}x` })).status).toBe(401);
  });

  test("two session cookies: the last one counts, as in FastAPI", async () => {
    expect((await get({ cookie: `session=nope; session=${session()}` })).status).toBe(200);
    expect((await get({ cookie: `session=${session()}; session=nope` })).status).toBe(401);
    expect((await get({ cookie: `other=1; session="${session()}"` })).status).toBe(200);
  });

  test("an Authorization header decides alone: a valid session does not rescue an unknown or malformed bearer", async () => {
    for (const authorization of ["Bearer llx-not-a-key", "Token abc", "Bearer"]) {
      const reply = await get({ authorization, cookie: `session=${session()}` });
      expect(reply.status, authorization).toBe(401);
      expect(reply.body).toEqual({ detail: "Invalid authentication credentials" });
    }
    expect((await get({ authorization: `Bearer ${ref.orgKeys[0]?.key}`, cookie: "session=nope" })).status).toBe(200);
  });
});

describe("a session whose value holds = (base64 padding)", () => {
  const padded = useReferenceApi({
    port: 0,
    fixture: {
      projects: [{ id: "11111111-0000-4000-8000-000000000001", organization_id: "aaaaaaaa-0000-4000-8000-000000000001" }],
      apiKeys: [],
      sessions: [
        {
          session: "c2Vzc2lvbg==",
          organization_id: "aaaaaaaa-0000-4000-8000-000000000001",
          project_id: "11111111-0000-4000-8000-000000000001",
        },
      ],
      batches: [],
    },
  });

  test("is accepted, as sent, and only as sent", async () => {
    const get = (cookie: string) => send(padded.api, LIST, { headers: { cookie } });
    expect((await get("session=c2Vzc2lvbg==")).status).toBe(200);
    expect((await get("session=c2Vzc2lvbg")).status).toBe(401);
    expect((await get("session=c2Vzc2lvbg==; theme=dark")).status).toBe(200);
  });
});

describe("scope", () => {
  test("with no filter, a project key sees exactly its project, an org-wide key exactly its organization", async () => {
    for (const key of ref.api.apiKeys) {
      const seen = await listAll(bearer(key.key), { page_size: 100 });
      expect(seen.map((b) => b.id)).toEqual(expected(key, {}));
      const projects = new Set(seen.map((b) => b.project_id));
      if (key.project_id !== null) {
        expect([...projects]).toEqual([key.project_id]);
      } else {
        const ofOrganization = [...ref.organizationOf].filter(([, o]) => o === key.organization_id).map(([p]) => p);
        expect(new Set(projects)).toEqual(new Set(ofOrganization.filter((p) => ref.data.some((b) => b.project_id === p))));
        expect(projects.size).toBeGreaterThan(1);
      }
    }
  });

  test("whatever the filters, a key only ever sees its scope, and all of it that matches (property)", async () => {
    const organizations = [...new Set(ref.api.apiKeys.map((k) => k.organization_id))];
    const projects = [...ref.organizationOf.keys()];
    const directories = [...new Set(ref.data.map((b) => b.source_directory_id))];
    const times = [...new Set(ref.data.map((b) => b.created_at ?? ""))];
    const bound = maybe(fc.constantFrom(...times), 2);
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ref.api.apiKeys),
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
          const seen = await listAll(bearer(key.key), { ...filters, page_size: pageSize });
          const leaked = seen.filter((b) => !visibleTo(ref.organizationOf, key, b));
          expect(leaked.map((b) => `${b.id} (project ${b.project_id})`)).toEqual([]);
          expect(seen.map((b) => b.id)).toEqual(expected(key, filters));
          if (seen.length > 0) nonEmpty++;
        },
      ),
      fcOptions(60),
    );
    // Not a vacuous property: a good share of the drawn queries see something.
    expect(nonEmpty).toBeGreaterThanOrEqual(5);
  });

  test.each([
    ["another organization's id", "organization_id"],
    ["an organization that does not exist", "organization_id"],
    ["another organization's project", "project_id"],
    ["a sibling project of the same organization", "project_id"],
    ["a project that does not exist", "project_id"],
  ] as const)("filtering on %s → 200 with an empty list, for every key it is out of scope for", async (what, param) => {
    let checked = 0;
    for (const key of ref.api.apiKeys) {
      const candidates =
        what === "another organization's id"
          ? ref.orgKeys.map((k) => k.organization_id).filter((o) => o !== key.organization_id)
          : what === "another organization's project"
            ? [...ref.organizationOf].filter(([, o]) => o !== key.organization_id).map(([p]) => p)
            : what === "a sibling project of the same organization"
              ? key.project_id === null
                ? []
                : [...ref.organizationOf].filter(([p, o]) => o === key.organization_id && p !== key.project_id).map(([p]) => p)
              : [NOBODY];
      for (const value of candidates) {
        for (const extra of [{}, { status: "RUNNING" as const }]) {
          const body = asPage(await call(listPath({ [param]: value, ...extra }), bearer(key.key)));
          expect(body.items, `${key.key} with ${param}=${value}`).toEqual([]);
          expect(body.next_page_token ?? undefined).toBeUndefined();
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  test("an in-scope organization_id / project_id filter is honoured", async () => {
    for (const key of ref.api.apiKeys) {
      const own = await listAll(bearer(key.key), { organization_id: key.organization_id, page_size: 100 });
      expect(own.map((b) => b.id)).toEqual(expected(key, {}));
      if (key.project_id === null) {
        const project = [...ref.organizationOf].find(([, o]) => o === key.organization_id)?.[0];
        if (!project) throw new Error("an organization without a project");
        const one = await listAll(bearer(key.key), { project_id: project, page_size: 100 });
        expect(one.map((b) => b.id)).toEqual(expected(key, { project_id: project }));
        expect(one.length).toBeGreaterThan(0);
      } else {
        const one = await listAll(bearer(key.key), { project_id: key.project_id, page_size: 100 });
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
    const key = ref.orgKeys[0];
    if (!key) throw new Error("no organization key");
    const project = [...ref.organizationOf].find(([, o]) => o === key.organization_id)?.[0] ?? "";
    const canonical = await listAll(bearer(key.key), { organization_id: key.organization_id, project_id: project, page_size: 100 });
    expect(canonical.length).toBeGreaterThan(0);
    for (const params of [
      { organization_id: spell(key.organization_id) },
      { project_id: spell(project) },
      { organization_id: spell(key.organization_id), project_id: spell(project) },
    ]) {
      const reply = await call(listPath({ ...params, page_size: 100 }), bearer(key.key));
      expect(reply.status, JSON.stringify(params)).toBe(200);
      const all = await listAll(bearer(key.key), { ...params, page_size: 100 });
      const wanted = "project_id" in params ? canonical : await listAll(bearer(key.key), { page_size: 100 });
      expect(
        all.map((b) => b.id),
        JSON.stringify(params),
      ).toEqual(wanted.map((b) => b.id));
    }
  });
});

describe("page tokens and credentials", () => {
  test("a token issued to one key is refused (422 naming page_token) for every other credential", async () => {
    for (const owner of ref.api.apiKeys) {
      const first = asPage(await call(listPath({ page_size: 2 }), bearer(owner.key)));
      const token = first.next_page_token;
      expect(typeof token, `${owner.key} has more than 2 batches`).toBe("string");
      const others: Record<string, string>[] = [
        ...ref.api.apiKeys.filter((k) => k.key !== owner.key).map((k) => bearer(k.key)),
        ...ref.api.sessions
          .filter((s) => s.project_id !== owner.project_id || s.organization_id !== owner.organization_id)
          .map((s) => ({ cookie: `session=${s.session}` })),
      ];
      for (const headers of others) {
        const reply = await call(listPath({ page_size: 2, page_token: String(token) }), headers);
        expect(reply.status, JSON.stringify(headers)).toBe(422);
        const detail = (reply.body as { detail: { loc: unknown[] }[] }).detail;
        expect(detail.map((d) => d.loc)).toEqual([["query", "page_token"]]);
      }
      // The owner can still use it.
      asPage(await call(listPath({ page_size: 2, page_token: String(token) }), bearer(owner.key)));
    }
  });

  test("a token is refused with other filters, even by its own key", async () => {
    const key = ref.orgKeys[0];
    if (!key) throw new Error("no organization key");
    const first = asPage(await call(listPath({ page_size: 3, status: "RUNNING" }), bearer(key.key)));
    const token = String(first.next_page_token);
    for (const params of [
      { page_size: 3 },
      { page_size: 3, status: "FAILED" as const },
      { page_size: 3, status: "RUNNING" as const, created_at_on_or_after: "2020-01-01T00:00:00Z" },
    ]) {
      const reply = await call(listPath({ ...params, page_token: token }), bearer(key.key));
      expect(reply.status, JSON.stringify(params)).toBe(422);
    }
  });
});
