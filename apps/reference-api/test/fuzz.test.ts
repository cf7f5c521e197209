/**
 * Malformed-input fuzz against one fault-free server: thousands of bad or odd requests (query
 * strings, credentials, paths, methods, raw bytes). Whatever comes in, the server never answers
 * 5xx, every 4xx (but HEAD's) is JSON with a `detail`, every 422 names a query parameter that was
 * sent, and every 200 holds only what the query may see, in the documented order.
 *
 * Requests go 20 at a time: each fast-check run is a batch of 20, so a failure shrinks to the
 * offending request and prints a replay seed.
 */
import { Agent, request } from "node:http";
import { connect } from "node:net";
import type { Batch } from "@llama-batches/client";
import { getSpec } from "@llama-batches/spec";
import { requestTarget } from "@llama-batches/spec/http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningReferenceApi, startReferenceApi } from "../src/index.js";
import { bearer, fcOptions, getList, LIST, organizationsOf, STATUSES } from "./helpers.js";

const BATCH = 20;
/** The operation's query parameters, from the spec: every one has a generator below (a test checks it). */
const KNOWN: readonly string[] = getSpec()
  .operation("listBatches")
  .query.map((p) => p.name);
/** Every operation's query parameters: what a 422 may name. */
const ANY_KNOWN: readonly string[] = getSpec().operations.flatMap((o) => o.query.map((p) => p.name));
const PAGE_SIZE = getSpec().operation("listBatches").pageSize ?? { default: 0, minimum: 0, maximum: 0 };
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] as const;

interface Scope {
  organization_id: string;
  project_id: string | null;
}
interface FuzzRequest {
  method: string;
  /** Request target: path and query. */
  path: string;
  headers: Record<string, string | string[]>;
  body?: string;
  /** The credential's scope, when the request carries exactly one valid credential. */
  scope?: Scope;
}
interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

let api: RunningReferenceApi;
let agent: Agent;
let sent = 0;
/** Project → organization for the scope checks, read from the keys (see helpers), not from the store. */
let organizationOf: Map<string, string>;
/** Real page tokens, so that the fuzz also sends valid tokens with the wrong query. */
const realTokens: string[] = [];

beforeAll(async () => {
  api = await startReferenceApi({ port: 0, seed: 21, size: 300 });
  agent = new Agent({ keepAlive: true, maxSockets: BATCH });
  organizationOf = organizationsOf(api);
  for (const k of api.apiKeys.slice(0, 3)) {
    for (const params of [{ page_size: 1 }, { page_size: 2, status: "FAILED" }]) {
      const token = ((await getList(api, bearer(k.key), params)).body as { next_page_token?: string }).next_page_token;
      if (token) realTokens.push(token);
    }
  }
  expect(realTokens.length).toBeGreaterThan(3);
});

afterAll(async () => {
  agent?.destroy();
  await api?.stop();
  console.info(`fuzz: ${sent} requests sent`);
});

