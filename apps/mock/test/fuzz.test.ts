/**
 * The mock, fuzzed from outside: hostile queries, random methods, paths under /api/v2/, bodies and
 * credentials through `node:http`, and raw bytes node's parser refuses through `node:net`, several
 * requests pipelined on one connection. Whatever comes in:
 *
 * - never a 5xx;
 * - every 4xx (other than to HEAD) has a JSON body with a `detail`;
 * - every 422 names a query parameter that was sent, or the body of an operation that takes one;
 * - a 307 only for an operation's path with a trailing slash (and always for it), to the path without it;
 * - a 405 lists the spec's methods for the path;
 * - a create's body is accepted exactly when the spec package accepts it (a 200), else a 422
 *   naming it under `body`;
 * - no connection hangs, and no answer is cut short or garbled.
 *
 * Requests go 20 at a time (Prism answers about a thousand a second); every one is counted.
 */
import { Agent, request } from "node:http";
import { getSpec } from "@llama-batches/spec";
import { requestTarget } from "@llama-batches/spec/http";
import fc from "fast-check";
import { afterAll, afterEach, expect, inject, test } from "vitest";
import { exchange, type RawResponse } from "./raw-http.js";

const mock = { url: inject("mockUrl") };
const { hostname, port } = new URL(mock.url);
const spec = getSpec();
const LIST = spec.operation("listBatches").path;
const SEED = Number(process.env.FAST_CHECK_SEED ?? Date.now() % 2 ** 31);
const BATCH = 20;

let sent = 0;
/** Requests sent by each test, for the summary. */
const byTest: string[] = [];
let mark = 0;
afterEach((context) => {
  byTest.push(`${context.task.name.split(/[:,]/)[0]}: ${sent - mark}`);
  mark = sent;
});
afterAll(() => {
  console.info(`mock fuzz: ${sent} requests`);
  console.info(`  (${byTest.join(", ")})`);
});

// ---------------------------------------------------------------------------------------------
// What is sent

// The spec's parameters, one it does not declare, and two in another case.
const PARAMS = [...new Set(spec.operations.flatMap((o) => o.query.map((p) => p.name))), "Page_Size", "STATUS"];

const hostileValue = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.integer().map(String),
  fc.constantFrom(
    "",
    "null",
    "[]",
    "1e309",
    "-0",
    "1e1",
    "0x10",
    "2016-12-31T23:59:60Z",
    "2026-01-01T00:00:00Z",
    "FAILED",
    "a".repeat(3_000),
  ),
);

/** Query strings mixing real and unknown parameters, repeated ones, hostile values, raw escapes. */
const queryArb = fc
  .array(
    fc.oneof(
      {
        weight: 5,
        arbitrary: fc
          .tuple(fc.oneof(fc.constantFrom(...PARAMS), fc.string()), hostileValue)
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
      },
      // Sent as they are: escapes that do not decode, a bare name, a plus.
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "%",
          "%zz",
          "%00",
          "%ff",
          "page_size",
          "page_size=",
          "=1",
          "status=a+b",
          "page_size=%2B1",
          "&&",
          "page_size=1#frag",
        ),
      },
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join("&"));

const segmentArb = fc.oneof(
  { weight: 10, arbitrary: fc.constant("batches") },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "batches/",
      "batches//",
      "batches/bat-1",
      "batches/bat-1/",
      "batches/bat-1/cancel",
      "batches/bat-1/cancel/",
      "batches/bat-1/nope",
      "batches/%62at-1/cancel",
      "Batches",
      "%62atches",
      "batches%2F",
      "batches;x",
      "",
      "nope",
      "batches/..",
      "./batches",
      "batches.json",
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }).map(encodeURIComponent) },
);

/** Origin-form mostly, absolute-form sometimes. */
const pathArb = fc
  .tuple(
    fc.constantFrom("/api/v2/", "/api/v2/", "/api/v2/", "http://example.com/api/v2/", "http://[::1]:9/api/v2/", "/api//v2/"),
    segmentArb,
  )
  .map(([prefix, segment]) => prefix + segment);

/** Refused by node's parser before any routing. */
const UNKNOWN_METHODS = ["BREW", "FOO", "QUERYX"];

const methodArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant("GET") },
  { weight: 3, arbitrary: fc.constant("HEAD") },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "POST",
      "PUT",
      "PATCH",
      "DELETE",
      "OPTIONS",
      "TRACE",
      "PURGE",
      "PROPFIND",
      "SEARCH",
      "LINK",
      "REPORT",
      "MKCOL",
      "LOCK",
    ),
  },
  // Methods node's parser does not know: a 400 in the API's shape.
  { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_METHODS) },
);

const headersArb = fc
  .record(
    {
      authorization: fc.constantFrom(
        "Bearer t",
        "bearer t",
        "BEARER t",
        "Bearer",
        "Bearer a b",
        "Token t",
        "Basic dXNlcjpwYXNz",
        "",
        " Bearer  t ",
        "Bearer\tt",
      ),
      cookie: fc.constantFrom("session=abc", "session=", 'session="q"', "session=a=b", "other=1", "session=1; session=2", "junk"),
      // Prism's own answers: examples by name, declared and undeclared statuses (none a 422 or 5xx,
      // which would be asking for them).
      prefer: fc.constantFrom(
        "example=final-page",
        "example=middle-page",
        "example=empty",
        "example=nope",
        "code=401",
        "code=404",
        "code=429",
        "code=418",
      ),
      accept: fc.constantFrom("application/json", "*/*", "application/xml", "text/html"),
      "content-type": fc.constantFrom(
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
      ),
      "x-junk": fc.string({ maxLength: 40 }).map(encodeURIComponent),
    },
    { requiredKeys: [] },
  )
  // Mostly with a valid bearer, so that the query and the route are what is judged.
  .chain((headers) =>
    fc.boolean().map((authed) => (authed && headers.authorization === undefined ? { ...headers, authorization: "Bearer t" } : headers)),
  );

const bodyArb = fc.option(
  fc.oneof(
    fc.string().map((s) => Buffer.from(s)),
    fc.json().map((s) => Buffer.from(s)),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  ),
  { nil: undefined, freq: 3 },
);

interface FuzzRequest {
  method: string;
  target: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

const requestArb: fc.Arbitrary<FuzzRequest> = fc
  .record({ method: methodArb, path: pathArb, query: fc.option(queryArb, { nil: undefined }), headers: headersArb, body: bodyArb })
  .map(({ method, path, query, headers, body }) => ({ method, target: query === undefined ? path : `${path}?${query}`, headers, body }));

// ---------------------------------------------------------------------------------------------
// What must hold

/**
 * The path and query of a target (origin- or absolute-form), the path percent-decoded as uvicorn
 * hands it on: the spec package's rule, which both servers follow.
 */
function split(target: string): { pathname: string; search: string } {
  return requestTarget({ url: target });
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function check(method: string, target: string, answer: Answer): void {
  const what = `${method} ${target} → ${answer.status} ${answer.body.slice(0, 300)}`;
  const { pathname, search } = split(target);
  const route = UNKNOWN_METHODS.includes(method) ? undefined : spec.route(method, pathname);
  const takesBody = route !== undefined && "operation" in route && route.operation.requestBody !== undefined;
  expect(answer.status, what).toBeLessThan(500);
  if (answer.status >= 400 && method !== "HEAD") {
    expect(answer.headers["content-type"], what).toBe("application/json");
    const body = JSON.parse(answer.body) as { detail?: unknown };
    expect(typeof body === "object" && body !== null && "detail" in body, what).toBe(true);
    if (answer.status === 422) {
      const names = new Set(new URLSearchParams(search).keys());
      const detail = body.detail as { loc: unknown[] }[];
      expect(detail.length, what).toBeGreaterThan(0);
      for (const { loc } of detail) {
        if (loc[0] === "body" && takesBody) continue;
        expect(loc[0], what).toBe("query");
        expect(names.has(String(loc[1])), `${what}: ${String(loc[1])} was not sent`).toBe(true);
      }
    }
  }
  // Only an operation's path with a trailing slash redirects, whatever the method (the parser knows), and always.
  if (answer.status === 307 || (route && "redirect" in route)) {
    const to = route && "redirect" in route ? route.redirect : undefined;
    expect([answer.status, answer.headers.location], what).toEqual([307, search ? `${to}?${search}` : to]);
  }
  if (answer.status === 405 || (route && "allowed" in route)) {
    const allowed = route && "allowed" in route ? route.allowed.join(", ") : undefined;
    expect([answer.status, answer.headers.allow], what).toEqual([405, allowed]);
  }
}

// ---------------------------------------------------------------------------------------------
// Sending

const agent = new Agent({ keepAlive: true, maxSockets: BATCH });
afterAll(() => agent.destroy());

function send({ method, target, headers, body }: FuzzRequest): Promise<Answer> {
  sent += 1;
  return new Promise((resolve, reject) => {
    const outgoing: Record<string, string | number> = { ...headers };
    // Framed by its length: node:http would send a GET or OPTIONS body unframed.
    if (body) outgoing["content-length"] = body.length;
    const req = request({ host: hostname, port, method, path: target, headers: outgoing, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", (error) => reject(new Error(`${method} ${target}: ${error.message}`)));
    // An answer that never comes is a failure too, named.
    req.setTimeout(10_000, () =>
      req.destroy(new Error(`no answer in 10 s (headers ${JSON.stringify(headers)}, body ${body?.length ?? "none"})`)),
    );
    req.end(body);
  });
}

const fcOptions = (numRuns: number) => ({ numRuns, seed: SEED, endOnFailure: true });

test("hostile queries on the list: 200, or a 4xx with a JSON detail; a 422 names what was sent", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(queryArb, fc.boolean()), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      await Promise.all(
        batch.map(async ([query, authed]) => {
          const target = `${LIST}?${query}`;
          const answer = await send({ method: "GET", target, headers: authed ? { authorization: "Bearer t" } : {}, body: undefined });
          check("GET", target, answer);
          expect([200, 401, 422], `${target} → ${answer.status}`).toContain(answer.status);
        }),
      );
    }),
    fcOptions(20),
  );
});

