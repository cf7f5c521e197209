/**
 * The admin routes, hardened: a token and a JSON content type are required (so that no web page can
 * post to them), bodies are bounded in size and time, and every answer, bad input included, is in
 * FastAPI's shapes, never a 5xx.
 */
import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import type { Batch } from "@llama-batches/client";
import { describe, expect, test } from "vitest";
import { ADMIN_BODY_LIMIT_BYTES, ADMIN_TOKEN_HEADER, type RunningReferenceApi } from "../src/index.js";
import { useReferenceApi } from "./helpers.js";

const ref = useReferenceApi({ port: 0, seed: 23, size: 60, admin: true });

async function call(
  method: string,
  path: string,
  init: { body?: string; contentType?: string | null; token?: string | null } = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const api: RunningReferenceApi = ref.api;
  const headers: Record<string, string> = {};
  const type = init.contentType === undefined ? "application/json" : init.contentType;
  if (type !== null) headers["content-type"] = type;
  const token = init.token === undefined ? api.adminToken : init.token;
  if (token !== null && token !== undefined) headers[ADMIN_TOKEN_HEADER] = token;
  const res = await fetch(`${api.url}${path}`, { method, headers, ...(init.body === undefined ? {} : { body: init.body }) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

function newBatch(overrides: Partial<Batch> = {}): Batch {
  const template = ref.data[3] as Batch;
  return { ...template, id: `bat-${randomUUID()}`, status: "PENDING", results: null, ...overrides };
}

describe("admin routes: who may call them", () => {
  test("a random token per start, shown by the running API", () => {
    expect(ref.api.adminToken).toMatch(/^[\w-]{20,}$/);
  });

  test("no token → 401, a wrong token → 401; nothing changes", async () => {
    const size = ref.api.store.size;
    const none = await call("POST", "/_admin/batches", { body: JSON.stringify(newBatch()), token: null });
    expect(none).toMatchObject({ status: 401, body: { detail: expect.stringContaining(ADMIN_TOKEN_HEADER) } });
    const wrong = await call("POST", "/_admin/batches", { body: JSON.stringify(newBatch()), token: "guess" });
    expect(wrong).toMatchObject({ status: 401, body: { detail: "Invalid admin token" } });
    expect(ref.api.store.size).toBe(size);
  });

  test("a body that is not declared as JSON (text/plain, a form, none) → 415, even with the token", async () => {
    const size = ref.api.store.size;
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", null]) {
      const reply = await call("POST", "/_admin/batches", { body: JSON.stringify(newBatch()), contentType });
      expect(reply, String(contentType)).toMatchObject({ status: 415, body: { detail: "Content-Type must be application/json" } });
    }
    expect(
      (await call("POST", "/_admin/batches", { body: JSON.stringify(newBatch()), contentType: "application/json; charset=utf-8" })).status,
    ).toBe(201);
    expect(ref.api.store.size).toBe(size + 1);
  });
});

describe("admin routes: bodies bounded in size and time", () => {
  /** Sends the head of a request and `sent` bytes of its body; resolves with the answer once the server closes. */
  function partial(head: string, sent: Buffer): Promise<string> {
    const api = ref.api;
    return new Promise((resolve) => {
      const socket = connect(Number(new URL(api.url).port), "127.0.0.1", () => {
        socket.write(
          `POST /_admin/batches HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${ADMIN_TOKEN_HEADER}: ${api.adminToken}\r\n${head}\r\n`,
        );
        socket.write(sent);
      });
      let out = "";
      socket.on("data", (d: Buffer) => {
        out += d.toString();
      });
      socket.on("close", () => resolve(out));
      socket.on("error", () => resolve(out));
    });
  }

  test(`a body declared over ${ADMIN_BODY_LIMIT_BYTES} bytes (52 MB) → 413 at once, without reading it`, async () => {
    // Only 10 kB of the declared 52 MB are ever sent: the answer cannot wait for the rest.
    const answer = await partial("content-length: 52428800\r\n", Buffer.alloc(10_000, 0x20));
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toMatch(new RegExp(`\\{"detail":"Request body too large: the limit is ${ADMIN_BODY_LIMIT_BYTES} bytes"\\}$`));
  });

  test("a chunked body that grows past the limit → 413 once the limit is crossed, not at its end", async () => {
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const chunks = Buffer.concat(
      Array.from({ length: 6 }, () => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")])),
    );
    const answer = await partial("transfer-encoding: chunked\r\n", chunks);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });

  test("a body that never finishes → 408 after the body timeout, and the server keeps serving", async () => {
    const api = ref.api;
    const { port } = new URL(api.url);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(
          `POST /_admin/batches HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${ADMIN_TOKEN_HEADER}: ${api.adminToken}\r\ncontent-length: 1000\r\n\r\n{"id":`,
        );
      });
      let out = "";
      socket.on("data", (d: Buffer) => {
        out += d.toString();
      });
      socket.on("close", () => resolve(out));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/\{"detail":"Request body timeout"\}$/);
    expect((await call("PATCH", `/_admin/batches/${ref.data[0]?.id}`, { body: "{}" })).status).toBe(200);
  }, 20_000);
});

