/**
 * The front meets HTTP as the reference API (and FastAPI) does: the route first (405 with `Allow`,
 * 307 for a trailing slash, HEAD as GET without a body), a body the operation does not take
 * ignored, absolute-form targets, what node's parser refuses answered in the API's shape, and no
 * error of Prism's own going out in its words.
 */
import { getSpec } from "@llama-batches/spec";
import { describe, expect, inject, test } from "vitest";
import { exchange, type RawResponse, rawRequest } from "./raw-http.js";

const mock = { url: inject("mockUrl") };
const LIST = "/api/v2/batches";
const AUTH = "authorization: Bearer test";

const request = (line: string, ...headers: string[]) => [line, "host: mock", ...headers, "connection: close"].join("\r\n");
const json = (r: RawResponse): unknown => JSON.parse(r.body);
/** The methods the spec has on a path, as Starlette's `Allow` lists them. */
const allowed = (path: string): string => {
  const match = getSpec().route("TRACE", path);
  if (!match || !("allowed" in match)) throw new Error(`no operation on ${path}`);
  return match.allowed.join(", ");
};

describe("HEAD is served like GET, without a body", () => {
  test("200 with GET's headers and length, no body", async () => {
    const get = await rawRequest(mock.url, request(`GET ${LIST} HTTP/1.1`, AUTH));
    const head = await rawRequest(mock.url, request(`HEAD ${LIST} HTTP/1.1`, AUTH));
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(head.headers["content-type"]).toBe(get.headers["content-type"]);
    expect(head.headers["content-length"]).toBe(String(Buffer.byteLength(get.body)));
  });

  test("its refusals have GET's status and headers, and no body either", async () => {
    const unauthenticated = await rawRequest(mock.url, request(`HEAD ${LIST} HTTP/1.1`));
    expect([unauthenticated.status, unauthenticated.headers["www-authenticate"], unauthenticated.body]).toEqual([401, "Bearer", ""]);
    const invalid = await rawRequest(mock.url, request(`HEAD ${LIST}?page_size=x HTTP/1.1`, AUTH));
    expect([invalid.status, invalid.body]).toEqual([422, ""]);
    expect(Number(invalid.headers["content-length"])).toBeGreaterThan(0);
  });
});

describe("the route first, as Starlette's router", () => {
  test.each(["PUT", "PATCH", "DELETE", "OPTIONS", "PURGE"])(
    "%s on the list path → 405 with the spec's methods in Allow",
    async (method) => {
      for (const auth of [[AUTH], []]) {
        const res = await rawRequest(mock.url, request(`${method} ${LIST} HTTP/1.1`, ...auth, "content-length: 2"), "{}");
        expect([res.status, res.headers.allow, json(res)]).toEqual([405, allowed(LIST), { detail: "Method Not Allowed" }]);
      }
      expect(allowed(LIST).split(", ")).toEqual(expect.arrayContaining(["GET", "HEAD", "POST"]));
    },
  );

  test.each(["GET", "HEAD", "POST", "DELETE"])("%s with a trailing slash → 307 to the path without it, the query kept", async (method) => {
    const res = await rawRequest(mock.url, request(`${method} ${LIST}/?page_size=2&x=%20 HTTP/1.1`, "content-length: 0"));
    expect([res.status, res.headers.location, res.body]).toEqual([307, `${LIST}?page_size=2&x=%20`, ""]);
    const bare = await rawRequest(mock.url, request(`${method} ${LIST}/ HTTP/1.1`));
    expect([bare.status, bare.headers.location]).toEqual([307, LIST]);
  });

  test("a path the spec does not have → 404 in FastAPI's words", async () => {
    for (const path of ["/api/v2/nope", "/api/v2/batches/bat-1/nope", "/"]) {
      const res = await rawRequest(mock.url, request(`GET ${path} HTTP/1.1`, AUTH));
      expect([path, res.status, json(res)]).toEqual([path, 404, { detail: "Not Found" }]);
    }
  });

  test("an absolute-form target is served as its path", async () => {
    const ok = await rawRequest(mock.url, request(`GET http://example.com${LIST} HTTP/1.1`, AUTH));
    expect(ok.status).toBe(200);
    const invalid = await rawRequest(mock.url, request(`GET http://example.com:8080${LIST}?page_size=x HTTP/1.1`, AUTH));
    expect(invalid.status).toBe(422);
    expect(json(invalid)).toMatchObject({ detail: [{ loc: ["query", "page_size"], type: "int_parsing", input: "x" }] });
    const slash = await rawRequest(mock.url, request(`GET http://example.com${LIST}/?page_size=2 HTTP/1.1`));
    expect([slash.status, slash.headers.location]).toEqual([307, `${LIST}?page_size=2`]);
  });
});