test("random methods, paths, queries, bodies and credentials: never a 5xx, errors in the API's shape", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(requestArb, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      await Promise.all(batch.map(async (r) => check(r.method, r.target, await send(r))));
    }),
    fcOptions(100),
  );
}, 60_000);

// ---------------------------------------------------------------------------------------------
// Create bodies

const CREATE = spec.operation("createBatch").path;
const [requestExample] = Object.values(spec.requestExamples("createBatch"));
const VALID_BODY = requestExample?.value;

/** Every path into the spec's own request example, and a few it does not have: where to break it. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== "object" || value === null) return [prefix];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}
const BODY_PATHS = [...pathsOf(VALID_BODY).filter((p) => p.length > 0), ["surplus"], ["config", "surplus"], ["config", "job", "surplus"]];

/** Values of every JSON type, the enums' own values among them (so that a change may stay valid). */
const jsonValueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...spec.enumOf("BatchJobType"), ...spec.enumOf("BatchStatus"), "", "cfg-x", "dir-x", "https://example.com/hook"),
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
);

/** The spec's example with some values changed or removed. */
const mutatedBodyArb = fc
  .array(fc.tuple(fc.constantFrom(...BODY_PATHS), fc.option(jsonValueArb, { nil: undefined, freq: 4 })), { maxLength: 3 })
  .map((changes) => {
    const body = structuredClone(VALID_BODY) as unknown;
    for (const [path, value] of changes) {
      let node = body as Record<string | number, unknown> | null;
      for (const key of path.slice(0, -1)) node = typeof node?.[key] === "object" ? (node[key] as Record<string | number, unknown>) : null;
      const last = path.at(-1);
      if (!node || last === undefined) continue;
      if (value === undefined) delete node[last];
      else node[last] = value;
    }
    return JSON.stringify(body);
  });

const createBodyArb = fc.oneof(
  { weight: 6, arbitrary: mutatedBodyArb },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: mutatedBodyArb.chain((text) => fc.nat(text.length).map((n) => text.slice(0, n))) },
  { weight: 1, arbitrary: fc.string() },
);
const contentTypeArb = fc.constantFrom(
  "application/json",
  "application/json",
  "application/json; charset=utf-8",
  undefined,
  "text/plain",
  "application/problem+json",
);

