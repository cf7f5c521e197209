/**
 * Page tokens under attack. Every token here comes from a real response; the properties mutate it
 * (characters, truncation, splicing, unsigned payload edits, other instances, other queries, other
 * credentials) and require a 422 naming `page_token`: never a 5xx, never a page of data. The
 * untouched token is the control that shows each property can fail.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningReferenceApi, startReferenceApi } from "../src/index.js";
import { PageTokens } from "../src/tokens.js";
import { asPage, bearer, fcOptions, getList, type Reply, STATUSES, traverse } from "./helpers.js";

const SEED = 11;
const SIZE = 300;
const SECRET = "tokens-test-secret-A";

type Auth = { bearer: string } | { session: string };
type Params = Record<string, string>;
/** A real token and the exact query (credentials + filters) that produced it. */
interface Issued {
  token: string;
  auth: Auth;
  params: Params;
  /** Items of the whole traversal that come after this token's position (the oracle). */
  rest: string[];
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function headers(auth: Auth | undefined): Record<string, string> {
  if (!auth) return {};
  return "bearer" in auth ? bearer(auth.bearer) : { cookie: `session=${auth.session}` };
}

function get(api: RunningReferenceApi, auth: Auth | undefined, params: Params): Promise<Reply> {
  return getList(api, headers(auth), params);
}

/** The 422 the spec requires for any bad token, naming page_token, with no data. */
function expectRefusedToken(reply: Reply, context: unknown): void {
  const message = `${JSON.stringify(context)} → ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`;
  expect(reply.status, message).toBe(422);
  const body = reply.body as { detail?: { loc?: unknown }[]; items?: unknown };
  expect(body.items, message).toBeUndefined();
  expect(Array.isArray(body.detail), message).toBe(true);
  expect(body.detail?.[0]?.loc, message).toEqual(["query", "page_token"]);
}

/** Follows a query to its end, recording every token with what remains after it. */
async function traverseRecording(api: RunningReferenceApi, auth: Auth, params: Params): Promise<{ ids: string[]; issued: Issued[] }> {
  const pages = await traverse(api, headers(auth), params);
  expect(pages.at(-1)?.next_page_token, "traversal did not end").toBeUndefined();
  const ids = pages.flatMap((page) => page.items.map((b) => b.id));
  let at = 0;
  const issued = pages.flatMap((page) => {
    at += page.items.length;
    return page.next_page_token ? [{ token: page.next_page_token, auth, params, rest: ids.slice(at) }] : [];
  });
  return { ids, issued };
}

function splitToken(token: string): { payload: string; signature: string } {
  const [payload, signature, extra] = token.split(".");
  if (payload === undefined || signature === undefined || extra !== undefined) throw new Error(`not a token: ${token}`);
  return { payload, signature };
}

/** `[version, seconds | null, microseconds, id, binding]`. */
function decodePayload(payload: string): [number, number | null, number, string, string] {
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as [number, number | null, number, string, string];
}

function encodePayload(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

let api: RunningReferenceApi; // secret A
let foreign: RunningReferenceApi; // same data, another secret
let twin: RunningReferenceApi; // same data, same secret: the control for `foreign`
let issued: Issued[] = [];
let foreignIssued: Issued[] = [];
let twinIssued: Issued[] = [];

/** Queries whose traversals supply the real tokens: several keys, filters and page sizes. */
function tokenQueries(target: RunningReferenceApi): { auth: Auth; params: Params }[] {
  const orgKey = target.apiKeys.find((k) => k.project_id === null);
  const projectKey = target.apiKeys.find((k) => k.project_id !== null);
  const session = target.sessions[0];
  if (!orgKey || !projectKey || !session) throw new Error("the dataset lacks keys or sessions");
  const newest = target.store.all()[10]?.created_at;
  if (!newest) throw new Error("the dataset is too small");
  return [
    { auth: { bearer: orgKey.key }, params: { page_size: "4" } },
    {
      auth: { bearer: projectKey.key },
      params: { page_size: "3", status: "COMPLETED" },
    },
    {
      auth: { session: session.session },
      params: { page_size: "5", created_at_on_or_before: newest },
    },
  ];
}

async function collect(target: RunningReferenceApi): Promise<Issued[]> {
  const out: Issued[] = [];
  for (const q of tokenQueries(target)) out.push(...(await traverseRecording(target, q.auth, q.params)).issued);
  return out;
}

beforeAll(async () => {
  [api, foreign, twin] = await Promise.all([
    startReferenceApi({ port: 0, seed: SEED, size: SIZE, tokenSecret: SECRET }),
    startReferenceApi({
      port: 0,
      seed: SEED,
      size: SIZE,
      tokenSecret: "tokens-test-secret-B",
    }),
    startReferenceApi({ port: 0, seed: SEED, size: SIZE, tokenSecret: SECRET }),
  ]);
  [issued, foreignIssued, twinIssued] = await Promise.all([collect(api), collect(foreign), collect(twin)]);
  expect(issued.length).toBeGreaterThan(20);
  expect(new Set(issued.map((i) => splitToken(i.token).signature)).size).toBe(issued.length);
});

afterAll(async () => {
  await Promise.all([api?.stop(), foreign?.stop(), twin?.stop()]);
});

/** Sends `token` with the query that issued `of`: only the token differs from a valid request. */
function sendAs(of: Issued, token: string, target: RunningReferenceApi = api): Promise<Reply> {
  return get(target, of.auth, { ...of.params, page_token: token });
}

describe("real tokens (controls)", () => {
  it("are URL-safe payload.signature strings", () => {
    for (const i of issued) expect(i.token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
  });

  it("each untouched token, sent again with its query, gives the page after its position", async () => {
    for (const i of issued) {
      const page = asPage(await sendAs(i, i.token));
      const size = Number(i.params.page_size);
      expect(page.items.map((b) => b.id)).toEqual(i.rest.slice(0, size));
    }
  });

  it("a token is accepted with another page_size (page_size is not bound) and continues the same order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...issued), fc.integer({ min: 1, max: 100 }), async (i, size) => {
        const page = asPage(
          await get(api, i.auth, {
            ...i.params,
            page_size: String(size),
            page_token: i.token,
          }),
        );
        expect(page.items.map((b) => b.id)).toEqual(i.rest.slice(0, size));
        expect(page.next_page_token !== undefined).toBe(i.rest.length > size);
      }),
      fcOptions(100),
    );
  });

