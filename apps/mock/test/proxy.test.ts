import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RunningMock, startMock } from "../src/index.js";
import { rawRequest } from "./raw-http.js";

/** An upstream that breaks the contract: a status outside the enum and a missing required field. */
const wrongPage = {
  items: [{ id: "bat-1", config: { job: { configuration_id: "cfg-1", type: "parse_v2" } }, source_directory_id: "dir-1", status: "DONE" }],
};
const goodPage = { items: [] };

let upstream: Server;
/** The methods the upstream was asked with, in order. */
const upstreamMethods: string[] = [];
let upstreamUrl: string;
/** One proxy as it comes, one with `--errors`, shared by the tests: Prism takes seconds to start. */
let plain: RunningMock;
let strict: RunningMock;
const log: string[] = [];
beforeAll(async () => {
  upstream = createServer((req, res) => {
    upstreamMethods.push(req.method ?? "");
    if (req.url?.includes("empty404")) {
      res.writeHead(404, { "content-length": 0 });
      res.end();
      return;
    }
    if (req.url?.includes("teapot")) {
      res.writeHead(418, { "content-type": "text/plain" });
      res.end("short and stout");
      return;
    }
    if (req.url?.includes("unauthorized")) {
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": "Bearer" });
      res.end(JSON.stringify({ detail: "Not authenticated" }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(req.url?.includes("good") ? goodPage : wrongPage));
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  [plain, strict] = await Promise.all([
    startMock({ proxy: upstreamUrl, onLog: (l) => log.push(l) }),
    startMock({ proxy: upstreamUrl, errors: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([plain?.stop(), strict?.stop()]);
  upstream.close();
});

describe("validation proxy (llama-batches-mock --proxy URL)", () => {
  test("flags where the upstream's answer breaks the spec, in the log and the sl-violations header", async () => {
    const proxy = plain;
    const res = await fetch(`${proxy.url}/api/v2/batches`, { headers: { authorization: "Bearer t" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(wrongPage);
    const violations = JSON.parse(res.headers.get("sl-violations") ?? "[]") as { location: string[]; message: string }[];
    const where = violations.map((v) => v.location.join("."));
    expect(where).toEqual(expect.arrayContaining(["response.body.items.0", "response.body.items.0.status"]));
    expect(log.join("\n")).toMatch(/Violation: response\.body\.items\.0/);
  });

  test("with errors on, a breaking answer becomes an error response", async () => {
    const proxy = strict;
    const bad = await fetch(`${proxy.url}/api/v2/batches`, { headers: { authorization: "Bearer t" } });
    expect(bad.status).toBeGreaterThanOrEqual(500);
    // Prism's problem+json said in the API's shape: its first violation.
    expect(await bad.json()).toEqual({ detail: expect.stringMatching(/^Response body/) });
  });

  test("a conforming answer passes through clean; a bad request is flagged too", async () => {
    const proxy = plain;
    const ok = await fetch(`${proxy.url}/api/v2/batches?source_directory_id=good`, { headers: { authorization: "Bearer t" } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("sl-violations")).toBeNull();
    const bad = await fetch(`${proxy.url}/api/v2/batches?source_directory_id=good&status=NOPE`, { headers: { authorization: "Bearer t" } });
    expect(bad.headers.get("sl-violations")).toMatch(/"query","status"/);
  });

  test("with errors on, a bad request is refused with a 422 naming the parameter, before the upstream", async () => {
    const proxy = strict;
    const bad = await fetch(`${proxy.url}/api/v2/batches?source_directory_id=good&status=NOPE`, { headers: { authorization: "Bearer t" } });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ detail: [{ loc: ["query", "status"] }] });
  });

  test("with errors on, a create body Prism refuses is a 422 naming the field under body, as FastAPI names it", async () => {
    const proxy = strict;
    upstreamMethods.length = 0;
    const body = { config: { job: { configuration_id: "cfg-1", type: "parse_v2" } } };
    const bad = await fetch(`${proxy.url}/api/v2/batches`, {
      method: "POST",
      headers: { authorization: "Bearer t", "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { detail: { loc: unknown[] }[] }).detail.map((d) => d.loc)).toEqual([["body", "source_directory_id"]]);
    expect(upstreamMethods).toEqual([]);
  });

  const get = (path: string, ...headers: string[]) =>
    [`GET ${path} HTTP/1.1`, "host: proxy", "authorization: Bearer t", ...headers, "connection: close"].join("\r\n");

  test("with errors on, a body on a GET is refused with Prism's real complaint (415), not a 422 naming a parameter", async () => {
    const proxy = strict;
    const res = await rawRequest(
      proxy.url,
      get("/api/v2/batches?source_directory_id=good", "content-type: application/json", "content-length: 7"),
      '{"a":1}',
    );
    expect([res.status, res.headers["content-type"], JSON.parse(res.body)]).toEqual([
      415,
      "application/json",
      { detail: "No supported content types, but request included a non-empty body" },
    ]);
  });

  test("without errors, what Prism cannot forward (a GET with a body) is its own status, in the API's shape", async () => {
    const proxy = plain;
    const res = await rawRequest(proxy.url, get("/api/v2/batches?source_directory_id=good", "content-length: 3"), "abc");
    expect(res.status).toBe(501);
    expect(JSON.parse(res.body)).toEqual({
      detail: expect.stringMatching(/^The Prism proxy does not support sending a GET\/HEAD request with a message body/),
    });
  });

  test("HEAD goes to the upstream as a GET, and comes back without a body", async () => {
    const proxy = plain;
    upstreamMethods.length = 0;
    const res = await rawRequest(proxy.url, get("/api/v2/batches?source_directory_id=good").replace(/^GET/, "HEAD"));
    expect([res.status, res.body, res.headers["content-length"]]).toEqual([200, "", String(JSON.stringify(goodPage).length)]);
    expect(upstreamMethods).toEqual(["GET"]);
  });

  test("the upstream's own errors pass as they are; an empty one gets a detail", async () => {
    const proxy = plain;
    const unauthorized = await rawRequest(proxy.url, get("/api/v2/batches?source_directory_id=unauthorized"));
    expect([unauthorized.status, unauthorized.headers["www-authenticate"], JSON.parse(unauthorized.body)]).toEqual([
      401,
      "Bearer",
      { detail: "Not authenticated" },
    ]);
    const teapot = await rawRequest(proxy.url, get("/api/v2/batches?source_directory_id=teapot"));
    expect([teapot.status, teapot.body]).toEqual([418, "short and stout"]);
    const empty = await rawRequest(proxy.url, get("/api/v2/batches?source_directory_id=empty404"));
    expect([empty.status, JSON.parse(empty.body)]).toEqual([404, { detail: "Not Found" }]);
  });
});