describe("a body on an operation that takes none is ignored, as FastAPI ignores it", () => {
  const withBody = [
    ["JSON", "content-type: application/json\r\ncontent-length: 7", '{"a":1}'],
    ["text", "content-length: 3", "abc"],
    ["chunked", "transfer-encoding: chunked", "3\r\nabc\r\n0\r\n\r\n"],
  ] as const;

  test.each(withBody)("a GET with a %s body is served (not a 415, not Prism's static 422)", async (_kind, headers, body) => {
    const plain = await rawRequest(mock.url, request(`GET ${LIST} HTTP/1.1`, AUTH));
    const res = await rawRequest(mock.url, request(`GET ${LIST} HTTP/1.1`, AUTH, headers), body);
    expect(res.status, res.body).toBe(200);
    expect(res.body).toBe(plain.body);
  });

  test("a HEAD with a body too, and a wrong parameter is still the one named", async () => {
    const head = await rawRequest(mock.url, request(`HEAD ${LIST} HTTP/1.1`, AUTH, "content-length: 3"), "abc");
    expect([head.status, head.body]).toEqual([200, ""]);
    const invalid = await rawRequest(mock.url, request(`GET ${LIST}?status=nope HTTP/1.1`, AUTH, "content-length: 3"), "abc");
    expect(invalid.status).toBe(422);
    expect((json(invalid) as { detail: { loc: unknown[] }[] }).detail.map((d) => d.loc)).toEqual([["query", "status"]]);
  });

  test("the body is read and dropped: the connection is kept for the next request", async () => {
    const first = `GET ${LIST} HTTP/1.1\r\nhost: mock\r\n${AUTH}\r\ncontent-length: 7\r\n\r\n{"a":1}`;
    const second = `GET ${LIST}?page_size=x HTTP/1.1\r\nhost: mock\r\n${AUTH}\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`;
    const third = `HEAD ${LIST} HTTP/1.1\r\nhost: mock\r\n${AUTH}\r\nconnection: close\r\n\r\n`;
    const { responses, rest, timedOut } = await exchange(mock.url, first + second + third);
    expect(responses.map((r) => r.status)).toEqual([200, 422, 200]);
    expect([rest, timedOut]).toEqual(["", false]);
  });
});

describe("credentials and the query, as decided in the spec", () => {
  test("the bearer scheme in any case", async () => {
    for (const scheme of ["bearer", "BEARER", "bEaReR"]) {
      expect((await rawRequest(mock.url, request(`GET ${LIST} HTTP/1.1`, `authorization: ${scheme} t`))).status).toBe(200);
    }
  });

  test("an Authorization header decides alone: a malformed one with a valid session cookie → 401", async () => {
    for (const authorization of ["Token abc", "Bearer", "Bearer a b", "Basic dXNlcjpwYXNz"]) {
      const res = await rawRequest(mock.url, request(`GET ${LIST} HTTP/1.1`, `authorization: ${authorization}`, "cookie: session=abc"));
      expect([authorization, res.status, json(res)]).toEqual([authorization, 401, { detail: "Invalid authentication credentials" }]);
    }
  });

  test.each([
    ["page_size=abc&page_size=3", 200],
    ["page_size=3&page_size=abc", 422],
    ["Page_Size=500&STATUS=x", 200],
    ["page_size=1e1", 422],
    ["created_at_on_or_after=2016-12-31T23:59:60Z", 422],
  ])("%s → %i", async (query, status) => {
    const res = await rawRequest(mock.url, request(`GET ${LIST}?${query} HTTP/1.1`, AUTH));
    expect(res.status).toBe(status);
    if (status === 422) {
      const name = query.split("&").at(-1)?.split("=")[0];
      expect((json(res) as { detail: { loc: unknown[] }[] }).detail.map((d) => d.loc)).toEqual([["query", name]]);
    }
  });
});