/** Through node:http, which lets latin-1 bytes through in paths and header values. */
function sendRaw(r: FuzzRequest): Promise<Reply> {
  const { hostname, port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method: r.method, path: r.path, headers: r.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${r.method} ${r.path}`)));
    req.end(r.body);
  });
}

/** Through fetch (the normal client path). */
async function sendFetch(r: FuzzRequest): Promise<Reply> {
  const init: RequestInit = { method: r.method, headers: r.headers as Record<string, string> };
  if (r.body !== undefined && r.method !== "GET" && r.method !== "HEAD") init.body = r.body;
  const res = await fetch(`${api.url}${r.path}`, init);
  return { status: res.status, headers: Object.fromEntries(res.headers), text: await res.text() };
}

/** What the server sees of a request target: the same parse it does. */
/**
 * The path and query the server sees. An HTTP server takes the request target as sent: no
 * dot-segment resolution (`/api/v2/batches/../batches` is not the list), so neither does this.
 */
function target(path: string): { pathname: string; searchParams: URLSearchParams } {
  // The path percent-decoded, as uvicorn hands it on (the spec package's rule, shared by both servers).
  const { pathname, search } = requestTarget({ url: path });
  return { pathname, searchParams: new URLSearchParams(search) };
}

/** The routes of the API, by the test's own reading of the spec's paths (a batch id is one segment). */
const ROUTES: readonly [RegExp, "list" | "batch" | "cancel"][] = [
  [/^\/api\/v2\/batches$/, "list"],
  [/^\/api\/v2\/batches\/[^/]+$/, "batch"],
  [/^\/api\/v2\/batches\/[^/]+\/cancel$/, "cancel"],
];
const routeOfPath = (pathname: string) => ROUTES.find(([pattern]) => pattern.test(pathname))?.[1];

/** Which operation a request is for: list or create on the list's path, retrieve, cancel; undefined for none. */
function routeOf(r: FuzzRequest): "list" | "create" | "batch" | "cancel" | undefined {
  const route = routeOfPath(target(r.path).pathname);
  return route === "list" && r.method === "POST" ? "create" : route;
}

/**
 * Any other path: 404, or, for a path of the API with a trailing slash (or without one it has),
 * FastAPI's 307 to the other, query kept.
 */
function notTheList(r: FuzzRequest, reply: Reply): string[] {
  const { pathname } = target(r.path);
  const other = pathname.endsWith("/") ? pathname.slice(0, -1) : `${pathname}/`;
  if (routeOfPath(other)) {
    const sent = r.path.split("#")[0] ?? "";
    const query = sent.includes("?") ? sent.slice(sent.indexOf("?") + 1) : "";
    const location = query ? `${other}?${query}` : other;
    // A header cannot hold a CR, a space or an é raw: those go percent-encoded as UTF-8, the rest as is.
    const encoded = location.replace(/[^\x21-\x7e]/gu, (c) => {
      try {
        return encodeURIComponent(c);
      } catch {
        return "%EF%BF%BD"; // a lone surrogate, as UTF-8 writes it
      }
    });
    return reply.status === 307 && reply.headers.location === encoded
      ? []
      : [`expected 307 to ${location}, got ${reply.status} ${reply.headers.location}`];
  }
  return reply.status === 404 ? [] : [`expected 404 for ${pathname}, got ${reply.status}`];
}

/** What a request to retrieve, cancel or create may get: its method's 405, else a 401 without a key, else its answers. */
function otherOperation(r: FuzzRequest, reply: Reply): string[] {
  const route = routeOf(r);
  const method = route === "batch" ? ["GET", "HEAD"] : ["POST"];
  if (!method.includes(r.method)) {
    const allow = route === "batch" ? "GET, HEAD" : "POST";
    return reply.status === 405 && reply.headers.allow === allow ? [] : [`expected 405 with Allow: ${allow}, got ${reply.status}`];
  }
  // Random ids exist nowhere: a retrieve or cancel is a 404 (or a 422 for its query); a create is a 200, a 413 or a 422.
  const statuses = r.headers.authorization === undefined ? [401] : route === "create" ? [200, 413, 422] : [404, 422];
  return statuses.includes(reply.status) ? [] : [`expected ${statuses.join("/")}, got ${reply.status}`];
}

/** The generic invariants; returns what is wrong, empty when all is well. */
function violations(r: FuzzRequest, reply: Reply): string[] {
  const out: string[] = [];
  if (reply.status >= 500) out.push(`${reply.status} ${reply.text.slice(0, 200)}`);
  if (reply.status >= 400 && reply.status < 500 && r.method !== "HEAD") {
    let body: unknown;
    try {
      body = JSON.parse(reply.text);
    } catch {
      out.push(`${reply.status} body is not JSON: ${reply.text.slice(0, 200)}`);
    }
    const detail = (body as { detail?: unknown } | undefined)?.detail;
    if (typeof detail !== "string" && !Array.isArray(detail)) out.push(`${reply.status} body has no detail: ${reply.text.slice(0, 200)}`);
    if (reply.status === 422) {
      const sentNames = new Set(target(r.path).searchParams.keys());
      if (!Array.isArray(detail) || detail.length === 0) out.push(`422 without a list of issues: ${reply.text.slice(0, 200)}`);
      const creates = routeOf(r) === "create";
      for (const issue of Array.isArray(detail) ? (detail as { loc?: unknown; msg?: unknown; type?: unknown }[]) : []) {
        const loc = issue.loc;
        // A create's body issues are named under "body" (the body's own tests check which field).
        if (creates && Array.isArray(loc) && loc[0] === "body") continue;
        const named =
          Array.isArray(loc) && (loc.length === 2 || loc.length === 3) && loc[0] === "query" && typeof loc[1] === "string"
            ? loc[1]
            : undefined;
        if (!named || !ANY_KNOWN.includes(named) || !sentNames.has(named)) {
          out.push(`422 issue does not name a query parameter that was sent: ${JSON.stringify(issue)}`);
        }
        if (typeof issue.msg !== "string" || typeof issue.type !== "string")
          out.push(`422 issue without msg/type: ${JSON.stringify(issue)}`);
      }
    }
  }
  if (reply.status === 200 && r.method === "GET" && routeOf(r) === "list") out.push(...pageViolations(r, reply));
  return out;
}

/** A 200 page: only batches the credential may see, matching the filters sent, in order. */
function pageViolations(r: FuzzRequest, reply: Reply): string[] {
  const out: string[] = [];
  let body: { items?: Batch[]; next_page_token?: unknown };
  try {
    body = JSON.parse(reply.text) as typeof body;
  } catch {
    return [`200 body is not JSON: ${reply.text.slice(0, 200)}`];
  }
  if (!Array.isArray(body.items)) return [`200 without items: ${reply.text.slice(0, 200)}`];
  const items = body.items;
  const q = target(r.path).searchParams;
  const last = (name: string) => q.getAll(name).at(-1);
  const pageSize = last("page_size") === undefined ? PAGE_SIZE.default : Number(last("page_size")?.trim());
  if (!(pageSize >= PAGE_SIZE.minimum)) out.push(`200 although page_size=${last("page_size")}`);
  // Above the maximum, the maximum (decided).
  const limit = Math.min(pageSize, PAGE_SIZE.maximum);
  if (items.length > limit) out.push(`${items.length} items for page_size ${pageSize}`);
  if (body.next_page_token !== undefined && items.length !== limit) out.push(`a next_page_token after a short page (${items.length})`);
  const status = last("status");
  const directory = last("source_directory_id");
  const after = last("created_at_on_or_after");
  const before = last("created_at_on_or_before");
  for (const bound of [after, before]) {
    if (bound !== undefined && Number.isNaN(Date.parse(bound))) out.push(`date bound ${JSON.stringify(bound)} accepted but not an instant`);
  }
  items.forEach((b, i) => {
    const where = `item ${i} (${b.id}, ${b.status}, ${b.created_at})`;
    if (r.scope) {
      if (organizationOf.get(b.project_id) !== r.scope.organization_id) out.push(`${where} is outside the organization`);
      if (r.scope.project_id !== null && b.project_id !== r.scope.project_id) out.push(`${where} is outside the project`);
    }
    if (status !== undefined && b.status !== status) out.push(`${where} does not match status=${status}`);
    if (directory !== undefined && b.source_directory_id !== directory) out.push(`${where} is not in ${directory}`);
    const at = b.created_at ? Date.parse(b.created_at) : Number.NaN;
    if (after !== undefined && !(at >= Date.parse(after))) out.push(`${where} is before ${after}`);
    if (before !== undefined && !(at <= Date.parse(before))) out.push(`${where} is after ${before}`);
    const project = last("project_id");
    if (project !== undefined && b.project_id !== project) out.push(`${where} is not in project ${project}`);
    const previous = items[i - 1];
    if (previous?.created_at && b.created_at) {
      const p = Date.parse(previous.created_at);
      if (p < at || (p === at && previous.id <= b.id)) out.push(`${where} is out of order after ${previous.id}`);
    }
  });
  return out;
}

/**
 * Runs `runs` batches of 20 generated requests and requires no violation in any; checks that all
 * of them were sent, so that each test proves its own volume, whatever runs before or after it.
 */
async function fuzz(
  arb: fc.Arbitrary<FuzzRequest>,
  runs: number,
  send: (r: FuzzRequest) => Promise<Reply>,
  extra?: (r: FuzzRequest, reply: Reply) => string[],
): Promise<{ app: number; parser: number }> {
  const reached = { app: 0, parser: 0 };
  let mine = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(arb, { minLength: BATCH, maxLength: BATCH }), async (requests) => {
      const replies = await Promise.all(requests.map(send));
      sent += requests.length;
      mine += requests.length;
      const found = requests.flatMap((r, i) => {
        const reply = replies[i] as Reply;
        let problems: string[];
        if (reply.headers["x-request-id"] === undefined) {
          // Refused by node's HTTP parser before the app saw it (bytes HTTP/1.1 forbids in a
          // request target, say): a 400/431 in the spec's error shape all the same.
          reached.parser += 1;
          problems = reply.status === 400 || reply.status === 431 ? violations(r, reply) : [`parser-level ${reply.status}`];
        } else {
          reached.app += 1;
          problems = [...violations(r, reply), ...(extra?.(r, reply) ?? [])];
        }
        return problems.map((p) => `${r.method} ${JSON.stringify(r.path).slice(0, 300)} ${JSON.stringify(r.headers).slice(0, 300)} → ${p}`);
      });
      expect(found, found.slice(0, 5).join("\n")).toEqual([]);
    }),
    fcOptions(runs),
  );
  expect(mine).toBe(runs * BATCH);
  return reached;
}

// ---------------------------------------------------------------------------------------------
// Generators.

const latin1Char = fc
  .oneof({ arbitrary: fc.integer({ min: 0x20, max: 0x7e }), weight: 6 }, { arbitrary: fc.integer({ min: 0x80, max: 0xff }), weight: 1 })
  .map((c) => String.fromCharCode(c));
/** What node:http may put in a header value: tab, printable ASCII and latin-1 bytes. */
const latin1 = (maxLength: number) => fc.string({ unit: fc.oneof(latin1Char, fc.constant("\t")), maxLength });
const percentGarbage = fc.oneof(
  fc.constantFrom("%", "%%", "%zz", "%u0041", "%C3%28", "%00", "%FF%FE", "%E2%82", "%2", "%%32%35", "%252F", "%0d%0a", "%F0%9F%98"),
  fc.array(fc.constantFrom("%", "z", "2", "F", "C3", "%A", "="), { minLength: 1, maxLength: 12 }).map((a) => a.join("")),
);
const hostile: fc.Arbitrary<string> = fc.oneof(
  fc.constant(""),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ unit: "grapheme-ascii", minLength: 500, maxLength: 3_000 }),
  fc.string({ unit: "grapheme", minLength: 100, maxLength: 300 }),
  percentGarbage,
  fc.constantFrom(
    "\u0000",
    "null",
    "undefined",
    "[]",
    "{}",
    "NaN",
    "Infinity",
    "-0",
    "true",
    "😀",
    "\u202e",
    "ﷺ",
    "𝔘𝔫𝔦",
    "' OR 1=1 --",
    "<script>",
    "../../etc/passwd",
    " ",
    "+",
    "&",
    "=",
    "#",
    "?",
  ),
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt().map(String),
);

function valueFor(name: string): fc.Arbitrary<string> {
  const all = api.store.all();
  const dates = all.map((b) => b.created_at).filter((d): d is string => typeof d === "string");
  const date = fc.oneof(
    fc.constantFrom(...dates),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc
      .tuple(fc.constantFrom(...dates), fc.constantFrom("+00:00", "-05:30", "+14:00", "", "+2", "z", "+24:00", "+00:60"))
      .map(([d, tz]) => d.replace(/Z$/, tz)),
    fc.constantFrom("2026-05-01", "2026-05-01T00:00:00", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "yesterday", "1714567890", "T"),
  );
  const uuid = fc.oneof(
    fc.uuid(),
    fc.constantFrom(...api.apiKeys.map((k) => k.organization_id), ...api.store.all().map((b) => b.project_id)),
    fc.uuid().map((u) => u.toUpperCase()),
    fc.uuid().map((u) => u.replaceAll("-", "")),
    fc.constant("00000000-0000-0000-0000-000000000000"),
  );
  const specific: Record<string, fc.Arbitrary<string>> = {
    status: fc.oneof(
      fc.constantFrom(...STATUSES),
      fc.constantFrom(...STATUSES.map((s) => s.toLowerCase()), " PENDING", "FAILED ", "Failed"),
    ),
    page_size: fc.oneof(
      fc.integer({ min: -5, max: 110 }).map(String),
      fc.constantFrom("+5", " 5", "5 ", "05", "5.0", "1e1", "0x10", "0", "-0", "100", "101", "99999999999999999999999"),
    ),
    organization_id: uuid,
    project_id: uuid,
    source_directory_id: fc.oneof(fc.constantFrom(...all.map((b) => b.source_directory_id)), fc.string()),
    created_at_on_or_after: date,
    created_at_on_or_before: date,
    page_token: fc.oneof(
      fc.constantFrom(...realTokens),
      fc.constantFrom(...realTokens).map((t) => t.slice(0, -1)),
      fc.constantFrom(...realTokens).map((t) => `${t}=`),
    ),
  };
  const untested = KNOWN.filter((n) => !Object.hasOwn(specific, n));
  if (untested.length > 0) throw new Error(`the spec has parameters the fuzz has no generator for: ${untested.join(", ")}`);
  const known = KNOWN.includes(name) ? specific[name] : undefined;
  return known ? fc.oneof({ arbitrary: known, weight: 3 }, { arbitrary: hostile, weight: 1 }) : hostile;
}

const paramName: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...KNOWN), weight: 6 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 1 },
  {
    arbitrary: fc.constantFrom(
      "PAGE_SIZE",
      "page_size[]",
      "status ",
      "__proto__",
      "constructor",
      "session",
      "page-size",
      "expand",
      "total_size",
      "",
    ),
    weight: 1,
  },
);

function queryString(): fc.Arbitrary<string> {
  const pairs = fc.array(
    paramName.chain((n) => valueFor(n).map((v): [string, string] => [n, v])),
    { maxLength: 6 },
  );
  return fc
    .tuple(pairs, fc.constantFrom("encoded", "raw"), fc.boolean())
    .map(([ps, mode, repeat]) => {
      const list = repeat && ps[0] ? [...ps, ps[0]] : ps;
      // Raw: as typed, except trailing whitespace, which the HTTP request line itself swallows
      // (`GET /x?a=b  HTTP/1.1`), so the server could never see it.
      return mode === "encoded"
        ? new URLSearchParams(list).toString()
        : list
            .map(([k, v]) => `${k}=${v}`)
            .join("&")
            .trimEnd();
    })
    .filter((q) => q.length < 12_000);
}

type Credential = { headers: Record<string, string>; scope?: Scope };

function credential(): fc.Arbitrary<Credential> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...api.apiKeys).map((k) => ({ headers: { authorization: `Bearer ${k.key}` }, scope: k })), weight: 6 },
    { arbitrary: fc.constantFrom(...api.sessions).map((s) => ({ headers: { cookie: `session=${s.session}` }, scope: s })), weight: 2 },
    { arbitrary: fc.constant({ headers: {} }), weight: 1 },
    { arbitrary: fc.constant({ headers: { authorization: "Bearer llx-not-a-key" } }), weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------

describe("malformed-input fuzz (one fault-free server)", () => {
  it("random query strings: no 5xx, JSON 4xx with detail, 422 naming a parameter, 200 pages that obey the query", async () => {
    const arb = fc.tuple(queryString(), credential(), fc.constantFrom("GET", "GET", "GET", "HEAD")).map(
      ([q, c, method]): FuzzRequest => ({
        method,
        path: `${LIST}?${q}`,
        headers: c.headers,
        ...(c.scope ? { scope: c.scope } : {}),
      }),
    );
    const reached = await fuzz(arb, 70, sendFetch);
    expect(reached.parser).toBe(0);
  });

  it("the same through raw node:http with latin-1 bytes and percent garbage in the request target", async () => {
    const rawValue = fc.oneof(fc.string({ unit: fc.oneof(latin1Char, fc.constantFrom("%", "&", "=")), maxLength: 40 }), percentGarbage);
    const arb = fc
      .tuple(
        fc.array(fc.tuple(paramName, rawValue), { maxLength: 6 }),
        credential(),
        fc.constantFrom("GET", "HEAD"),
        fc.constantFrom("&", "&&", ";"),
        fc.constantFrom("", "", "", "/"),
      )
      .map(([pairs, c, method, separator, slash]): FuzzRequest => {
        // A raw request target may not hold spaces or controls: node:http refuses them client-side.
        const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v.replaceAll(" ", "%20")}`).join(separator);
        return { method, path: `${LIST}${slash}?${query}`, headers: c.headers, ...(c.scope ? { scope: c.scope } : {}) };
      });
    const reached = await fuzz(arb, 40, sendRaw, (r, reply) => (target(r.path).pathname !== LIST ? notTheList(r, reply) : []));
    expect(reached.app, JSON.stringify(reached)).toBeGreaterThan(reached.parser);
  });

  it("random and malformed Authorization headers and cookies: 200 only with a valid credential, else 401", async () => {
    const keys = api.apiKeys.map((k) => k.key);
    const sessions = api.sessions.map((s) => s.session);
    const someKey = fc.constantFrom(...keys);
    const someSession = fc.constantFrom(...sessions);
    const anyToken = fc.oneof(
      someKey,
      someKey.map((k) => k.toUpperCase()),
      someKey.map((k) => k.slice(0, -1)),
      someKey.map((k) => `${k}x`),
      someSession,
      latin1(40),
      fc.string({ unit: "grapheme-ascii", minLength: 1_000, maxLength: 6_000 }),
    );
    const authorization = fc.oneof(
      someKey.map((k) => `Bearer ${k}`),
      fc
        .tuple(
          fc.constantFrom("Bearer", "bearer", "BEARER", "Basic", "Token", "Bearer:", "", "Bearer Bearer"),
          fc.constantFrom(" ", "  ", "\t", "", " \t "),
          anyToken,
          fc.constantFrom("", " ", " extra", "\t", ",", ", Bearer x"),
        )
        .map(([scheme, space, token, tail]) => `${scheme}${space}${token}${tail}`),
      latin1(60),
    );
    const cookie = fc.oneof(
      someSession.map((s) => `session=${s}`),
      fc
        .tuple(
          fc.constantFrom("session", "Session", "SESSION", " session", "session ", "sess", "", "session=session"),
          fc.constantFrom("=", "==", "", "=\t"),
          anyToken,
          fc.constantFrom("", ";", "; other=1", "; session=bad", ";;;"),
          fc.constantFrom("", "a=b; ", ";", "session=; ", "=session; "),
        )
        .map(([name, eq, value, tail, head]) => `${head}${name}${eq}${value}${tail}`),
      latin1(60),
    );
    const arb = fc
      .record({
        authorization: fc.option(fc.oneof(authorization, fc.array(authorization, { minLength: 2, maxLength: 3 })), { nil: undefined }),
        cookie: fc.option(fc.oneof(cookie, fc.array(cookie, { minLength: 2, maxLength: 3 })), { nil: undefined }),
        method: fc.constantFrom("GET", "HEAD"),
      })
      // Under node's 16 KiB header limit: beyond it node itself answers 431, before the app.
      .filter((h) => JSON.stringify(h).length < 12_000)
      .map(({ authorization, cookie, method }): FuzzRequest => {
        const headers: Record<string, string | string[]> = {};
        if (authorization !== undefined) headers.authorization = authorization;
        if (cookie !== undefined) headers.cookie = cookie;
        return { method, path: `${LIST}?page_size=1`, headers };
      });
    let served = 0;
    let refused = 0;
    const reached = await fuzz(arb, 40, sendRaw, (r, reply) => {
      const out: string[] = [];
      const text = JSON.stringify(r.headers);
      const carriesCredential = keys.some((k) => text.includes(k)) || sessions.some((s) => text.includes(s));
      const exact = typeof r.headers.authorization === "string" && /^Bearer [^\s]+$/.test(r.headers.authorization);
      const exactValid = exact && keys.includes((r.headers.authorization as string).slice("Bearer ".length));
      if (reply.status === 200) served += 1;
      if (reply.status === 401) {
        refused += 1;
        if (reply.headers["www-authenticate"] !== "Bearer") out.push("401 without WWW-Authenticate: Bearer");
      }
      if (reply.status !== 200 && reply.status !== 401) out.push(`expected 200 or 401, got ${reply.status}`);
      if (reply.status === 200 && !carriesCredential) out.push("200 without any valid credential");
      if (exactValid && reply.status !== 200) out.push(`a valid "Bearer KEY" refused with ${reply.status}`);
      return out;
    });
    // Latin-1 bytes in header values are legal (obs-text): every request reaches the app.
    expect(reached.parser).toBe(0);
    expect(served).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });

  it("random paths under /api/v2/ and random methods: 404, 405, 307 or an operation's answers, never 5xx", async () => {
    const segment = fc.oneof(
      fc.webSegment(),
      fc.string({
        unit: fc.oneof(
          latin1Char.filter((c) => c !== " " && c !== "?" && c !== "#"),
          fc.constantFrom("%", "/"),
        ),
        maxLength: 20,
      }),
      fc.constantFrom(
        "batches",
        "BATCHES",
        "batches/",
        "%62atches",
        "..",
        ".",
        "%2e%2e",
        "batches;x",
        "batches.json",
        "",
        "bat-123",
        "v2",
        "cancel",
      ),
      percentGarbage,
    );
    const arb = fc
      .record({
        method: fc.constantFrom(...METHODS),
        segments: fc.array(segment, { minLength: 0, maxLength: 4 }),
        exact: fc.boolean(),
        query: fc.constantFrom("", "?page_size=1", "?status=BOGUS", "?%zz=%zz", "?page_size=0&page_size=1"),
        key: fc.option(fc.constantFrom(...api.apiKeys.map((k) => k.key)), { nil: undefined }),
        body: fc.option(fc.oneof(fc.string({ maxLength: 200 }), fc.json()), { nil: undefined }),
      })
      .map(({ method, segments, exact, query, key, body }): FuzzRequest => {
        const path = exact ? `${LIST}${query}` : `/api/v2/${segments.join("/")}${query}`;
        const withBody = body !== undefined && method !== "GET" && method !== "HEAD";
        return {
          method,
          path,
          headers: {
            ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
            // A length, always: node:http sends an OPTIONS or DELETE body unframed otherwise, and the
            // server then rightly reads it as the start of the next request on the connection.
            ...(withBody ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) } : {}),
          },
          ...(withBody ? { body } : {}),
        };
      });
    let others = 0;
    let lists = 0;
    const reached = await fuzz(arb, 40, sendRaw, (r, reply) => {
      const route = routeOf(r);
      if (route === undefined) return notTheList(r, reply);
      if (route !== "list") {
        others += 1;
        return otherOperation(r, reply);
      }
      lists += 1;
      if (r.method !== "GET" && r.method !== "HEAD") {
        return reply.status === 405 && reply.headers.allow === "GET, HEAD, POST"
          ? []
          : [`expected 405 with Allow: GET, HEAD, POST, got ${reply.status}`];
      }
      const expectedStatuses = r.headers.authorization === undefined ? [401] : [200, 422];
      return expectedStatuses.includes(reply.status) ? [] : [`expected ${expectedStatuses.join("/")}, got ${reply.status}`];
    });
    expect(lists).toBeGreaterThan(100);
    expect(others, "requests to retrieve, cancel or create").toBeGreaterThan(20);
    expect(reached.app, JSON.stringify(reached)).toBeGreaterThan(reached.parser);
  });
});

