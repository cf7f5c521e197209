import type { IncomingMessage, ServerResponse } from "node:http";
import { requestTarget } from "@llama-batches/spec/http";
import type { Authenticator } from "./auth.js";
import type { ListHandler } from "./list.js";
import { detail, encode, type Reply } from "./reply.js";

export interface HandlerParts {
  /** The list operation's path, from the spec. */
  listPath: string;
  authenticate: Authenticator;
  list: ListHandler;
  /** The admin routes, when served. */
  admin?: { prefix: string; handle: (req: IncomingMessage, path: string) => Promise<Reply> } | undefined;
}

/** The request handler: plain `node:http`, routing to parts composed once at start. */
export function createHandler({ listPath, authenticate, list, admin }: HandlerParts): (req: IncomingMessage, res: ServerResponse) => void {
  let requests = 0;

  function route(req: IncomingMessage): Reply | Promise<Reply> {
    // Origin-form or absolute-form, split by hand: `new URL` throws on targets Node accepts (`//`, `//[`).
    const { pathname, search } = requestTarget(req);
    if (pathname === listPath) {
      // Starlette answers HEAD wherever it answers GET.
      if (req.method !== "GET" && req.method !== "HEAD") {
        // Answering before the body is read would make node:http close a kept-alive connection.
        return drained(req).then(() => detail(405, "Method Not Allowed", { allow: "GET, HEAD" }));
      }
      const scope = authenticate(req.headers);
      return "status" in scope ? scope : list({ scope, params: new URLSearchParams(search) });
    }
    if (pathname === `${listPath}/`) {
      // FastAPI's redirect_slashes: a 307 (the method and body are kept) to the path without it.
      const redirect: Reply = { status: 307, body: undefined, headers: { location: search ? `${listPath}?${search}` : listPath } };
      return req.method === "GET" || req.method === "HEAD" ? redirect : drained(req).then(() => redirect);
    }
    if (admin && (pathname === admin.prefix || pathname.startsWith(`${admin.prefix}/`))) return admin.handle(req, pathname);
    const notFound = detail(404, "Not Found");
    return req.method === "GET" || req.method === "HEAD" ? notFound : drained(req).then(() => notFound);
  }

  const respond = (req: IncomingMessage, res: ServerResponse, requestId: string, reply: Reply) => {
    // Already answered for us: node's parser refused this request's body (see answerClientErrors).
    if (res.headersSent) return;
    // One Buffer, written once: measurably cheaper than handing node:http a string to encode.
    const body = encode(reply);
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
    // The list endpoint answers synchronously; only the admin routes read a body.
    if (reply instanceof Promise) {
      reply.catch((error: unknown) => crashed(req, requestId, error)).then((r) => respond(req, res, requestId, r));
    } else {
      respond(req, res, requestId, reply);
    }
  };
}

function drained(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded) return resolve();
    req
      .once("end", resolve)
      .once("error", () => resolve())
      // A connection gone (or a body node's parser refused) ends the wait too.
      .once("close", () => resolve())
      .resume();
  });
}
