import type { IncomingMessage } from "node:http";
import type { Batch } from "@llama-batches/client";
import type { Spec } from "@llama-batches/spec";
import { detail, invalid, type Reply } from "./reply.js";
import type { BatchStore } from "./store.js";

export const ADMIN_PREFIX = "/_admin/batches";

/** `POST /_admin/batches` (insert) and `PATCH /_admin/batches/{id}` (status, updated_at, results). */
export function createAdmin(spec: Spec, store: BatchStore): (req: IncomingMessage, path: string) => Promise<Reply> {
  return async (req, path) => {
    const body = await readJson(req);
    if (body === undefined) return detail(400, "Body must be JSON");
    if (req.method === "POST" && path === ADMIN_PREFIX) {
      const issues = spec.schemaIssues("Batch", body, ["body"]);
      if (issues.length > 0) return invalid(issues);
      try {
        return { status: 201, body: store.insert(body as Batch) };
      } catch (error) {
        return detail(409, (error as Error).message);
      }
    }
    const id = decodeURIComponent(path.slice(ADMIN_PREFIX.length + 1));
    if (req.method === "PATCH" && id && !id.includes("/")) {
      const current = store.get(id);
      if (!current) return detail(404, `No batch ${id}`);
      const issues = spec.schemaIssues("Batch", { ...current, ...(body as object) }, ["body"]);
      if (issues.length > 0) return invalid(issues);
      try {
        return { status: 200, body: store.update(id, body as Partial<Batch>) };
      } catch (error) {
        return detail(422, (error as Error).message);
      }
    }
    return detail(405, "Method Not Allowed");
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}
