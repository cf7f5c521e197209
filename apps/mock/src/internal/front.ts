import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { errorDetail, readCredentials, type Spec, validationError } from "@llama-batches/spec";
import { answerClientErrors, requestTarget, serverOptions } from "@llama-batches/spec/http";
import { prismErrorReply } from "./prism-violations.js";

export interface FrontOptions {
  /** Prism, on its own loopback port. */
  upstream: URL;
  port: number;
  host: string;
  /**
   * Judge requests as the FastAPI backend does, before Prism sees them: the route (405, 307),
   * credentials, then the query, with the spec package's rules (the reference API uses the very
   * same). Without it (proxy mode), requests go to Prism as they are, and the upstream judges them.
   */
  spec?: Spec | undefined;
}

/** What the front answers itself: a status, a JSON body (undefined: none), extra headers. */
interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What Prism is sent: the target, the headers, and whether the request's body goes along. */
interface Forward {
  path: string;
  headers: IncomingHttpHeaders;
  body: boolean;
}

/** Headers about one connection, not the request: never passed on, in either direction. */
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "expect"];

/**
 * The loopback HTTP front of the mock. Prism answers with the spec's examples or generated data;
 * this front answers what Prism would get wrong or word differently, exactly as the reference API
 * does: the route (a 405 with `Allow`, a 307 for a trailing slash, HEAD served as GET without a
 * body), a 401 or 422 in FastAPI's shape naming the parameter, and every error Prism still sends
 * in the API's `{ detail }` shape. Requests it lets through reach Prism with a normalized
 * `Authorization` header, only the parameters the spec knows, and no body when the operation
 * takes none (FastAPI ignores it).
 */
export function startFront({ upstream, port, host, spec }: FrontOptions): Promise<{ server: Server; url: string }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const routesAlone = spec !== undefined && modelsEveryOperation(spec);
  const server = createServer(serverOptions(), (req, res) => {
    const { pathname, search } = requestTarget(req);
    const target = search ? `${pathname}?${search}` : pathname;
    // Proxy mode stands aside: the upstream judges, and Prism reports.
    const judgement = spec
      ? judge(spec, routesAlone, req, pathname, search)
      : { forward: { path: target, headers: req.headers, body: true } };
    if ("reply" in judgement) {
      // Read the body first, as the reference API does; node:http then keeps the connection.
      void bodyRead(req).then(() => send(req, res, judgement.reply));
      return;
    }
    forward(req, res, { upstream, agent, proxied: !spec }, judgement.forward);
  });
  // A client that half-closes after its request (`nc -N`, HTTP/1.0 tools) still gets its answer,
  // which Prism gives a moment later: by default node:http would end the connection first.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  // A body that breaks off (a bad chunk, a timeout) never ends its request. `answerClientErrors`
  // answers that request with the refusal when its response is the one on the wire; when an earlier
  // pipelined response still is, it would wait for this one forever: stop waiting for the body, so
  // that the route answers as far as the request came, and the refusal follows it, whole.
  server.on("clientError", (_error: Error, socket: Duplex) => reading.get(socket)?.());
  // What node's parser refuses (a raw 0xFF, NUL, obs-fold, CL+TE, oversized headers, a slow
  // request…) is answered in the spec's `{ detail }` shape, as the reference API answers it.
  answerClientErrors(server);
  server.on("close", () => agent.destroy());
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const { port: actual } = server.address() as AddressInfo;
      resolve({ server, url: `http://${host}:${actual}` });
    });
  });
}