describe("HTTP itself, as the reference API meets it", () => {
  test("no Host header is required (uvicorn does not require one)", async () => {
    const { responses } = await exchange(mock.url, `GET ${LIST} HTTP/1.1\r\n${AUTH}\r\nconnection: close\r\n\r\n`);
    expect(responses.map((r) => r.status)).toEqual([200]);
  });

  test.each([
    [
      "a raw 0xFF in the target",
      Buffer.concat([Buffer.from(`GET ${LIST}`), Buffer.from([0xff]), Buffer.from(" HTTP/1.1\r\nhost: x\r\n\r\n")]),
      400,
    ],
    ["a NUL in a header", `GET ${LIST} HTTP/1.1\r\nhost: x\r\nx-a: a\0b\r\n\r\n`, 400],
    ["an obs-fold", `GET ${LIST} HTTP/1.1\r\nhost: x\r\nx-a: a\r\n  b\r\n\r\n`, 400],
    [
      "Content-Length with Transfer-Encoding",
      `POST ${LIST} HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`,
      400,
    ],
    ["a 20 kB header", `GET ${LIST} HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`, 431],
    ["a 1 MB query", `GET ${LIST}?q=${"a".repeat(1_000_000)} HTTP/1.1\r\nhost: x\r\n\r\n`, 431],
    ["an unknown method", `BREW ${LIST} HTTP/1.1\r\nhost: x\r\n\r\n`, 400],
  ])("%s → %i with a JSON detail, then the connection is closed", async (_name, bytes, status) => {
    const { responses, rest, timedOut } = await exchange(mock.url, bytes);
    expect(responses.map((r) => [r.status, r.headers["content-type"], typeof (json(r) as { detail?: unknown }).detail])).toEqual([
      [status, "application/json", "string"],
    ]);
    expect([rest, timedOut]).toEqual(["", false]);
  });

  test("pipelined: each answer in order, the refused request's last, whole", async () => {
    const ok = `GET ${LIST} HTTP/1.1\r\nhost: x\r\n${AUTH}\r\n\r\n`;
    const invalid = `GET ${LIST}?page_size=x HTTP/1.1\r\nhost: x\r\n${AUTH}\r\n\r\n`;
    const head = `HEAD ${LIST} HTTP/1.1\r\nhost: x\r\n${AUTH}\r\n\r\n`;
    const refused = `GET ${LIST}\0 HTTP/1.1\r\nhost: x\r\n\r\n`;
    const { responses, rest } = await exchange(mock.url, ok + invalid + head + refused);
    expect(responses.map((r) => [r.status, r.bodyless])).toEqual([
      [200, false],
      [422, false],
      [200, true],
      [400, false],
    ]);
    expect(rest).toBe("");
  });

  test("a client that half-closes after its request still gets the answer", async () => {
    const { responses } = await exchange(mock.url, `GET ${LIST} HTTP/1.1\r\nhost: x\r\n${AUTH}\r\n\r\n`, { halfClose: true });
    expect(responses.map((r) => r.status)).toEqual([200]);
  });
});

describe("Prism's own refusals, in the API's { detail } shape", () => {
  test.each([
    ["prefer: example=nope", 404, "Response for contentType: application/json and exampleKey: nope does not exist."],
    ["prefer: code=418", 404, "Requested status code 418 is not defined in the document."],
    ["accept: application/xml", 406, "Unable to find content for application/xml"],
  ])("%s → %i", async (header, status, detail) => {
    const res = await rawRequest(mock.url, request(`GET ${LIST} HTTP/1.1`, AUTH, header));
    expect([res.status, res.headers["content-type"], json(res)]).toEqual([status, "application/json", { detail }]);
  });

  test("an error the spec declares is its example, as asked", async () => {
    const res = await rawRequest(mock.url, request(`GET ${LIST} HTTP/1.1`, AUTH, "prefer: code=429"));
    expect([res.status, json(res)]).toEqual([429, { detail: "Rate limit exceeded" }]);
  });
});
