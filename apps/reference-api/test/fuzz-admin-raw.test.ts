/**
 * The fuzz, continued where a hostile caller goes next: the admin routes (with the right token, a
 * wrong one, none; any content type, method and body) and raw request targets and bytes on a socket,
 * several requests pipelined on one connection. Whatever comes in: never a 5xx, every error body is
 * JSON with a `detail` (but to HEAD), and the data stays what the spec allows.
 */
import { connect } from "node:net";
import type { Batch } from "@llama-batches/client";
import { getSpec } from "@llama-batches/spec";
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import { ADMIN_TOKEN_HEADER } from "../src/index.js";
import { fcOptions, useReferenceApi } from "./helpers.js";

const ref = useReferenceApi({ port: 0, seed: 31, size: 200, admin: true });
const counts = { admin: 0, raw: 0 };
afterAll(() => console.info(`fuzz (admin routes and raw sockets): ${counts.admin} admin requests, ${counts.raw} raw requests`));

interface Answer {
  status: number;
  head: string;
  body: string;
}

/** Every response on one connection, in order, for what was written on it. */
function exchange(bytes: Buffer, heads: boolean[], waitMs = 1_500): Promise<Answer[]> {
  const { port } = new URL(ref.api.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), "127.0.0.1", () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", () => undefined);
    const done = () => resolve(parseResponses(Buffer.concat(chunks).toString("latin1"), heads));
    socket.on("close", done);
    setTimeout(() => socket.destroy(), waitMs).unref();
  });
}

/** Splits HTTP/1.1 responses by their content-length (the servers here always send one; none after HEAD). */
function parseResponses(out: string, heads: boolean[]): Answer[] {
  const answers: Answer[] = [];
  let at = 0;
  while (at < out.length) {
    const end = out.indexOf("\r\n\r\n", at);
    if (end < 0) break;
    const head = out.slice(at, end);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
    const body = heads[answers.length] ? "" : out.slice(end + 4, end + 4 + length);
    answers.push({ status, head, body });
    at = end + 4 + body.length;
  }
  return answers;
}

function problems(answers: Answer[], heads: boolean[]): string[] {
  const out: string[] = [];
  answers.forEach((a, i) => {
    if (a.status === 0) out.push(`no status line: ${a.head.slice(0, 80)}`);
    if (a.status >= 500) out.push(`${a.status}: ${a.body.slice(0, 120)}`);
    if (a.status >= 400 && !heads[i]) {
      try {
        const detail = (JSON.parse(a.body) as { detail?: unknown }).detail;
        if (typeof detail !== "string" && !Array.isArray(detail)) out.push(`${a.status} without detail: ${a.body.slice(0, 120)}`);
      } catch {
        out.push(`${a.status} body is not JSON: ${JSON.stringify(a.body.slice(0, 120))}`);
      }
    }
  });
  return out;
}

const latin1 = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 30 });

