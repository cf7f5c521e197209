import { createServer } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { answerClientErrors, HTTP_LIMITS, redirectLocation, requestTarget, serverOptions } from "../src/http.js";

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server that answers `/slow` after 50 ms and anything else at once, with the shared hardening. */
async function start(): Promise<number> {
  const server = createServer(serverOptions(), (req, res) => {
    const send = () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ path: requestTarget(req).pathname }));
    };
    if (req.url === "/slow") setTimeout(send, 50);
    else send();
  });
  answerClientErrors(server);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return (server.address() as { port: number }).port;
}

/** Writes raw bytes on one connection and reads until the server closes it. */
function raw(port: number, bytes: string | Buffer, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
    let out = "";
    socket.on("data", (d: Buffer) => {
      out += d.toString("latin1");
    });
    socket.on("close", () => resolve(out));
    socket.on("error", reject);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no close: ${out}`)));
  });
}

const statuses = (out: string) => [...out.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));

describe("requests node:http refuses get a JSON answer in the spec's shape", () => {
  test.each([
    ["a raw 0xFF byte in the target", Buffer.from("GET /a\xff HTTP/1.1\r\n\r\n", "latin1"), 400],
    ["a NUL in a header", "GET / HTTP/1.1\r\nx-a: a\u0000b\r\n\r\n", 400],
    ["obs-fold", "GET / HTTP/1.1\r\nx-a: a\r\n  folded\r\n\r\n", 400],
    ["Content-Length with Transfer-Encoding", "POST / HTTP/1.1\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n", 400],
    ["a 20 kB header", `GET / HTTP/1.1\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`, 431],
    ["a 1 MB query", `GET /?q=${"a".repeat(1_000_000)} HTTP/1.1\r\n\r\n`, 431],
    ["an unknown method", "BREW / HTTP/1.1\r\n\r\n", 400],
  ])("%s", async (_, bytes, status) => {
    const out = await raw(await start(), bytes);
    expect(statuses(out)).toEqual([status]);
    expect(out).toMatch(/content-type: application\/json/);
    expect(JSON.parse(out.slice(out.indexOf("\r\n\r\n") + 4))).toEqual({ detail: expect.any(String) });
  });

  test("pipelining holds: earlier requests are answered first, in order, even a slow one, then the refusal", async () => {
    const port = await start();
    const out = await raw(port, "GET /one HTTP/1.1\r\n\r\nGET /slow HTTP/1.1\r\n\r\nGET /three HTTP/1.1\r\n\r\nBREW / HTTP/1.1\r\n\r\n");
    expect(statuses(out)).toEqual([200, 200, 200, 400]);
    expect([...out.matchAll(/\{"path":"([^"]+)"\}/g)].map((m) => m[1])).toEqual(["/one", "/slow", "/three"]);
  });

  test("a connection that sends no headers is answered 408 within the headers timeout, not minutes later", async () => {
    const port = await start();
    const started = Date.now();
    const out = await raw(port, "GET / HTTP/1.1\r\nx-slow: ", 15_000);
    expect(statuses(out)).toEqual([408]);
    expect(Date.now() - started).toBeLessThan(HTTP_LIMITS.headersTimeoutMs + 3 * HTTP_LIMITS.checkIntervalMs);
  }, 20_000);
});

describe("request targets, as uvicorn reads them", () => {
  test.each([
    ["/api/v2/batches?page_size=1", "/api/v2/batches", "page_size=1"],
    ["http://127.0.0.1:4020/api/v2/batches?page_size=1", "/api/v2/batches", "page_size=1"],
    ["https://h", "/", ""],
    ["*", "*", ""],
    ["//x?y#z", "//x", "y"],
    ["/api/v2/%62atches?a=%62", "/api/v2/batches", "a=%62"],
    ["/api/v2/%ZZ", "/api/v2/%ZZ", ""],
  ])("%s", (url, pathname, search) => {
    expect(requestTarget({ url })).toEqual({ pathname, search });
  });
});

describe("redirectLocation", () => {
  test("keeps a plain path and query, percent-encodes what a header cannot hold", () => {
    expect(redirectLocation("/api/v2/batches", "page_size=1")).toBe("/api/v2/batches?page_size=1");
    expect(redirectLocation("/api/v2/é x\n/", "")).toBe("/api/v2/%C3%A9%20x%0A/");
    expect(redirectLocation("/api/v2/😀", "")).toBe("/api/v2/%F0%9F%98%80");
  });
});