  it("a token of another instance with the same secret and data is accepted (control for foreign tokens)", async () => {
    for (const i of twinIssued.slice(0, 10)) {
      const page = asPage(await sendAs(i, i.token));
      expect(page.items.map((b) => b.id)).toEqual(i.rest.slice(0, Number(i.params.page_size)));
    }
  });
});

describe("tampered tokens → 422 naming page_token", () => {
  const token = () => fc.constantFrom(...issued);
  const anyChar = fc.oneof(
    fc.constantFrom(...BASE64URL, ".", "=", "+", "/", " ", "%", "\u0000"),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
  );

  /** Every arbitrary yields [the issuing query, the mutated token]; unchanged tokens are dropped. */
  const mutations: Record<string, () => fc.Arbitrary<[Issued, string]>> = {
    "replace one character": () =>
      token().chain((i) =>
        fc
          .tuple(fc.nat({ max: i.token.length - 1 }), anyChar)
          .map(([at, c]): [Issued, string] => [i, i.token.slice(0, at) + c + i.token.slice(at + 1)]),
      ),
    "flip one bit of one character": () =>
      token().chain((i) =>
        fc.tuple(fc.nat({ max: i.token.length - 1 }), fc.integer({ min: 0, max: 6 })).map(([at, bit]): [Issued, string] => {
          const c = String.fromCharCode(i.token.charCodeAt(at) ^ (1 << bit));
          return [i, i.token.slice(0, at) + c + i.token.slice(at + 1)];
        }),
      ),
    "insert characters": () =>
      token().chain((i) =>
        fc
          .tuple(fc.nat({ max: i.token.length }), fc.array(anyChar, { minLength: 1, maxLength: 4 }))
          .map(([at, cs]): [Issued, string] => [i, i.token.slice(0, at) + cs.join("") + i.token.slice(at)]),
      ),
    "delete characters": () =>
      token().chain((i) =>
        fc
          .tuple(fc.nat({ max: i.token.length - 1 }), fc.integer({ min: 1, max: 8 }))
          .map(([at, n]): [Issued, string] => [i, i.token.slice(0, at) + i.token.slice(at + n)]),
      ),
    truncate: () => token().chain((i) => fc.nat({ max: i.token.length - 1 }).map((n): [Issued, string] => [i, i.token.slice(0, n)])),
    "append characters": () =>
      token().chain((i) => fc.array(anyChar, { minLength: 1, maxLength: 6 }).map((cs): [Issued, string] => [i, i.token + cs.join("")])),
    "swap two characters": () =>
      token().chain((i) =>
        fc.tuple(fc.nat({ max: i.token.length - 1 }), fc.nat({ max: i.token.length - 1 })).map(([a, b]): [Issued, string] => {
          const cs = [...i.token];
          const ca = cs[a] as string;
          cs[a] = cs[b] as string;
          cs[b] = ca;
          return [i, cs.join("")];
        }),
      ),
    "payload of one token with the signature of another": () =>
      fc.tuple(token(), token()).map(([a, b]): [Issued, string] => [a, `${splitToken(a.token).payload}.${splitToken(b.token).signature}`]),
    "signature of one token with the payload of another, sent with the signature's query": () =>
      fc.tuple(token(), token()).map(([a, b]): [Issued, string] => [b, `${splitToken(a.token).payload}.${splitToken(b.token).signature}`]),
    "payload only, signature only, extra parts": () =>
      token().chain((i) => {
        const { payload, signature } = splitToken(i.token);
        return fc.constantFrom<[Issued, string]>(
          [i, payload],
          [i, `${payload}.`],
          [i, `.${signature}`],
          [i, signature],
          [i, `${i.token}.`],
          [i, `${i.token}.${signature}`],
          [i, `${payload}..${signature}`],
          [i, `${payload}=.${signature}`],
          [i, `${payload}.${signature}=`],
        );
      }),
  };

  for (const [name, mutation] of Object.entries(mutations)) {
    it(name, async () => {
      let changed = 0;
      await fc.assert(
        fc.asyncProperty(mutation(), async ([i, mutated]) => {
          fc.pre(mutated !== i.token);
          changed += 1;
          expectRefusedToken(await sendAs(i, mutated), {
            original: i.token,
            mutated,
          });
        }),
        fcOptions(150),
      );
      expect(changed, "the mutation hardly ever changed the token").toBeGreaterThan(50);
    });
  }

  it("payload edits without re-signing (cursor, id, binding, version) are refused", async () => {
    const ids = api.store.all().map((b) => b.id);
    const edit = fc.oneof(
      fc.integer({ min: -10_000_000, max: 10_000_000 }).map((d) => (p: unknown[]) => {
        p[1] = typeof p[1] === "number" ? p[1] + d : d;
      }),
      fc.constant((p: unknown[]) => {
        p[1] = null;
      }),
      fc.integer({ min: -999_999, max: 999_999 }).map((d) => (p: unknown[]) => {
        p[2] = typeof p[2] === "number" ? p[2] + d : d;
      }),
      fc.constantFrom(...ids).map((id) => (p: unknown[]) => {
        p[3] = id;
      }),
      fc.string().map((id) => (p: unknown[]) => {
        p[3] = id;
      }),
      fc.constantFrom(...issued.map((i) => decodePayload(splitToken(i.token).payload)[4])).map((b) => (p: unknown[]) => {
        p[4] = b;
      }),
      fc.string({ minLength: 1, maxLength: 20 }).map((b) => (p: unknown[]) => {
        p[4] = b;
      }),
      fc.constantFrom(0, 1, 3, "2", null).map((v) => (p: unknown[]) => {
        p[0] = v;
      }),
      fc.constant((p: unknown[]) => {
        p.push("extra");
      }),
    );
    let changed = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...issued), fc.array(edit, { minLength: 1, maxLength: 3 }), async (i, edits) => {
        const { payload, signature } = splitToken(i.token);
        const decoded = decodePayload(payload);
        expect(decoded[0]).toBe(2);
        const edited: unknown[] = [...decoded];
        for (const e of edits) e(edited);
        const forged = `${encodePayload(edited)}.${signature}`;
        fc.pre(forged !== i.token);
        changed += 1;
        expectRefusedToken(await sendAs(i, forged), {
          original: i.token,
          edited,
        });
      }),
      fcOptions(200),
    );
    expect(changed).toBeGreaterThan(100);
  });

  it("tokens from another server instance (another tokenSecret) are refused", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...foreignIssued), async (i) => {
        expectRefusedToken(await sendAs(i, i.token), { foreign: i.token });
      }),
      fcOptions(Math.min(100, foreignIssued.length * 3)),
    );
  });

  it("tokens signed in the right format with a guessed secret are refused", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...issued), fc.string({ minLength: 1 }), async (i, guess) => {
        fc.pre(guess !== SECRET);
        const [, seconds, us, id, binding] = decodePayload(splitToken(i.token).payload);
        const forged = new PageTokens(guess).issue({ s: seconds ?? Number.NEGATIVE_INFINITY, us, id }, binding);
        expectRefusedToken(await sendAs(i, forged), { guess });
      }),
      fcOptions(50),
    );
  });

  it("random strings as page_token are refused", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...issued),
        fc.oneof(
          fc.string({ unit: "grapheme", maxLength: 80 }),
          fc.string({
            unit: fc.constantFrom(...BASE64URL, "."),
            minLength: 1,
            maxLength: 120,
          }),
        ),
        async (i, garbage) => {
          fc.pre(garbage !== i.token);
          expectRefusedToken(await sendAs(i, garbage), { garbage });
        },
      ),
      fcOptions(150),
    );
  });
});