describe("admin routes under fuzz", () => {
  test("any method, path, token, content type and body: no 5xx, JSON errors, and only valid batches get in", async () => {
    const batch = (): Batch => ref.data[7] as Batch;
    const body = fc.oneof(
      fc.json({ maxDepth: 3 }),
      latin1,
      fc.constantFrom("", "null", "[]", "{}", '{"status":"FAILED"}', '{"status":"DONE"}', '{"created_at":"2020-01-01T00:00:00Z"}'),
      fc.record({ status: fc.constantFrom(...getSpec().enumOf("BatchStatus"), "DONE") }).map((x) => JSON.stringify(x)),
      fc.uuid().map((u) => JSON.stringify({ ...batch(), id: `bat-${u}` })),
      fc
        .tuple(fc.uuid(), fc.constantFrom("project_id", "created_at", "status", "config"))
        .map(([u, field]) =>
          JSON.stringify({ ...batch(), id: `bat-${u}`, [field]: field === "created_at" ? "2026-06-30T23:59:60Z" : "x" }),
        ),
    );
    const request = fc.record({
      method: fc.constantFrom("GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"),
      path: fc.oneof(
        fc.constant("/_admin/batches"),
        fc.constantFrom(...ref.data.slice(0, 5).map((b) => `/_admin/batches/${b.id}`)),
        fc.constantFrom(
          "/_admin/batches/%ZZ",
          "/_admin/batches/%",
          "/_admin/batches/",
          "/_admin/batches//x",
          "/_admin/batches/a/b",
          "/_admin",
        ),
        fc.webSegment().map((s) => `/_admin/batches/${s}`),
      ),
      token: fc.constantFrom<"good" | "bad" | "none">("good", "good", "bad", "none"),
      type: fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", ""),
      body,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 10, maxLength: 10 }), async (requests) => {
        const wire = requests.map((r) => {
          const payload = Buffer.from(r.method === "GET" || r.method === "HEAD" ? "" : r.body, "utf8");
          const token = r.token === "good" ? ref.api.adminToken : r.token === "bad" ? "nope" : undefined;
          const lines = [`${r.method} ${r.path} HTTP/1.1`, "host: x", `content-length: ${payload.length}`];
          if (token) lines.push(`${ADMIN_TOKEN_HEADER}: ${token}`);
          if (r.type) lines.push(`content-type: ${r.type}`);
          return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), payload]);
        });
        const answers = await exchange(
          Buffer.concat(wire),
          requests.map((r) => r.method === "HEAD"),
        );
        counts.admin += requests.length;
        expect(answers.length, "one answer per request").toBe(requests.length);
        expect(
          problems(
            answers,
            requests.map((r) => r.method === "HEAD"),
          ),
        ).toEqual([]);
        for (const [i, a] of answers.entries()) {
          const r = requests[i];
          if (a.status < 300 && r?.token !== "good") throw new Error(`${r?.method} ${r?.path} served without the token`);
        }
      }),
      fcOptions(160),
    );
    for (const b of ref.api.store.all()) expect(getSpec().validateSchema("Batch", b), b.id).toEqual([]);
  }, 120_000);
});

describe("raw request targets and bytes on a socket", () => {
  test("any request line, header bytes and pipelining: no 5xx, and every error in the spec's shape", async () => {
    const key = ref.orgKeys[0]?.key ?? "";
    const target = fc.oneof(
      fc.constantFrom(
        "/api/v2/batches",
        "/api/v2/batches/",
        "*",
        "//",
        "/api/v2/batches?page_size=1",
        "http://h/api/v2/batches?page_size=2",
      ),
      fc
        .tuple(fc.constantFrom("/api/v2/batches", "/api/v2/", "/_admin/batches", "/"), latin1)
        .map(([p, s]) => `${p}${s.replaceAll(" ", "%20")}`),
      fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }).map((s) => `/${s}`),
    );
    const line = fc.tuple(
      fc.constantFrom("GET", "HEAD", "POST", "get", "BREW", "G ET", ""),
      target,
      fc.constantFrom("HTTP/1.1", "HTTP/1.0", "HTTP/2", "HTTP/1.1 x", ""),
    );
    const header = fc.oneof(
      fc.constant(`authorization: Bearer ${key}`),
      fc.constantFrom("host: x", "cookie: session=x", "content-length: 0", "transfer-encoding: chunked", "x-a: b\r\n c", "no-colon"),
      fc.tuple(fc.string({ maxLength: 10 }), latin1).map(([n, v]) => `${n}: ${v}`),
    );
    const request = fc.tuple(line, fc.array(header, { maxLength: 4 })).map(([[method, t, version], headers]) => ({
      head: method === "HEAD",
      bytes: Buffer.from(
        `${[method, t, version].filter(Boolean).join(" ")}\r\n${headers.join("\r\n")}${headers.length ? "\r\n" : ""}\r\n`,
        "latin1",
      ),
    }));
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 5 }), async (requests) => {
        const answers = await exchange(
          Buffer.concat(requests.map((r) => r.bytes)),
          requests.map((r) => r.head),
        );
        counts.raw += requests.length;
        expect(answers.length, "at least one answer").toBeGreaterThan(0);
        // After a refused request the connection closes: fewer answers than requests is right then.
        expect(
          problems(
            answers,
            requests.map((r) => r.head),
          ),
        ).toEqual([]);
      }),
      fcOptions(800),
    );
  }, 120_000);
});