describe("admin routes: every error in FastAPI's shape, never a 5xx", () => {
  test("a malformed escape in the id → 404, not a 500", async () => {
    for (const path of ["/_admin/batches/%ZZ", "/_admin/batches/%", "/_admin/batches/%E0%A4%A"]) {
      const reply = await call("PATCH", path, { body: '{"status":"FAILED"}' });
      expect(reply, path).toMatchObject({ status: 404, body: { detail: expect.any(String) } });
    }
  });

  test("the wrong method → 405 with Allow; a deeper path → 404", async () => {
    expect(await call("GET", "/_admin/batches")).toMatchObject({ status: 405, body: { detail: "Method Not Allowed" } });
    expect((await call("GET", "/_admin/batches")).headers.get("allow")).toBe("POST");
    expect((await call("POST", `/_admin/batches/${ref.data[0]?.id}`, { body: "{}" })).headers.get("allow")).toBe("PATCH");
    expect((await call("PATCH", `/_admin/batches/${ref.data[0]?.id}/x`, { body: "{}" })).status).toBe(404);
  });

  test("not JSON → 422 json_invalid; null → 422 missing; an array or a number → 422 naming the body", async () => {
    expect(await call("POST", "/_admin/batches", { body: "{not json" })).toMatchObject({
      status: 422,
      body: { detail: [{ type: "json_invalid", loc: ["body", expect.any(Number)], msg: "JSON decode error" }] },
    });
    const id = ref.data[1]?.id;
    expect(await call("PATCH", `/_admin/batches/${id}`, { body: "null" })).toMatchObject({
      status: 422,
      body: { detail: [{ type: "missing", loc: ["body"], msg: "Field required" }] },
    });
    for (const body of ["[]", "7", '"x"']) {
      expect(await call("PATCH", `/_admin/batches/${id}`, { body }), body).toMatchObject({
        status: 422,
        body: { detail: [{ type: "model_attributes_type", loc: ["body"] }] },
      });
    }
  });

  test("a schema break, an unknown project, a leap second → 422 naming the field; a duplicate id → 409", async () => {
    const size = ref.api.store.size;
    const loc = async (batch: unknown) => {
      const reply = await call("POST", "/_admin/batches", { body: JSON.stringify(batch) });
      expect(reply.status, JSON.stringify(batch)).toBe(422);
      return (reply.body as { detail: { loc: unknown[]; type: string }[] }).detail.map((d) => [d.loc.join("."), d.type]);
    };
    expect(await loc(newBatch({ status: "DONE" as Batch["status"] }))).toEqual([["body.status", "enum"]]);
    expect(await loc(newBatch({ project_id: randomUUID() }))).toEqual([["body.project_id", "value_error"]]);
    expect(await loc(newBatch({ created_at: "2026-06-30T23:59:60Z" }))).toEqual([["body.created_at", "datetime_from_date_parsing"]]);
    const existing = ref.data[2] as Batch;
    expect(await call("POST", "/_admin/batches", { body: JSON.stringify(existing) })).toMatchObject({
      status: 409,
      body: { detail: `Batch ${existing.id} already exists` },
    });
    expect(ref.api.store.size).toBe(size);
  });

  test("PATCH of a field that cannot change → 422 naming it; the batch is unchanged", async () => {
    const target = ref.data[4] as Batch;
    const reply = await call("PATCH", `/_admin/batches/${target.id}`, {
      body: JSON.stringify({ created_at: "2020-01-01T00:00:00Z", status: "FAILED" }),
    });
    expect(reply).toMatchObject({ status: 422, body: { detail: [{ type: "value_error", loc: ["body", "created_at"] }] } });
    expect(ref.api.store.get(target.id)).toEqual(target);
  });
});