test("create bodies: a 200 exactly when the spec package accepts the body, else a 422 naming it under body", async () => {
  expect(VALID_BODY, "the spec has a createBatch request example").toBeDefined();
  let accepted = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(createBodyArb, contentTypeArb), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      await Promise.all(
        batch.map(async ([text, contentType]) => {
          const headers: Record<string, string> = { authorization: "Bearer t" };
          if (contentType) headers["content-type"] = contentType;
          const answer = await send({ method: "POST", target: CREATE, headers, body: Buffer.from(text) });
          check("POST", CREATE, answer);
          const verdict = spec.parseBody("createBatch", text, contentType);
          const what = `POST ${contentType} ${text} → ${answer.status} ${answer.body.slice(0, 300)}`;
          if (verdict.ok) {
            accepted += 1;
            expect(answer.status, what).toBe(200);
          } else {
            refused += 1;
            expect(answer.status, what).toBe(422);
            // The spec package's own words, not reworded: the reference API sends the same.
            expect(JSON.parse(answer.body), what).toEqual({ detail: verdict.issues });
            for (const { loc } of verdict.issues) expect(loc[0], what).toBe("body");
          }
        }),
      );
    }),
    fcOptions(15),
  );
  // Both sides were exercised, or the property proves little.
  expect([accepted > 0, refused > 0]).toEqual([true, true]);
}, 60_000);

// ---------------------------------------------------------------------------------------------
// Raw bytes

/** One request's bytes, and whether it is sane (what the parser accepts as written). */
interface RawRequest {
  method: string;
  target: string;
  bytes: Buffer;
  /** How fast-check prints it: the bytes, cut short (a 1 MB query would drown the report). */
  [fc.toStringMethod]: () => string;
}

/** Bytes as a short, readable string. */
const show = (bytes: Buffer): string => {
  const text = bytes.toString("latin1");
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 240)}…(${text.length} bytes)…${text.slice(-40)}` : text);
};

/** What breaks a request for node's parser, and what merely looks odd. */
const injectionArb = fc.constantFrom(
  "none",
  "none",
  "none",
  "0xff-in-target",
  "nul-in-target",
  "space-in-target",
  "nul-in-header",
  "0xff-in-header",
  "obs-fold",
  "no-colon",
  "space-before-colon",
  "cl-and-te",
  "two-lengths",
  "bad-chunk",
  "big-header",
  "big-query",
  "http-1.0",
  "http-2",
  "lowercase-method",
  "no-host",
  "expect-continue",
);

const rawRequestArb: fc.Arbitrary<RawRequest> = fc
  .record({
    method: fc.constantFrom("GET", "GET", "GET", "HEAD", "HEAD", "POST", "DELETE", "OPTIONS", "BREW"),
    path: pathArb,
    query: fc.option(queryArb, { nil: undefined }),
    authorization: fc.constantFrom("Bearer t", "Bearer t", "bearer t", "Token t", ""),
    body: fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: undefined }),
    chunked: fc.boolean(),
    injection: injectionArb,
  })
  .map(({ method: m, path, query, authorization, body, chunked, injection }) => {
    const method = injection === "lowercase-method" ? m.toLowerCase() : m;
    let target = query === undefined ? path : `${path}?${query}`;
    if (injection === "big-query") target = `${target}${query === undefined ? "?" : "&"}q=${"a".repeat(1_000_000)}`;
    const version = injection === "http-1.0" ? "HTTP/1.0" : injection === "http-2" ? "HTTP/2.0" : "HTTP/1.1";
    const head: string[] = [];
    if (injection !== "no-host") head.push("host: mock");
    if (authorization) head.push(`authorization: ${authorization}`);
    if (injection === "nul-in-header") head.push("x-a: a\0b");
    if (injection === "obs-fold") head.push("x-a: a", " folded");
    if (injection === "no-colon") head.push("x-a");
    if (injection === "space-before-colon") head.push("x-a : b");
    if (injection === "big-header") head.push(`x-big: ${"b".repeat(20_000)}`);
    if (injection === "expect-continue") head.push("expect: 100-continue");
    let payload = Buffer.alloc(0);
    if (body || injection === "cl-and-te" || injection === "two-lengths" || injection === "bad-chunk") {
      const data = Buffer.from(body ?? [1, 2, 3]);
      if (injection === "cl-and-te") {
        head.push(`content-length: ${data.length}`, "transfer-encoding: chunked");
      } else if (injection === "two-lengths") {
        head.push(`content-length: ${data.length}`, `content-length: ${data.length + 1}`);
      } else if (injection === "bad-chunk") {
        head.push("transfer-encoding: chunked");
      } else if (chunked) {
        head.push("transfer-encoding: chunked");
      } else {
        head.push(`content-length: ${data.length}`);
      }
      const framedAsChunks = injection === "cl-and-te" || injection === "bad-chunk" || (chunked && injection !== "two-lengths");
      payload =
        injection === "bad-chunk"
          ? Buffer.from("zz\r\nabc\r\n0\r\n\r\n")
          : framedAsChunks
            ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n0\r\n\r\n")])
            : data;
    }
    let line = Buffer.from(`${method} ${target} ${version}`, "latin1");
    if (injection === "0xff-in-target" || injection === "nul-in-target" || injection === "space-in-target") {
      const byte = injection === "0xff-in-target" ? 0xff : injection === "nul-in-target" ? 0x00 : 0x20;
      const at = method.length + 1 + Math.min(4, target.length);
      line = Buffer.concat([line.subarray(0, at), Buffer.from([byte]), line.subarray(at)]);
    }
    let headBytes = Buffer.from(`${head.join("\r\n")}\r\n\r\n`, "latin1");
    if (injection === "0xff-in-header")
      headBytes = Buffer.concat([Buffer.from("x-b: a"), Buffer.from([0xff]), Buffer.from("b\r\n"), headBytes]);
    const bytes = Buffer.concat([line, Buffer.from("\r\n"), headBytes, payload]);
    return { method, target, bytes, [fc.toStringMethod]: () => show(bytes) };
  });

/** One connection: one to four requests, pipelined, the last asking to close; sometimes half-closed. */
const connectionArb = fc.record({
  requests: fc.array(rawRequestArb, { minLength: 1, maxLength: 4 }),
  halfClose: fc.boolean(),
});

/** A response on a connection, checked against the request it answers when the pairing is sure. */
function checkRaw(requests: readonly RawRequest[], responses: readonly RawResponse[], context: string): void {
  for (const [i, response] of responses.entries()) {
    const request = requests[i];
    const what = `${context} #${i}: ${response.status} ${response.body.slice(0, 200)}`;
    expect(response.status, what).toBeLessThan(500);
    if (response.status >= 400 && !response.bodyless) {
      expect(response.headers["content-type"], what).toBe("application/json");
      expect(JSON.parse(response.body), what).toHaveProperty("detail");
    }
    // A body-less 4xx is only ever the answer to a HEAD.
    if (response.status >= 400 && response.bodyless) expect(request?.method, what).toBe("HEAD");
    // Requests are answered in order; a refused one is answered last. A well-formed request gets
    // the answer the invariants above describe.
    if (request && response.status !== 400 && response.status !== 431 && response.status !== 408) {
      check(request.method, request.target, {
        status: response.status,
        headers: response.headers,
        body: response.bodyless ? "" : response.body,
      });
    }
  }
}

