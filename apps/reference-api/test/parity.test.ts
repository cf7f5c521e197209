/**
 * The mock and the reference API refuse the same malformed queries with the same FastAPI body:
 * every parameter the spec declares, several wrong values each (from the contract suite's own
 * invalid values, plus empty and repeated ones), then arbitrary junk under fast-check. And they
 * meet HTTP the same way, as decided: HEAD, 405 with Allow, the trailing-slash 307, absolute-form
 * targets, a body on a GET, credentials, what node's parser refuses.
 */
import { connect } from "node:net";
import { invalidValues } from "@llama-batches/contract";
import { type RunningMock, startMock } from "@llama-batches/mock";
import { getSpec } from "@llama-batches/spec";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BODY_LIMIT_BYTES, BODY_TIMEOUT_MS, type RunningReferenceApi, startReferenceApi } from "../src/index.js";
import { batchPath, CREATE_PATH, cancelPath, EXAMPLE_BODY } from "./batches.js";
import { fcOptions } from "./helpers.js";

const list = getSpec().operation("listBatches");
let mock: RunningMock;
let reference: RunningReferenceApi;
let key: string;
let session: string;

beforeAll(async () => {
  [mock, reference] = await Promise.all([startMock(), startReferenceApi({ seed: 2, size: 50 })]);
  key = reference.apiKeys[0]?.key ?? "";
  session = reference.sessions[0]?.session ?? "";
});
afterAll(async () => {
  await Promise.all([mock?.stop(), reference?.stop()]);
});

/** What each server needs to let a request in: the mock takes any bearer token and any session. */
interface Credentials {
  bearer: string;
  session: string;
}

/** Raw request bytes for a server, from its credentials, and a body. */
interface RawRequest {
  head: (c: Credentials) => string;
  body?: string;
}

interface Answer {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** The JSON body, the raw text when it is not JSON, "" when there is none. */
  body: unknown;
}

/**
 * The same request to both servers, each with its own credentials: a query on the list by `fetch`,
 * or (`raw`) any bytes over `node:net`, for what `fetch` will not send: an absolute-form target,
 * HEAD, a body on a GET, an unknown method, bytes node's parser refuses.
 */
async function both(request: string | RawRequest): Promise<[Answer, Answer]> {
  const ask = async (base: string, credentials: Credentials): Promise<Answer> => {
    if (typeof request === "string") {
      const res = await fetch(`${base}/api/v2/batches?${request}`, { headers: { authorization: `Bearer ${credentials.bearer}` } });
      return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.json() };
    }
    return sendRaw(base, request.head(credentials), request.body);
  };
  return Promise.all([ask(mock.url, { bearer: "test", session: "abc" }), ask(reference.url, { bearer: key, session })]);
}

/** What the comparisons of queries look at: the status and the body (headers differ: dates, request ids). */
const core = ({ status, body }: Answer) => ({ status, body });

/** One request over a socket of its own, `connection: close` added; its one answer. */
function sendRaw(base: string, head: string, body = ""): Promise<Answer> {
  const { hostname, port } = new URL(base);
  const [line = "", ...headers] = head.split("\r\n");
  const bytes = Buffer.from([line, ...headers, "connection: close", "", body].join("\r\n"), "latin1");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const timer = setTimeout(() => socket.destroy(new Error(`no answer to ${JSON.stringify(line)} in 10 s`)), 10_000);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return reject(new Error(`no answer to ${JSON.stringify(line)}: ${JSON.stringify(text)}`));
      const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
      const answerHeaders: Record<string, string> = {};
      for (const h of lines) answerHeaders[h.slice(0, h.indexOf(":")).trim().toLowerCase()] = h.slice(h.indexOf(":") + 1).trim();
      const raw = text.slice(end + 4);
      let parsed: unknown = raw;
      try {
        parsed = raw === "" ? "" : JSON.parse(raw);
      } catch {
        // Not JSON: kept as text, so that a failing assertion shows it.
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers: answerHeaders, body: parsed });
    });
  });
}

const cases = list.query.flatMap((p) => [...invalidValues(p), "", " ", "%00"].map((value) => [p.name, value] as const));