describe("a token is bound to its query and credentials", () => {
  interface Query {
    auth: Auth;
    /** Scope of the credential: tokens are bound to it. */
    scope: string;
    params: Params;
  }

  /** Filter sets over this dataset: statuses, directories, date bounds. */
  function queryArbitrary(): fc.Arbitrary<Query> {
    const all = api.store.all();
    const dates = [...new Set(all.map((b) => b.created_at).filter((d): d is string => typeof d === "string"))];
    const directories = [...new Set(all.map((b) => b.source_directory_id))];
    const credentials: { auth: Auth; scope: string }[] = [
      ...api.apiKeys.map((k) => ({
        auth: { bearer: k.key },
        scope: `${k.organization_id}/${k.project_id}`,
      })),
      ...api.sessions.map((s) => ({
        auth: { session: s.session },
        scope: `${s.organization_id}/${s.project_id}`,
      })),
    ];
    const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
    return fc
      .record({
        credential: fc.constantFrom(...credentials),
        status: optional(fc.constantFrom(...STATUSES)),
        source_directory_id: fc.option(fc.constantFrom(...directories), {
          nil: undefined,
          freq: 4,
        }),
        created_at_on_or_after: optional(fc.constantFrom(...dates.slice(Math.floor(dates.length / 2)))),
        created_at_on_or_before: optional(fc.constantFrom(...dates.slice(0, Math.floor(dates.length / 2)))),
      })
      .map(({ credential, ...filters }) => ({
        auth: credential.auth,
        scope: credential.scope,
        params: Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as Params,
      }));
  }

  const sameFilters = (a: Params, b: Params) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

  it("sent with other filters or other-scope credentials → 422; with the same query (any page_size) → the next page", async () => {
    let refusals = 0;
    let acceptances = 0;
    let withoutToken = 0;
    const reuse = queryArbitrary().chain((q) =>
      fc.tuple(
        fc.constant(q),
        // Half the time the same query, else another one (filters and/or credentials).
        fc.oneof(fc.constant(q), queryArbitrary()),
        fc.integer({ min: 1, max: 99 }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(reuse, async ([q, other, size]) => {
        const filters = sameFilters(q.params, other.params);
        const credential = JSON.stringify(q.auth) === JSON.stringify(other.auth);
        // Another credential of the same scope (a project key and its project's session) with the
        // same filters is a grey zone the spec leaves open: not asserted either way.
        fc.pre(!(filters && !credential && q.scope === other.scope));
        const first = asPage(await get(api, q.auth, { ...q.params, page_size: "1" }));
        if (!first.next_page_token) {
          withoutToken += 1;
          return;
        }
        const reply = await get(api, other.auth, {
          ...other.params,
          page_size: String(size),
          page_token: first.next_page_token,
        });
        if (filters && credential) {
          acceptances += 1;
          const page = asPage(reply);
          const whole = asPage(
            await get(api, q.auth, {
              ...q.params,
              page_size: String(size + 1),
            }),
          );
          expect(page.items.map((b) => b.id)).toEqual(whole.items.slice(1).map((b) => b.id));
        } else {
          refusals += 1;
          expectRefusedToken(reply, { issuedFor: q, sentWith: other });
        }
      }),
      fcOptions(300),
    );
    expect(refusals, `only ${refusals} refusals (${withoutToken} queries had one page)`).toBeGreaterThan(30);
    expect(acceptances, `only ${acceptances} acceptances (${withoutToken} queries had one page)`).toBeGreaterThan(30);
  });

  it("each filter alone is bound: changing, adding or removing it is refused", async () => {
    const orgKey = api.apiKeys.find((k) => k.project_id === null);
    if (!orgKey) throw new Error("no organization-wide key");
    const auth: Auth = { bearer: orgKey.key };
    const all = api.store.all().filter((b) => api.store.organizationOf(b.project_id) === orgKey.organization_id);
    const after = all[all.length - 5]?.created_at;
    const before = all[4]?.created_at;
    const directory = all[0]?.source_directory_id;
    if (!after || !before || !directory) throw new Error("the dataset is too small");
    const base: Params = {
      created_at_on_or_after: after,
      created_at_on_or_before: before,
      page_size: "2",
    };
    const first = asPage(await get(api, auth, base));
    const token = first.next_page_token;
    if (!token) throw new Error("expected a second page");
    // Control: the same query takes the token.
    expect((await get(api, auth, { ...base, page_token: token })).status).toBe(200);
    const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
    const variants: Params[] = [
      { ...base, created_at_on_or_after: shift(after, -1) },
      { ...base, created_at_on_or_after: shift(after, 1) },
      { ...base, created_at_on_or_before: shift(before, 1) },
      { ...base, created_at_on_or_before: shift(before, -1) },
      { ...base, created_at_on_or_before: "2999-01-01T00:00:00Z" },
      { page_size: "2", created_at_on_or_before: before },
      { page_size: "2", created_at_on_or_after: after },
      { page_size: "2" },
      { ...base, status: "FAILED" },
      { ...base, source_directory_id: directory },
    ];
    for (const params of variants) expectRefusedToken(await get(api, auth, { ...params, page_token: token }), params);
    const statusToken = asPage(await get(api, auth, { status: "RUNNING", page_size: "1" })).next_page_token;
    if (!statusToken) throw new Error("expected a second page of RUNNING");
    for (const status of STATUSES.filter((s) => s !== "RUNNING")) {
      expectRefusedToken(
        await get(api, auth, {
          status,
          page_size: "1",
          page_token: statusToken,
        }),
        { status },
      );
    }
    expectRefusedToken(await get(api, auth, { page_size: "1", page_token: statusToken }), "status removed");
  });

  it("another key (same or other organization) is refused", async () => {
    const scopeOf = (auth: Auth) => {
      const found =
        "bearer" in auth ? api.apiKeys.find((k) => k.key === auth.bearer) : api.sessions.find((s) => s.session === auth.session);
      if (!found) throw new Error(`unknown credential ${JSON.stringify(auth)}`);
      return `${found.organization_id}/${found.project_id}`;
    };
    let refused = 0;
    for (const i of issued) {
      for (const key of api.apiKeys) {
        if (scopeOf({ bearer: key.key }) === scopeOf(i.auth)) continue;
        expectRefusedToken(await get(api, { bearer: key.key }, { ...i.params, page_token: i.token }), { key: key.key });
        refused += 1;
      }
    }
    expect(refused).toBeGreaterThan(issued.length * 4);
  });

  it("without credentials the request is a 401, whatever the token", async () => {
    const i = issued[0];
    if (!i) throw new Error("no token");
    const reply = await get(api, undefined, {
      ...i.params,
      page_token: i.token,
    });
    expect(reply.status).toBe(401);
  });
});

describe("PageTokens (unit)", () => {
  const cursor = fc.record({
    s: fc.oneof(fc.integer({ min: -62_135_596_800, max: 253_402_300_799 }), fc.constant(Number.NEGATIVE_INFINITY)),
    us: fc.integer({ min: 0, max: 999_999 }),
    id: fc.string({ unit: "grapheme" }),
  });
  const binding = fc.string({ unit: "grapheme", maxLength: 40 });

  it("issue then read with the same binding gives the cursor back", () => {
    fc.assert(
      fc.property(cursor, binding, fc.string({ minLength: 1 }), (c, b, secret) => {
        const tokens = new PageTokens(secret);
        expect(tokens.read(tokens.issue(c, b), b)).toEqual({ cursor: c });
        // The same secret elsewhere reads it too.
        expect(new PageTokens(secret).read(tokens.issue(c, b), b)).toEqual({
          cursor: c,
        });
      }),
      fcOptions(300),
    );
  });

  it("a random secret per instance when none is given", () => {
    const c = { s: 1, us: 2, id: "bat-1" };
    const a = new PageTokens();
    expect(a.read(a.issue(c, "b"), "b")).toEqual({ cursor: c });
    expect(new PageTokens().read(a.issue(c, "b"), "b")).toEqual({
      error: "bad signature",
    });
  });

  it("another binding is refused as issued for another query", () => {
    fc.assert(
      fc.property(cursor, binding, binding, (c, b1, b2) => {
        fc.pre(b1 !== b2);
        const tokens = new PageTokens("s");
        expect(tokens.read(tokens.issue(c, b1), b2)).toEqual({
          error: "issued for another query",
        });
      }),
      fcOptions(300),
    );
  });

  it("another secret is refused as a bad signature", () => {
    fc.assert(
      fc.property(cursor, binding, fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (c, b, s1, s2) => {
        fc.pre(s1 !== s2);
        expect(new PageTokens(s2).read(new PageTokens(s1).issue(c, b), b)).toEqual({ error: "bad signature" });
      }),
      fcOptions(200),
    );
  });

  it("any string that is not an issued token is refused, never throws", () => {
    const tokens = new PageTokens("s");
    const real = tokens.issue({ s: 5, us: 0, id: "bat-5" }, "b");
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" })), (s) => {
        fc.pre(s !== real);
        const read = tokens.read(s, "b");
        expect("error" in read, JSON.stringify(read)).toBe(true);
      }),
      fcOptions(500),
    );
  });

  it("bind is deterministic and sensitive to every part and its position", () => {
    const part = fc.oneof(fc.string(), fc.integer(), fc.constant(null));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 8 }), fc.nat(), part, (parts, at, replacement) => {
        const index = at % parts.length;
        expect(PageTokens.bind(parts)).toBe(PageTokens.bind([...parts]));
        expect(PageTokens.bind(parts)).toMatch(/^[A-Za-z0-9_-]{16}$/);
        const changed = [...parts];
        changed[index] = replacement;
        fc.pre(JSON.stringify(changed) !== JSON.stringify(parts));
        expect(PageTokens.bind(changed)).not.toBe(PageTokens.bind(parts));
      }),
      fcOptions(300),
    );
  });
});