test("raw bytes, pipelined: whatever the parser refuses is answered whole, in the API's shape, after what came before", async () => {
  // A client that never finishes its headers gets a 408 once the headers deadline passes.
  const slow = exchange(mock.url, `GET ${LIST} HTTP/1.1\r\nhost: mock\r\n`, { timeoutMs: 12_000 });
  sent += 1;
  await fc.assert(
    fc.asyncProperty(fc.array(connectionArb, { minLength: BATCH, maxLength: BATCH }), async (connections) => {
      await Promise.all(
        connections.map(async ({ requests, halfClose }) => {
          sent += requests.length;
          // The last asks to close, so that a connection whose requests are all fine ends too.
          const last = requests.length - 1;
          const bytes = Buffer.concat(
            requests.map((r, i) =>
              i === last ? Buffer.from(r.bytes.toString("latin1").replace("\r\n", "\r\nconnection: close\r\n"), "latin1") : r.bytes,
            ),
          );
          const { responses, rest, timedOut } = await exchange(mock.url, bytes, { timeoutMs: 12_000, halfClose });
          const context = `${requests.map((r) => show(r.bytes)).join(" + ")}${halfClose ? " (half-closed)" : ""}`;
          expect(timedOut, `${context}: hung`).toBe(false);
          expect(rest, `${context}: a cut or garbled answer`).toBe("");
          expect(responses.length, `${context}: no answer`).toBeGreaterThan(0);
          expect(responses.length, context).toBeLessThanOrEqual(requests.length);
          checkRaw(requests, responses, context);
        }),
      );
    }),
    fcOptions(20),
  );
  const { responses } = await slow;
  expect(responses.map((r) => [r.status, JSON.parse(r.body)])).toEqual([[408, { detail: "Request timeout" }]]);
}, 60_000);