describe("mock and reference API: the same 422 for the same malformed query", () => {
  test("every parameter has several wrong values here", () => {
    for (const p of list.query) expect(cases.filter(([name]) => name === p.name).length, p.name).toBeGreaterThanOrEqual(3);
  });

  test.each(cases)("%s=%j", async (name, value) => {
    const query = new URLSearchParams({ [name]: value }).toString();
    const [fromMock, fromReference] = await both(query);
    const expected = getSpec().parseQuery(list.id, new URLSearchParams(query));
    if (expected.ok) {
      // Valid for the schema (a free-form string): the mock serves it; only the reference API knows
      // which page tokens it minted, so it may refuse a token, and nothing else.
      expect(fromMock.status).toBe(200);
      expect(fromReference.status).toBe(name === "page_token" ? 422 : 200);
      return;
    }
    expect(core(fromMock)).toEqual({ status: 422, body: { detail: expected.issues } });
    expect(core(fromReference)).toEqual(core(fromMock));
  });

  test("several bad parameters at once, repeated parameters, and names in another case", async () => {
    const cases = {
      "status=nope&page_size=x&project_id=1": 422,
      "page_size=abc&page_size=3": 200,
      "page_size=3&page_size=abc": 422,
      "Page_Size=500&STATUS=x": 200,
    };
    for (const [query, status] of Object.entries(cases)) {
      const [fromMock, fromReference] = await both(query);
      expect([query, fromMock.status, fromReference.status]).toEqual([query, status, status]);
      if (status === 422) expect(fromMock.body).toEqual(fromReference.body);
    }
  });

  test("arbitrary junk in every parameter: whatever the spec refuses, both refuse with the same body", async () => {
    const names = list.query.map((p) => p.name);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...names), fc.string({ unit: "binary", maxLength: 12 })), { minLength: 1, maxLength: 3 }),
        async (pairs) => {
          const query = new URLSearchParams(pairs).toString();
          const [fromMock, fromReference] = await both(query);
          if (getSpec().parseQuery(list.id, new URLSearchParams(query)).ok) {
            expect(fromMock.status).toBe(200);
          } else {
            expect(fromMock.status).toBe(422);
            expect(core(fromReference)).toEqual(core(fromMock));
          }
        },
      ),
      fcOptions(150),
    );
  });
});

