import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Batch } from "@llama-batches/client";
import { issue, parseDateTime, type Spec, type ValidationIssue } from "@llama-batches/spec";
import { BODY_LIMIT_BYTES, BODY_TIMEOUT_MS, drainThen, readBody } from "./body.js";
import { detail, invalid, type Reply } from "./reply.js";
import type { BatchStore } from "./store.js";

export const ADMIN_PREFIX = "/_admin/batches";
/** The header that carries the admin token (not an API key: the admin routes are test tooling). */
export const ADMIN_TOKEN_HEADER = "x-admin-token";
/** Documented limits of an admin request body: larger is a 413, slower a 408. */
export const ADMIN_BODY_LIMIT_BYTES = BODY_LIMIT_BYTES;
export const ADMIN_BODY_TIMEOUT_MS = BODY_TIMEOUT_MS;

const MUTABLE = new Set(["status", "updated_at", "results"]);

export function newAdminToken(): string {
  return randomBytes(24).toString("base64url");
}

/**
 * `POST /_admin/batches` (insert a Batch) and `PATCH /_admin/batches/{id}` (its status, updated_at,
 * results), for tests that change the data while a client reads it. Off unless asked for. Every
 * request needs the admin token (shown at start) and `content-type: application/json`, so that no
 * web page can post to them (a form can send neither); bodies are bounded in size and time. Every
 * answer is in FastAPI's shapes.
 */
export function createAdmin(spec: Spec, store: BatchStore, token: string): (req: IncomingMessage, path: string) => Promise<Reply> {
  const expected = Buffer.from(token);
  return async (req, path) => {
    const id = path === ADMIN_PREFIX ? undefined : path.slice(ADMIN_PREFIX.length + 1);
    if (id !== undefined && (id === "" || id.includes("/"))) return drainThen(req, detail(404, "Not Found"));
    const method = id === undefined ? "POST" : "PATCH";
    if (req.method !== method) return drainThen(req, detail(405, "Method Not Allowed", { allow: method }));
    const given = Buffer.from(String(req.headers[ADMIN_TOKEN_HEADER] ?? ""));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return drainThen(req, detail(401, given.length === 0 ? `Admin token required (${ADMIN_TOKEN_HEADER})` : "Invalid admin token"));
    }
    if (!/^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) {
      return drainThen(req, detail(415, "Content-Type must be application/json"));
    }
    const read = await readBody(req);
    if ("reply" in read) return read.reply;
    let body: unknown;
    try {
      body = JSON.parse(read.text);
    } catch (error) {
      const position = Number(/position (\d+)/.exec((error as Error).message)?.[1] ?? 0);
      return invalid([issue.jsonInvalid(position, (error as Error).message)]);
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return invalid([body === null ? issue.missing(["body"]) : issue.modelType(["body"], body)]);
    }
    return id === undefined ? insert(body) : patch(id, body as Record<string, unknown>);
  };

  function insert(body: object): Reply {
    const problems = [...spec.schemaIssues("Batch", body, ["body"]), ...storable(body as Batch)];
    if (problems.length > 0) return invalid(problems);
    const batch = body as Batch;
    if (store.get(batch.id)) return detail(409, `Batch ${batch.id} already exists`);
    return { status: 201, body: store.insert(batch) };
  }

  function patch(id: string, changes: Record<string, unknown>): Reply {
    const current = store.get(id);
    if (!current) return detail(404, `No batch ${id}`);
    const immutable = Object.keys(changes)
      .filter((k) => !MUTABLE.has(k))
      .map((k) =>
        issue.valueError(["body", k], changes[k], `${k} cannot change once a batch exists (only ${[...MUTABLE].join(", ")} can)`),
      );
    if (immutable.length > 0) return invalid(immutable);
    const problems = spec.schemaIssues("Batch", { ...current, ...changes }, ["body"]);
    if (problems.length > 0) return invalid(problems);
    return { status: 200, body: store.update(id, changes as Partial<Pick<Batch, "status" | "updated_at" | "results">>) };
  }

  /** What the schema allows but the store cannot hold: a project it does not know, a leap second. */
  function storable(batch: Batch): ValidationIssue[] {
    const out: ValidationIssue[] = [];
    if (typeof batch.project_id === "string" && !store.organizationOf(batch.project_id)) {
      out.push(issue.valueError(["body", "project_id"], batch.project_id, "no such project"));
    }
    if (typeof batch.created_at === "string") {
      const parsed = parseDateTime(batch.created_at);
      if (!parsed.ok) out.push(issue.datetimeParsing(["body", "created_at"], batch.created_at, parsed.error));
    }
    return out;
  }
}
