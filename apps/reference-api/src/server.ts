import type { IncomingMessage, ServerResponse } from "node:http";
import type { Batch, ListBatchesParams } from "@llama-batches/client";
import { createSchemaValidator, describeOperation, type OpenApiDocument } from "@llama-batches/contract";
import type { FaultName } from "./faults.js";
import type { ApiKey, Scope, Session } from "./model.js";
import type { BatchStore, Cursor } from "./store.js";
import { PageTokens } from "./tokens.js";
import { compileQueryValidator, instant, type ValidationIssue } from "./validation.js";

const LIST_PATH = "/api/v2/batches";
const ADMIN_PREFIX = "/_admin/batches";

export interface ServerOptions {
  spec: OpenApiDocument;
  store: BatchStore;
  apiKeys: readonly ApiKey[];
  sessions: readonly Session[];
  faults: ReadonlySet<FaultName>;
  tokens: PageTokens;
  admin: boolean;
}

interface Reply {
  status: number;
  body: unknown;
  /** The body already serialized, when the handler could do it cheaper than JSON.stringify. */
  json?: string;
  headers?: Record<string, string>;
}

/** The request handler: plain `node:http`, validation compiled from the spec at start. */
export function createHandler(options: ServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { store, faults, tokens } = options;
  const validateQuery = compileQueryValidator(options.spec, LIST_PATH, "get");
  // The default comes from the spec too (the maximum is enforced by the validator).
  const defaultPageSize = describeOperation(options.spec).pageSize.default;
  const validateBatch = createSchemaValidator(options.spec);
  const keys = new Map(options.apiKeys.map((k) => [k.key, k]));
  const sessions = new Map(options.sessions.map((s) => [s.session, s]));
  let requests = 0;

  function authenticate(req: IncomingMessage): Scope | Reply {
    const header = req.headers.authorization;
    const bearer = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    const session = req.headers.cookie
      ?.split(";")
      .map((c) => c.trim().split("="))
      .find(([name]) => name === "session")?.[1];
    const scope = (bearer && keys.get(bearer)) || (session && sessions.get(session)) || undefined;
    if (scope) return scope;
    if (!header && !session && faults.has("no-auth") && options.apiKeys[0]) return options.apiKeys[0];
    const detail = header || session ? "Invalid authentication credentials" : "Not authenticated";
    return { status: 401, body: { detail }, headers: { "www-authenticate": "Bearer" } };
  }

  function list(scope: Scope, params: URLSearchParams): Reply {
    let checked = validateQuery(params);
    if (!checked.ok && faults.has("lenient-validation")) {
      const lenient = new URLSearchParams(params);
      for (const issue of checked.issues) lenient.delete(String(issue.loc[1]));
      checked = validateQuery(lenient);
    }
    if (!checked.ok) return invalid(checked.issues);
    const q = checked.query;
    if (faults.has("server-error") && q.status && q.created_at_on_or_after) {
      return { status: 500, body: { detail: "Internal Server Error" } };
    }
    const pageSize = (q.page_size ?? defaultPageSize) + (faults.has("page-size-off-by-one") ? 1 : 0);
    const afterMs = q.created_at_on_or_after === undefined ? undefined : instant(q.created_at_on_or_after, "ceil");
    const beforeMs = q.created_at_on_or_before === undefined ? undefined : instant(q.created_at_on_or_before, "floor");
    const binding = PageTokens.bind([
      scope.organization_id,
      scope.project_id,
      q.organization_id ?? null,
      q.project_id ?? null,
      q.source_directory_id ?? null,
      q.status ?? null,
      afterMs ?? null,
      beforeMs ?? null,
    ]);

    let cursor: Cursor | undefined;
    if (q.page_token !== undefined) {
      const read = tokens.read(q.page_token, faults.has("token-ignores-filters") ? undefined : binding);
      if ("error" in read) {
        return invalid([
          { loc: ["query", "page_token"], msg: `Invalid page token (${read.error})`, type: "value_error", input: q.page_token },
        ]);
      }
      cursor = read.cursor;
    }

    const filtered = !(cursor && faults.has("token-ignores-filters"));
    const target = resolveScope(scope, filtered ? q : {});
    if (!target) return page([], undefined);
    const exclusive = faults.has("exclusive-date-bounds");
    const result = store.query({
      organization_id: target.organization_id,
      project_id: target.project_id,
      source_directory_id: filtered ? q.source_directory_id : undefined,
      status: filtered && !faults.has("ignore-status-filter") ? q.status : undefined,
      afterMs: filtered && afterMs !== undefined ? afterMs + (exclusive ? 1 : 0) : undefined,
      beforeMs: filtered && beforeMs !== undefined ? beforeMs - (exclusive ? 1 : 0) : undefined,
      after: cursor,
      limit: pageSize,
      tiesAscending: cursor !== undefined && faults.has("unstable-order"),
    });

    let items = result.items;
    let next = result.next;
    if (next && faults.has("drop-last-item")) items = items.slice(0, -1);
    if (next && faults.has("repeat-item") && items.length >= 2) {
      const previous = items[items.length - 2] as Batch;
      next = { createdMs: previous.created_at ? Date.parse(previous.created_at) : Number.NEGATIVE_INFINITY, id: previous.id };
    }
    if (!cursor && faults.has("scope-leak")) {
      const foreign = store.anyOutside(scope.organization_id);
      if (foreign) items = [foreign, ...items];
    }
    if (faults.has("schema-break") && items[0]) {
      const first = items[0];
      items = [{ ...first, config: { job: { ...first.config.job, type: "parse_v3" as "parse_v2" } } }, ...items.slice(1)];
    }
    return page(items, next && tokens.issue(next, binding));
  }

  /** Which organization and project a query may see, or undefined when it may see nothing. */
  function resolveScope(scope: Scope, q: ListBatchesParams): { organization_id: string; project_id?: string } | undefined {
    if (q.organization_id !== undefined && q.organization_id !== scope.organization_id) return undefined;
    if (scope.project_id !== null) {
      if (q.project_id !== undefined && q.project_id !== scope.project_id) return undefined;
      return { organization_id: scope.organization_id, project_id: scope.project_id };
    }
    if (q.project_id === undefined) return { organization_id: scope.organization_id };
    return store.organizationOf(q.project_id) === scope.organization_id
      ? { organization_id: scope.organization_id, project_id: q.project_id }
      : undefined;
  }

  async function admin(req: IncomingMessage, path: string): Promise<Reply> {
    const body = await readJson(req);
    if (body === undefined) return { status: 400, body: { detail: "Body must be JSON" } };
    if (req.method === "POST" && path === ADMIN_PREFIX) {
      const errors = validateBatch("Batch", body);
      if (errors.length > 0) return { status: 422, body: { detail: errors } };
      try {
        return { status: 201, body: store.insert(body as Batch) };
      } catch (error) {
        return { status: 409, body: { detail: (error as Error).message } };
      }
    }
    const id = decodeURIComponent(path.slice(ADMIN_PREFIX.length + 1));
    if (req.method === "PATCH" && id && !id.includes("/")) {
      const current = store.get(id);
      if (!current) return { status: 404, body: { detail: `No batch ${id}` } };
      const errors = validateBatch("Batch", { ...current, ...(body as object) });
      if (errors.length > 0) return { status: 422, body: { detail: errors } };
      try {
        return { status: 200, body: store.update(id, body as Partial<Batch>) };
      } catch (error) {
        return { status: 422, body: { detail: (error as Error).message } };
      }
    }
    return { status: 405, body: { detail: "Method Not Allowed" } };
  }

  function route(req: IncomingMessage): Reply | Promise<Reply> {
    // Split by hand: `new URL` throws on targets Node accepts (`//`, `//[`), and is slower.
    const raw = req.url ?? "/";
    const hash = raw.indexOf("#");
    const target = hash < 0 ? raw : raw.slice(0, hash);
    const q = target.indexOf("?");
    const url = { pathname: q < 0 ? target : target.slice(0, q), searchParams: new URLSearchParams(q < 0 ? "" : target.slice(q + 1)) };
    if (url.pathname === LIST_PATH) {
      if (req.method !== "GET" && req.method !== "HEAD") {
        // Answering before the body is read would make node:http close a kept-alive connection.
        return drained(req).then(() => ({ status: 405, body: { detail: "Method Not Allowed" }, headers: { allow: "GET" } }));
      }
      const scope = authenticate(req);
      return "status" in scope ? scope : list(scope, url.searchParams);
    }
    if (options.admin && (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`))) {
      return admin(req, url.pathname);
    }
    const notFound: Reply = { status: 404, body: { detail: "Not Found" } };
    return req.method === "GET" || req.method === "HEAD" ? notFound : drained(req).then(() => notFound);
  }

  const respond = (req: IncomingMessage, res: ServerResponse, requestId: string, reply: Reply) => {
    // One Buffer, written once: measurably cheaper than handing node:http a string to encode.
    const body = Buffer.from(reply.json ?? JSON.stringify(reply.body));
    res.writeHead(reply.status, {
      "content-type": "application/json",
      "content-length": body.length,
      "x-request-id": requestId,
      ...reply.headers,
    });
    res.end(req.method === "HEAD" ? undefined : body);
  };
  // A bug here must still answer, and say so: never a hung connection.
  const crashed = (req: IncomingMessage, requestId: string, error: unknown): Reply => {
    console.error(`[reference-api] ${requestId} ${req.method} ${req.url}:`, error);
    return { status: 500, body: { detail: "Internal Server Error" } };
  };

  return (req, res) => {
    requests += 1;
    const requestId = `ref-${requests.toString(36)}`;
    let reply: Reply | Promise<Reply>;
    try {
      reply = route(req);
    } catch (error) {
      reply = crashed(req, requestId, error);
    }
    // The list endpoint answers synchronously; only the admin routes read a body.
    if (reply instanceof Promise) {
      reply.catch((error: unknown) => crashed(req, requestId, error)).then((r) => respond(req, res, requestId, r));
    } else {
      respond(req, res, requestId, reply);
    }
  };
}

/**
 * Batches are immutable objects (an update replaces the object), so each one's JSON can be kept
 * and reused: a page is then a join of cached strings instead of a JSON.stringify of 20 objects.
 */
const serialized = new WeakMap<Batch, string>();
function batchJson(batch: Batch): string {
  let json = serialized.get(batch);
  if (json === undefined) {
    json = JSON.stringify(batch);
    serialized.set(batch, json);
  }
  return json;
}

function page(items: Batch[], next_page_token: string | undefined): Reply {
  const token = next_page_token ? `,"next_page_token":${JSON.stringify(next_page_token)}` : "";
  return {
    status: 200,
    body: next_page_token ? { items, next_page_token } : { items },
    json: `{"items":[${items.map(batchJson).join(",")}]${token}}`,
  };
}

function invalid(issues: ValidationIssue[]): Reply {
  return { status: 422, body: { detail: issues } };
}

function drained(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded) return resolve();
    req.once("end", resolve).once("error", () => resolve()).resume();
  });
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