describe("mock and reference API: HTTP met the same way, as decided", () => {
  const LIST = list.path;
  const bearer = (c: Credentials) => `authorization: Bearer ${c.bearer}`;
  /** A request; its headers from the credentials (a valid bearer unless said otherwise). */
  const request = (
    method: string,
    target: string,
    headers: (c: Credentials) => string[] = (c) => [bearer(c)],
    body?: string,
  ): RawRequest => ({
    head: (c) => [`${method} ${target} HTTP/1.1`, "host: api", ...headers(c)].join("\r\n"),
    ...(body === undefined ? {} : { body }),
  });
  const get = (target: string, ...headers: string[]) => request("GET", target, (c) => [bearer(c), ...headers]);
  const withBody = (target: string, headers: string[], body: string) => request("GET", target, (c) => [bearer(c), ...headers], body);
  const invalidPageSize = { type: "int_parsing", loc: ["query", "page_size"] };
  const tooLarge = getSpec().responseExamples("createBatch", 413).default?.value;
  const piece = "x".repeat(16 * 1024);
  /** Chunks past the limit, and no last chunk: the answer must not wait for the end. */
  const pastTheLimit = Array.from({ length: BODY_LIMIT_BYTES / piece.length + 1 }, () => `4000\r\n${piece}\r\n`).join("");
  /** One case: its request, the status on both, what both must show besides. Error bodies must be equal in every case. */
  const at = (name: string, req: RawRequest, status: number, shown: Record<string, unknown> = {}) => ({ name, req, status, shown });

  const cases = [
    // A body on an operation that takes none is ignored (FastAPI), never a 415 or a 422 about it.
    at("GET with a JSON body", withBody(LIST, ["content-type: application/json", "content-length: 7"], '{"a":1}'), 200),
    at("GET with a chunked body", withBody(LIST, ["transfer-encoding: chunked"], "3\r\nabc\r\n0\r\n\r\n"), 200),
    at("GET with a body and a bad page_size", withBody(`${LIST}?page_size=x`, ["content-length: 3"], "abc"), 422, {
      body: { detail: [expect.objectContaining(invalidPageSize)] },
    }),
    // HEAD is GET without a body; its refusals too.
    at("HEAD", request("HEAD", LIST), 200, { body: "" }),
    at("HEAD with a bad page_size", request("HEAD", `${LIST}?page_size=x`), 422, { body: "" }),
    at(
      "HEAD without credentials",
      request("HEAD", LIST, () => []),
      401,
      { body: "", "www-authenticate": "Bearer" },
    ),
    // Credentials as decided.
    at(
      "a lowercase bearer scheme",
      request("GET", LIST, (c) => [`authorization: bearer ${c.bearer}`]),
      200,
    ),
    at(
      "an uppercase bearer scheme",
      request("GET", LIST, (c) => [`authorization: BEARER ${c.bearer}`]),
      200,
    ),
    at(
      "a valid session cookie alone",
      request("GET", LIST, (c) => [`cookie: session=${c.session}`]),
      200,
    ),
    at(
      "a malformed bearer with a valid session cookie",
      request("GET", LIST, (c) => ["authorization: Token abc", `cookie: session=${c.session}`]),
      401,
      {
        body: { detail: "Invalid authentication credentials" },
      },
    ),
    at(
      "a bearer without its token with a valid session cookie",
      request("GET", LIST, (c) => ["authorization: Bearer", `cookie: session=${c.session}`]),
      401,
    ),
    // The query as decided.
    at("repeated parameters, the last valid", get(`${LIST}?page_size=abc&page_size=3`), 200),
    at("repeated parameters, the last invalid", get(`${LIST}?page_size=3&page_size=abc`), 422),
    at("a parameter name in another case (unknown, ignored)", get(`${LIST}?Page_Size=500`), 200),
    at("page_size=1e1", get(`${LIST}?page_size=1e1`), 422, { body: { detail: [expect.objectContaining(invalidPageSize)] } }),
    at("a leap second", get(`${LIST}?created_at_on_or_after=2016-12-31T23:59:60Z`), 422, {
      body: { detail: [expect.objectContaining({ loc: ["query", "created_at_on_or_after"] })] },
    }),
    // The route first: 405 with Allow, whatever the credentials.
    // POST on the list's path is create.
    ...["PUT", "PATCH", "DELETE", "OPTIONS", "PURGE", "PROPFIND"].map((method) =>
      at(
        `${method} on the list`,
        request(method, LIST, () => ["content-length: 2"], "{}"),
        405,
        { allow: "GET, HEAD, POST", body: { detail: "Method Not Allowed" } },
      ),
    ),
    at("GET on cancel", get(`${LIST}/bat-1/cancel`), 405, { allow: "POST", body: { detail: "Method Not Allowed" } }),
    at(
      "POST on a batch",
      request("POST", `${LIST}/bat-1`, () => ["content-length: 0"]),
      405,
      { allow: "GET, HEAD" },
    ),
    at("a batch's path with a trailing slash", get(`${LIST}/bat-1/?expand=results`), 307, {
      location: `${LIST}/bat-1?expand=results`,
      body: "",
    }),
    at(
      "a create without credentials",
      request("POST", LIST, () => ["content-type: application/json", "content-length: 2"], "{}"),
      401,
      { "www-authenticate": "Bearer" },
    ),
    at("a method node's parser does not know", request("BREW", LIST), 400, { body: { detail: "Invalid HTTP method" } }),
    // FastAPI's redirect_slashes: a 307 to the path without the slash, the query kept, any method.
    ...["GET", "HEAD", "POST", "DELETE"].map((method) =>
      at(
        `${method} with a trailing slash`,
        request(method, `${LIST}/?page_size=2&status=FAILED`, () => ["content-length: 0"]),
        307,
        {
          location: `${LIST}?page_size=2&status=FAILED`,
          body: "",
        },
      ),
    ),
    at(
      "a trailing slash without a query",
      request("GET", `${LIST}/`, () => []),
      307,
      { location: LIST, body: "" },
    ),
    // Absolute-form targets are served as their path.
    at("an absolute-form target", get(`http://example.com${LIST}`), 200),
    at("an absolute-form target with a bad page_size", get(`http://example.com:8080${LIST}?page_size=x`), 422),
    at("an absolute-form target with a trailing slash", get(`http://example.com${LIST}/?page_size=2`), 307, {
      location: `${LIST}?page_size=2`,
      body: "",
    }),
    // HTTP itself.
    at("no Host header", { head: (c) => `GET ${LIST} HTTP/1.1\r\n${bearer(c)}` }, 200),
    at("a path the API does not have", get("/api/v2/nope"), 404, { body: { detail: "Not Found" } }),
    at("a percent-encoded path: decoded, as uvicorn does, it is the list", get("/api/v2/%62atches?page_size=1"), 200),
    at("a percent-encoded path that is not the list", get("/api/v2/%62atchez"), 404, { body: { detail: "Not Found" } }),
    at("a raw 0xFF in the target", { head: (c) => `GET ${LIST}\xff HTTP/1.1\r\nhost: api\r\n${bearer(c)}` }, 400),
    at("a NUL in a header", get(LIST, "x-a: a\0b"), 400),
    at("Content-Length with Transfer-Encoding", withBody(LIST, ["content-length: 3", "transfer-encoding: chunked"], "0\r\n\r\n"), 400),
    // Bodies, bounded by the spec's limit (`x-body-limit-bytes`) and the kit's body timeout, by the
    // one reader of `@llama-batches/spec/http`: the same 413 (the spec's example) and 408.
    at(
      "a create body declared over the spec's limit",
      request("POST", LIST, (c) => [bearer(c), "content-type: application/json", `content-length: ${BODY_LIMIT_BYTES + 1}`]),
      413,
      { connection: "close", body: tooLarge },
    ),
    at(
      "a chunked create body that passes the spec's limit",
      request("POST", LIST, (c) => [bearer(c), "content-type: application/json", "transfer-encoding: chunked"], pastTheLimit),
      413,
      { connection: "close", body: tooLarge },
    ),
    at(
      `a create body that stops coming (${BODY_TIMEOUT_MS} ms)`,
      request("POST", LIST, (c) => [bearer(c), "content-type: application/json", "content-length: 100"], '{"config":'),
      408,
      { connection: "close", body: { detail: "Request body timeout" } },
    ),
  ];

  test.each(cases)("$name → $status on both", async ({ req, status, shown }) => {
    const [fromMock, fromReference] = await both(req);
    expect(fromMock.status, JSON.stringify(fromMock.body)).toBe(status);
    expect(fromReference.status, JSON.stringify(fromReference.body)).toBe(status);
    for (const [header, value] of Object.entries(shown)) {
      if (header !== "body") expect([header, fromMock.headers[header], fromReference.headers[header]]).toEqual([header, value, value]);
    }
    if ("body" in shown) expect(fromMock.body).toEqual(shown.body);
    if (status >= 400 || "body" in shown) expect(fromReference.body).toEqual(fromMock.body);
  });
});

