/**
 * HTTP at its edges: what node's parser refuses answered in the spec's error shape (pipelining
 * intact), slow clients timed out in seconds while others are served, and the small things FastAPI
 * does that a client may meet (HEAD, 405's Allow, the trailing slash's 307, absolute-form targets).
 */
import { connect } from "node:net";
import { HTTP_LIMITS } from "@llama-batches/spec/http";
import { describe, expect, test } from "vitest";
import { bearer, getList, LIST, send, useReferenceApi } from "./helpers.js";

const ref = useReferenceApi({ port: 0, seed: 29, size: 80 });

/** Writes bytes on one connection, reads until the server closes it (or `waitMs` passes). */
function raw(bytes: string | Buffer, waitMs = 3_000): Promise<string> {
  const { port } = new URL(ref.api.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), "127.0.0.1", () => socket.write(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes));
    let out = "";
    socket.on("data", (d: Buffer) => {
      out += d.toString("latin1");
    });
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(out));
    setTimeout(() => socket.end(), waitMs).unref();
  });
}

const responses = (out: string) =>
  [...out.matchAll(/HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n/g)].map((m) => ({ status: Number(m[1]), head: m[2] ?? "" }));
const bodyOf = (out: string) => out.slice(out.lastIndexOf("\r\n\r\n") + 4);

describe("requests node's parser refuses get the spec's error shape", () => {
  const key = () => ref.orgKeys[0]?.key ?? "";
  test.each([
    ["a raw 0xFF byte", () => "GET /api/v2/batches?x=\xff HTTP/1.1\r\nhost: x\r\n\r\n", 400],
    ["a NUL", () => `GET ${LIST} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key()}\u0000\r\n\r\n`, 400],
    ["obs-fold", () => `GET ${LIST} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer\r\n ${key()}\r\n\r\n`, 400],
    [
      "Content-Length with Transfer-Encoding",
      () => `GET ${LIST} HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`,
      400,
    ],
    ["a 20 kB header", () => `GET ${LIST} HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`, 431],
    ["a 1 MB query", () => `GET ${LIST}?page_size=${"1".repeat(1_000_000)} HTTP/1.1\r\nhost: x\r\n\r\n`, 431],
    ["an unknown method", () => `BREW ${LIST} HTTP/1.1\r\nhost: x\r\n\r\n`, 400],
  ])("%s → %i with a JSON detail, and the connection closes", async (_, bytes, status) => {
    const out = await raw(bytes());
    expect(responses(out).map((r) => r.status)).toEqual([status]);
    expect(out).toMatch(/content-type: application\/json/);
    expect(JSON.parse(bodyOf(out))).toEqual({ detail: expect.any(String) });
  });

  test("pipelined requests before a refused one are answered first, whole and in order", async () => {
    const auth = `authorization: Bearer ${key()}\r\n`;
    const out = await raw(
      `GET ${LIST}?page_size=1 HTTP/1.1\r\nhost: x\r\n${auth}\r\nGET ${LIST}?page_size=2 HTTP/1.1\r\nhost: x\r\n${auth}\r\nBREW / HTTP/1.1\r\n\r\n`,
    );
    expect(responses(out).map((r) => r.status)).toEqual([200, 200, 400]);
    const pages = [...out.matchAll(/\{"items":\[.*?\](,"next_page_token":"[^"]+")?\}/g)].map(
      (m) => (JSON.parse(m[0]) as { items: unknown[] }).items.length,
    );
    expect(pages).toEqual([1, 2]);
  });

  test("a request whose own body is refused (a broken chunk) is answered at once, also behind another still reading its body", async () => {
    const started = Date.now();
    const out = await raw(
      `POST ${LIST} HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}POST ${LIST} HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n`,
      4_000,
    );
    // The first is a create without credentials: its body is read, then it is refused.
    expect(responses(out).map((r) => r.status)).toEqual([401, 400]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test("a refused HEAD gets no body, so a client reading the connection is not confused", async () => {
    const out = await raw("HEAD /api/v2/batches?x=\xff HTTP/1.1\r\nhost: x\r\n\r\n");
    expect(responses(out).map((r) => r.status)).toEqual([400]);
    expect(out.endsWith("\r\n\r\n")).toBe(true);
  });
});

describe("slow clients", () => {
  test(`200 connections sending their headers a byte at a time get a 408 after ${HTTP_LIMITS.headersTimeoutMs / 1000} s, and everyone else is served meanwhile`, async () => {
    const { port } = new URL(ref.api.url);
    const started = Date.now();
    const slow = Array.from(
      { length: 200 },
      () =>
        new Promise<{ out: string; ms: number }>((resolve) => {
          const socket = connect(Number(port), "127.0.0.1", () => socket.write("GET /api/v2/batches HTTP/1.1\r\nx-slow: "));
          let out = "";
          const drip = setInterval(() => socket.writable && socket.write("a"), 500);
          socket.on("data", (d: Buffer) => {
            out += d.toString("latin1");
          });
          socket.on("error", () => undefined);
          socket.on("close", () => {
            clearInterval(drip);
            resolve({ out, ms: Date.now() - started });
          });
        }),
    );
    // Meanwhile, normal requests are answered at once.
    for (let i = 0; i < 50; i++) {
      const t0 = Date.now();
      expect((await getList(ref.api, bearer(ref.orgKeys[0]?.key ?? ""), { page_size: 5 })).status).toBe(200);
      expect(Date.now() - t0).toBeLessThan(1_000);
    }
    const results = await Promise.all(slow);
    for (const { out, ms } of results) {
      expect(responses(out).map((r) => r.status)).toEqual([408]);
      expect(JSON.parse(bodyOf(out))).toEqual({ detail: "Request timeout" });
      expect(ms).toBeLessThan(HTTP_LIMITS.headersTimeoutMs + 3 * HTTP_LIMITS.checkIntervalMs + 2_000);
    }
  }, 30_000);
});

describe("what FastAPI does that a client may meet", () => {
  const auth = () => bearer(ref.orgKeys[0]?.key ?? "");

  test("HEAD is answered like GET, without a body", async () => {
    const head = await fetch(`${ref.api.url}${LIST}?page_size=3`, { method: "HEAD", headers: auth() });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect(Number(head.headers.get("content-length"))).toBeGreaterThan(0);
  });

  test("another method on the list's path → 405 whose Allow names GET, HEAD and POST (create)", async () => {
    for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const reply = await send(ref.api, LIST, { method, headers: auth() });
      expect(reply.status, method).toBe(405);
      expect(reply.headers.get("allow")).toBe("GET, HEAD, POST");
      expect(reply.body).toEqual({ detail: "Method Not Allowed" });
    }
  });

  test("the list's path with a trailing slash → 307 to the path without it, query kept", async () => {
    const res = await fetch(`${ref.api.url}${LIST}/?page_size=2&status=FAILED`, { headers: auth(), redirect: "manual" });
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe(`${LIST}?page_size=2&status=FAILED`);
    // Followed, it is the list.
    const followed = await fetch(`${ref.api.url}${LIST}/?page_size=2`, { headers: auth() });
    expect(((await followed.json()) as { items: unknown[] }).items).toHaveLength(2);
  });

  test("an absolute-form request target is served as its path", async () => {
    const out = await raw(
      `GET http://127.0.0.1${LIST}?page_size=1 HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ref.orgKeys[0]?.key}\r\n\r\n`,
      500,
    );
    expect(responses(out).map((r) => r.status)).toEqual([200]);
    expect((JSON.parse(bodyOf(out)) as { items: unknown[] }).items).toHaveLength(1);
  });
});
