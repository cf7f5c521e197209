import type { IncomingMessage, ServerResponse } from "node:http";
import type { Spec } from "@llama-batches/spec";
import { redirectLocation, requestTarget } from "@llama-batches/spec/http";
import type { Authenticator } from "./auth.js";
import { drained, readBody } from "./body.js";
import type { ListHandler } from "./list.js";
import type { Scope } from "./model.js";
import { detail, encode, type Reply } from "./reply.js";
import type { BatchHandler, CreateHandler } from "./requests.js";

/** The operations the server implements, each composed once at start (see start.ts). */
export interface Operations {
  list: ListHandler;
  create: CreateHandler;
  retrieve: BatchHandler;
  cancel: BatchHandler;
}

export interface HandlerParts {
  /** Which operation a request is for: the spec's own router (`Spec.route`). */
  route: Spec["route"];
  authenticate: Authenticator;
  operations: Operations;
  /** The admin routes, when served. */
  admin?: { prefix: string; handle: (req: IncomingMessage, path: string) => Promise<Reply> } | undefined;
}

/** The request handler: plain `node:http`, routing by the spec to parts composed once at start. */
export function createHandler({
  route: routeOf,
  authenticate,
  operations,
  admin,
}: HandlerParts): (req: IncomingMessage, res: ServerResponse) => void {
  let requests = 0;

  /** The operation's answer once the credentials are known, or their 401. */
  const authenticated = (req: IncomingMessage, serve: (scope: Scope) => Reply): Reply => {
    const scope = authenticate(req.headers);
    return "status" in scope ? scope : serve(scope);
  };

  function route(req: IncomingMessage): Reply | Promise<Reply> {
    // Origin-form or absolute-form, split by hand: `new URL` throws on targets Node accepts (`//`, `//[`).
    const { pathname, search } = requestTarget(req);
    if (admin && (pathname === admin.prefix || pathname.startsWith(`${admin.prefix}/`))) return admin.handle(req, pathname);
    // Starlette's router: a path no route has is a 404, one with (or without) a trailing slash a 307,
    // another method a 405 with Allow; HEAD is answered wherever GET is.
    const match = routeOf(req.method ?? "GET", pathname);
    if (!match) return afterBody(req, detail(404, "Not Found"));
    if ("redirect" in match) {
      // FastAPI's redirect_slashes: a 307 (the method and body are kept), the query kept.
      return afterBody(req, {
        status: 307,
        body: undefined,
        headers: { location: redirectLocation(match.redirect, search) },
      });
    }
    if ("allowed" in match) return afterBody(req, detail(405, "Method Not Allowed", { allow: match.allowed.join(", ") }));
    const params = new URLSearchParams(search);
    const batchId = match.pathParams.batch_id ?? "";
    switch (match.operation.id) {
      case "listBatches":
        return authenticated(req, (scope) => operations.list({ scope, params }));
      case "getBatch":
        return authenticated(req, (scope) => operations.retrieve({ scope, params, batchId }));
      case "cancelBatch":
        // The operation takes no body: one that is sent is read and ignored, as FastAPI does.
        return drained(req).then(() => authenticated(req, (scope) => operations.cancel({ scope, params, batchId })));
      case "createBatch":
        return readBody(req).then((read) =>
          "reply" in read
            ? read.reply
            : authenticated(req, (scope) =>
                operations.create({ scope, params, body: read.text, contentType: req.headers["content-type"] }),
              ),
        );
      default:
        // An operation of the document this server does not implement.
        return afterBody(req, detail(404, "Not Found"));
    }
  }

  const respond = (req: IncomingMessage, res: ServerResponse, requestId: string, reply: Reply) => {
    // Already answered for us: node's parser refused this request's body (see answerClientErrors).
    if (res.headersSent) return;
    // One Buffer, written once: measurably cheaper than handing node:http a string to encode.
    let body: Buffer;
    try {
      body = encode(reply);
    } catch (error) {
      // A body that cannot be serialised (a bug) still gets an answer, never a dead process.
      reply = crashed(req, requestId, error);
      body = encode(reply);
    }
    const headers: Record<string, string | number> =
      reply.body === undefined
        ? { "content-length": 0, "x-request-id": requestId }
        : { "content-type": "application/json", "content-length": body.length, "x-request-id": requestId };
    // No spread on the hot path: only the rare reply with headers of its own copies them in.
    if (reply.headers) for (const [name, value] of Object.entries(reply.headers)) headers[name] = value;
    res.writeHead(reply.status, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  };
  // A bug here must still answer, and say so: never a hung connection.
  const crashed = (req: IncomingMessage, requestId: string, error: unknown): Reply => {
    console.error(`[reference-api] ${requestId} ${req.method} ${req.url}:`, error);
    return detail(500, "Internal Server Error");
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
    // Reads answer synchronously; routes that read a body (create, cancel, admin) answer later.
    if (reply instanceof Promise) {
      reply.catch((error: unknown) => crashed(req, requestId, error)).then((r) => respond(req, res, requestId, r));
    } else {
      respond(req, res, requestId, reply);
    }
  };
}

/** The reply once the request's body (if any) is read: answering first would close a kept-alive connection. */
function afterBody(req: IncomingMessage, reply: Reply): Reply | Promise<Reply> {
  return req.method === "GET" || req.method === "HEAD" ? reply : drained(req).then(() => reply);
}