describe("odd inputs outside the generators", () => {
  it("odd request targets (asterisk, absolute-form, protocol-relative, backslashes) never give a 5xx", async () => {
    const key = api.apiKeys[0]?.key ?? "";
    const targets = [
      "*",
      "//",
      "//api/v2/batches",
      "//[",
      "//[::1",
      "/\\[",
      "/\\\\evil",
      "//a:b@c/",
      "//host:99999/api/v2/batches",
      "http://[/api/v2/batches",
      "http://127.0.0.1/api/v2/batches?page_size=1",
      "http://x:notaport/",
      "/api/v2/batches\\..\\batches",
    ];
    const found: string[] = [];
    for (const path of targets) {
      const reply = await sendRaw({ method: "GET", path, headers: { authorization: `Bearer ${key}` } });
      sent += 1;
      if (reply.status >= 500) found.push(`GET ${path} → ${reply.status} ${reply.text}`);
      else if (reply.status >= 400 && !/"detail"/.test(reply.text)) found.push(`GET ${path} → ${reply.status} without a JSON detail`);
    }
    expect(found, found.join("\n")).toEqual([]);
  });

  it("every date-time the server accepts is applied as that instant (odd but valid RFC 3339 spellings)", async () => {
    const key = api.apiKeys.find((k) => k.project_id === null);
    if (!key) throw new Error("no organization-wide key");
    const scoped = api.store.all().filter((b) => organizationOf.get(b.project_id) === key.organization_id);
    const mid = scoped[Math.floor(scoped.length / 2)]?.created_at;
    if (!mid) throw new Error("dataset too small");
    const midMs = Date.parse(mid);
    const day = mid.slice(0, 10);
    // [spelling, the instant it denotes (a leap second: anywhere within that second)]
    const spellings: [string, number, number][] = [
      [mid, midMs, midMs],
      [mid.replace("T", "t").replace("Z", "z"), midMs, midMs],
      [mid.replace("T", " "), midMs, midMs],
      [mid.replace("Z", "+00:00"), midMs, midMs],
      [mid.replace("Z", "-00:00"), midMs, midMs],
      [mid.replace(/\.(\d{3})Z$/, ".$1999999Z"), midMs, midMs + 1],
      [new Date(midMs + 2 * 3_600_000).toISOString().replace("Z", "+02:00"), midMs, midMs],
      [new Date(midMs + (23 * 60 + 59) * 60_000).toISOString().replace("Z", "+23:59"), midMs, midMs],
      [`${day}T23:59:60Z`, Date.parse(`${day}T23:59:59Z`), Date.parse(`${day}T23:59:59Z`) + 1_000],
      [`${day}T23:59:60.500Z`, Date.parse(`${day}T23:59:59Z`), Date.parse(`${day}T23:59:59Z`) + 1_000],
    ];
    const found: string[] = [];
    for (const [spelling, low, high] of spellings) {
      for (const param of ["created_at_on_or_after", "created_at_on_or_before"] as const) {
        const reply = await getList(api, bearer(key.key), { [param]: spelling, page_size: "100" });
        sent += 1;
        const body = reply.body as { items?: Batch[]; detail?: { loc: unknown[] }[] };
        if (reply.status === 422) {
          if (JSON.stringify(body.detail?.[0]?.loc) !== JSON.stringify(["query", param]))
            found.push(`${param}=${spelling} → 422 not naming it`);
          continue;
        }
        if (reply.status !== 200 || !body.items) {
          found.push(`${param}=${spelling} → ${reply.status}`);
          continue;
        }
        // Right for some instant in [low, high]: every item on the right side of high (after) / low (before)…
        const wrong = body.items.filter((b) => {
          const at = Date.parse(b.created_at ?? "");
          return param === "created_at_on_or_after" ? at < low : at > high;
        });
        // …and nothing missing on the right side of the other end (first page of at most 100).
        const should = scoped.filter((b) => {
          const at = Date.parse(b.created_at ?? "");
          return param === "created_at_on_or_after" ? at >= high : at <= low;
        });
        const got = new Set(body.items.map((b) => b.id));
        const missing = body.items.length === 100 ? [] : should.filter((b) => !got.has(b.id));
        if (wrong.length > 0)
          found.push(`${param}=${spelling} → 200 with ${wrong.length} items outside the bound, e.g. ${wrong[0]?.created_at}`);
        if (missing.length > 0) found.push(`${param}=${spelling} → 200 missing ${missing.length} items inside the bound`);
      }
    }
    expect(found, found.join("\n")).toEqual([]);
  });

  it("bytes the HTTP parser refuses (controls, bad versions, oversized headers) get a 4xx, and the server keeps serving", async () => {
    const { hostname, port } = new URL(api.url);
    const key = api.apiKeys[0]?.key ?? "";
    const raw = [
      "GET /api/v2/batches?\u0001 HTTP/1.1\r\nHost: x\r\n\r\n",
      `GET /api/v2/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\u0000\r\n\r\n`,
      "GET /api/v2/batches HTTP/1.1\r\nHost: x\r\nCookie: session=\u0007\r\n\r\n",
      "GET /api/v2/batches HTTP/9.9\r\nHost: x\r\n\r\n",
      "GARBAGE\r\n\r\n",
      `GET /api/v2/batches HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(70_000)}\r\n\r\n`,
      `GET /api/v2/batches?page_size=${"1".repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      "GET /api/v2/batches HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
      "GET /api/v2/batches HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
    ];
    const statusOf = (payload: string) =>
      new Promise<number>((resolve) => {
        const socket = connect(Number(port), hostname);
        let head = "";
        socket.setTimeout(5_000, () => socket.destroy());
        socket.on("data", (c: Buffer) => {
          head += c.toString("latin1");
          if (head.includes("\r\n")) socket.destroy();
        });
        socket.on("error", () => undefined);
        socket.on("close", () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0)));
        socket.write(Buffer.from(payload, "latin1"));
      });
    for (const payload of raw) {
      const status = await statusOf(payload);
      sent += 1;
      expect(status, JSON.stringify(payload.slice(0, 120))).toBeGreaterThanOrEqual(400);
      expect(status, JSON.stringify(payload.slice(0, 120))).toBeLessThan(500);
    }
    expect((await getList(api, bearer(key), { page_size: 1 })).status).toBe(200);
  });
});