function judge(
  spec: Spec,
  routesAlone: boolean,
  req: IncomingMessage,
  pathname: string,
  search: string,
): { reply: Reply } | { forward: Forward } {
  const match = spec.route(req.method ?? "GET", pathname);
  if (!match) {
    // A path no operation has (as sent: `/api/v2/%62atches` is not the list, as for the reference
    // API) is FastAPI's 404; Prism, which matches more loosely, would judge it by its own rules.
    if (routesAlone) return { reply: { status: 404, body: errorDetail("Not Found") } };
    // Unless the document has operations the spec's model skips (no operationId): Prism serves them.
    return { forward: { path: search ? `${pathname}?${search}` : pathname, headers: req.headers, body: true } };
  }
  // Starlette's router, before anything else: redirect_slashes, then the method.
  if ("redirect" in match) {
    return { reply: { status: 307, body: undefined, headers: { location: search ? `${match.redirect}?${search}` : match.redirect } } };
  }
  if ("allowed" in match) {
    return { reply: { status: 405, body: errorDetail("Method Not Allowed"), headers: { allow: match.allowed.join(", ") } } };
  }
  const headers = { ...req.headers };
  if (match.operation.authenticated) {
    const credentials = readCredentials(req.headers, spec);
    if (credentials.kind === "none" || credentials.kind === "malformed") {
      const detail = credentials.kind === "none" ? "Not authenticated" : "Invalid authentication credentials";
      return { reply: { status: 401, body: errorDetail(detail), headers: { "www-authenticate": "Bearer" } } };
    }
    if (credentials.kind === "bearer") headers.authorization = `Bearer ${credentials.token}`;
  }
  const params = new URLSearchParams(search);
  const parsed = spec.parseQuery(match.operation.id, params);
  if (!parsed.ok) return { reply: { status: 422, body: validationError(parsed.issues) } };
  // Prism sees what FastAPI would have read: known names (case matters), the last of repeated values.
  const known = new URLSearchParams();
  for (const p of match.operation.query) {
    const values = params.getAll(p.name);
    for (const v of p.type === "array" ? values : values.slice(-1)) known.append(p.name, v);
  }
  const query = known.toString();
  return { forward: { path: query ? `${pathname}?${query}` : pathname, headers, body: match.operation.requestBody !== undefined } };
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Whether the spec's model holds every operation of its document (it skips those without an operationId). */
function modelsEveryOperation(spec: Spec): boolean {
  let count = 0;
  for (const item of Object.values(spec.document.paths ?? {})) {
    for (const method of METHODS) if (typeof (item as Record<string, unknown> | undefined)?.[method] === "object") count += 1;
  }
  return count === spec.operations.length;
}

/** A reply of the front's own; a HEAD gets its headers (with the length of the body) but no body. */
function send(req: IncomingMessage, res: ServerResponse, reply: Reply, extra: OutgoingHttpHeaders = {}): void {
  // Already answered: the parser refused the request's own body (`answerClientErrors`).
  if (res.headersSent) return;
  const text = reply.body === undefined ? "" : JSON.stringify(reply.body);
  const headers: OutgoingHttpHeaders = { ...extra, ...reply.headers, "content-length": Buffer.byteLength(text) };
  if (reply.body !== undefined) headers["content-type"] = "application/json";
  res.writeHead(reply.status, headers);
  res.end(req.method === "HEAD" ? undefined : text);
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  { upstream, agent, proxied }: { upstream: URL; agent: Agent; proxied: boolean },
  { path, headers, body }: Forward,
): void {
  const outgoing: OutgoingHttpHeaders = without(headers, HOP_BY_HOP);
  if (!body) {
    delete outgoing["content-length"];
    delete outgoing["transfer-encoding"];
  }
  const head = req.method === "HEAD";
  let upstreamRequest: ReturnType<typeof request>;
  try {
    // Prism may not answer HEAD (it refuses it as a method the spec lacks, and cannot proxy it):
    // it is sent the GET, and its answer goes back without the body.
    upstreamRequest = request(
      { host: upstream.hostname, port: upstream.port, method: head ? "GET" : req.method, path, headers: outgoing, agent },
      (answer) => relay(req, res, answer, proxied),
    );
  } catch (error) {
    // What node:http refuses to send on (a target or header it would not write) is the request's fault.
    void bodyRead(req).then(() => send(req, res, { status: 400, body: errorDetail(`Invalid HTTP request: ${(error as Error).message}`) }));
    return;
  }
  upstreamRequest.on("error", (error) => {
    if (res.headersSent) {
      if (!res.writableEnded) res.destroy(error);
      return;
    }
    send(req, res, { status: 502, body: errorDetail(`mock backend unavailable: ${error.message}`) });
  });
  if (body) {
    req.pipe(upstreamRequest, { end: false });
    void bodyRead(req, { piped: true }).then(() => upstreamRequest.end());
  } else {
    // FastAPI ignores a body the operation does not take: read and dropped, never shown to Prism.
    void bodyRead(req).then(() => upstreamRequest.end());
  }
}

/** Prism's answer to the client: as it is when it is a success or already in the API's shape. */
function relay(req: IncomingMessage, res: ServerResponse, answer: IncomingMessage, proxied: boolean): void {
  const status = answer.statusCode ?? 502;
  const headers = without(answer.headers, HOP_BY_HOP.concat("transfer-encoding"));
  if (res.headersSent) {
    // Already answered: the parser refused the request's own body (`answerClientErrors`).
    answer.resume();
    return;
  }
  if (status < 400) {
    res.writeHead(status, headers);
    if (req.method === "HEAD") {
      answer.resume();
      res.end();
    } else {
      answer.pipe(res);
    }
    return;
  }
  // An error: read it whole, then say it as the API would.
  const chunks: Buffer[] = [];
  answer.on("data", (c: Buffer) => chunks.push(c));
  answer.on("end", () => {
    const text = Buffer.concat(chunks);
    const violations = answer.headers["sl-violations"];
    const contentType = answer.headers["content-type"];
    const reply = prismErrorReply(
      status,
      { contentType, violations: typeof violations === "string" ? violations : undefined, body: text.toString("utf8") },
      proxied,
    );
    if (reply) {
      send(req, res, reply, without(headers, ["content-type", "content-length"]));
      return;
    }
    if (res.headersSent) return;
    res.writeHead(status, headers);
    res.end(req.method === "HEAD" ? undefined : text);
  });
}

/** On each connection, the request whose body is being read, and how to stop waiting for it. */
const reading = new WeakMap<Duplex, () => void>();

/**
 * Resolves once the request's body has been read (dropped, unless `piped` elsewhere), the request
 * is gone, or the parser gave up on the connection (a body that breaks off never ends).
 */
function bodyRead(req: IncomingMessage, { piped = false } = {}): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded) return resolve();
    const { socket } = req;
    const done = () => {
      if (reading.get(socket) === done) reading.delete(socket);
      resolve();
    };
    reading.set(socket, done);
    req.once("end", done).once("error", done).once("close", done);
    if (!piped) req.resume();
  });
}

function without(headers: IncomingHttpHeaders | OutgoingHttpHeaders, names: readonly string[]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...headers };
  for (const name of names) delete out[name];
  return out;
}