describe("mock and reference API: the same 422 on create, retrieve and cancel", () => {
  const spec = getSpec();
  const operations = ["createBatch", "getBatch", "cancelBatch"].map((id) => spec.operation(id));
  const valid = JSON.stringify(EXAMPLE_BODY);

  /** The same request to both, each with its own credentials; the status and the body. */
  async function both(method: string, path: string, body?: string, contentType = "application/json"): Promise<[Answer, Answer]> {
    const ask = async (base: string, bearer: string): Promise<Answer> => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { "content-type": contentType }) },
        ...(body === undefined ? {} : { body }),
      });
      const text = await res.text();
      return { status: res.status, headers: Object.fromEntries(res.headers), body: text ? JSON.parse(text) : "" };
    };
    return Promise.all([ask(mock.url, "test"), ask(reference.url, key)]);
  }

  /** Where an operation's request goes, with `query`; a create carries a valid body. */
  function requestOf(opId: string, query: string): [string, string, string | undefined] {
    const q = query ? `?${query}` : "";
    if (opId === "createBatch") return ["POST", `${CREATE_PATH}${q}`, valid];
    const id = reference.store.all()[0]?.id ?? "";
    return opId === "getBatch" ? ["GET", `${batchPath(id)}${q}`, undefined] : ["POST", `${cancelPath(id)}${q}`, undefined];
  }

  const queryCases = operations.flatMap((op) =>
    op.query.flatMap((p) =>
      // An array of an enum (expand): each item is judged; the contract's values are for scalars.
      [...invalidValues(p), ...(p.items?.enum ?? []).flatMap((v) => [v.toUpperCase(), `${v} `, `${v}s`]), "", "%00"].map(
        (value) => [op.id, p.name, value] as const,
      ),
    ),
  );

  test("every query parameter of the three has several wrong values here", () => {
    for (const op of operations) {
      for (const p of op.query) expect(queryCases.filter(([id, name]) => id === op.id && name === p.name).length).toBeGreaterThanOrEqual(3);
    }
  });

  test.each(queryCases)("%s %s=%j", async (opId, name, value) => {
    const query = new URLSearchParams({ [name]: value }).toString();
    const expected = spec.parseQuery(opId, new URLSearchParams(query));
    // Valid for the schema: each server serves it its own way (the mock's example, the reference API's data).
    if (expected.ok) return;
    const [fromMock, fromReference] = await both(...requestOf(opId, query));
    expect(core(fromMock)).toEqual({ status: 422, body: { detail: expected.issues } });
    expect(core(fromReference)).toEqual(core(fromMock));
  });

  test("expand repeated, with one wrong value among right ones", async () => {
    const query = "expand=results&expand=files&expand=results";
    const [fromMock, fromReference] = await both(...requestOf("getBatch", query));
    expect(fromMock.status).toBe(422);
    expect(core(fromReference)).toEqual(core(fromMock));
  });

  const job = EXAMPLE_BODY.config.job;
  const bodyCases: [string, string | undefined, string?, string?][] = [
    ["no body", undefined],
    ["an empty body", ""],
    ["JSON null", "null"],
    ["broken JSON", '{"config":'],
    ["trailing garbage", `${valid}x`],
    ["an array", "[]"],
    ["a string", '"x"'],
    ["a number", "7"],
    ["missing source_directory_id", JSON.stringify({ config: EXAMPLE_BODY.config })],
    ["missing config", JSON.stringify({ source_directory_id: "dir-1" })],
    ["an empty object", "{}"],
    ["a job type outside the enum", JSON.stringify({ ...EXAMPLE_BODY, config: { job: { ...job, type: "parse_v9" } } })],
    ["a job without configuration_id", JSON.stringify({ ...EXAMPLE_BODY, config: { job: { type: job.type } } })],
    ["config.job not an object", JSON.stringify({ ...EXAMPLE_BODY, config: { job: "x" } })],
    ["source_directory_id a number", JSON.stringify({ ...EXAMPLE_BODY, source_directory_id: 7 })],
    ["webhook_configurations a string", JSON.stringify({ ...EXAMPLE_BODY, webhook_configurations: "x" })],
    ["a webhook event outside the enum", JSON.stringify({ ...EXAMPLE_BODY, webhook_configurations: [{ webhook_events: ["batch.nope"] }] })],
    [
      "webhook_output_format outside the enum",
      JSON.stringify({ ...EXAMPLE_BODY, webhook_configurations: [{ webhook_output_format: "xml" }] }),
    ],
    ["webhook_configuration_ids of numbers", JSON.stringify({ ...EXAMPLE_BODY, webhook_configuration_ids: [1] })],
    ["a valid body as text/plain", valid, "text/plain"],
    ["a valid body as form data", valid, "application/x-www-form-urlencoded"],
    ["a bad query and a bad body", JSON.stringify({ config: EXAMPLE_BODY.config }), "application/json", "organization_id=x"],
    ["a bad query and broken JSON", "{", "application/json", "project_id=x"],
  ];

  test.each(bodyCases)("create with %s: the same 422 on both", async (_name, body, contentType, query) => {
    const [fromMock, fromReference] = await both("POST", query ? `${CREATE_PATH}?${query}` : CREATE_PATH, body, contentType);
    expect(fromMock.status, JSON.stringify(fromMock.body)).toBe(422);
    expect(core(fromReference)).toEqual(core(fromMock));
  });

  test("create with extra fields, at the top and inside config: accepted by both", async () => {
    const body = JSON.stringify({ ...EXAMPLE_BODY, priority: 1, config: { ...EXAMPLE_BODY.config, extra: true } });
    const [fromMock, fromReference] = await both("POST", CREATE_PATH, body);
    expect([fromMock.status, fromReference.status]).toEqual([200, 200]);
  });

  test("a body sent to cancel is ignored by both: what decides is the query", async () => {
    const [method, path] = requestOf("cancelBatch", "organization_id=x");
    const [fromMock, fromReference] = await both(method, path, "{broken");
    expect(fromMock.status).toBe(422);
    expect(core(fromReference)).toEqual(core(fromMock));
  });
});
