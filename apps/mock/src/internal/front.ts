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
import {
  errorDetail,
  INPUT_DEPTH,
  type OperationModel,
  readCredentials,
  type Spec,
  truncateDepth,
  validationError,
} from "@llama-batches/spec";
import { answerClientErrors, HTTP_LIMITS, readBody, redirectLocation, requestTarget, serverOptions } from "@llama-batches/spec/http";
import { BODY_LIMIT_BYTES, bodyRead, reading } from "./body.js";
import { EXPAND_PARAM, expandedExample } from "./expand.js";
import { judgeInput } from "./input.js";
import { preferExample } from "./prefer.js";
import { prismErrorReply } from "./prism-violations.js";

export interface FrontOptions {
  /** Prism, on its own loopback port. */
  upstream: URL;
  port: number;
  host: string;
  /**
   * Judge requests as the FastAPI backend does, before Prism sees them: the route (405, 307), the
   * body read (413), credentials, then the query and the body, with the spec package's rules (the
   * reference API uses the very same). Without it (proxy mode), requests go to Prism as they are,
   * and the upstream judges them.
   */
  spec?: Spec | undefined;
}

/** What the front answers itself: a status, a JSON body (undefined: none), extra headers. */
interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * What Prism is sent: the target, the headers, and the body: the request's own as it comes
 * (`"as-sent"`), the JSON the front read and judged, or none (FastAPI ignores a body an operation
 * does not take).
 */
interface Forward {
  path: string;
  headers: IncomingHttpHeaders;
  body: "as-sent" | Buffer | undefined;
}

/** Headers about one connection, not the request: never passed on, in either direction. */
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "expect"];

/**
 * The loopback HTTP front of the mock. Prism answers with the spec's examples or generated data;
 * this front answers what Prism would get wrong or word differently, exactly as the reference API
 * does: the route (a 405 with `Allow`, a 307 for a trailing slash, HEAD served as GET without a
 * body), a 401 or 422 in FastAPI's shape naming the parameter, and every error Prism still sends
 * in the API's `{ detail }` shape. An operation's JSON body is read (bounded) and judged with the
 * query, as FastAPI judges them. Requests it lets through reach Prism with a normalized
 * `Authorization` header, only the parameters the spec knows, the body as JSON or none when the
 * operation takes none (FastAPI ignores it), and for an `expand`, the example the spec names for it.
 */
export function startFront({ upstream, port, host, spec }: FrontOptions): Promise<{ server: Server; url: string }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const routesAlone = spec !== undefined && modelsEveryOperation(spec);
  const server = createServer(serverOptions(), (req, res) => {
    const { pathname, search } = requestTarget(req);
    const pass = (forwarded: Forward) => forward(req, res, { upstream, agent, proxied: !spec }, forwarded);
    const answer = (judgement: { reply: Reply } | { forward: Forward }) => {
      // Read the body first, as the reference API does; node:http then keeps the connection.
      if ("reply" in judgement) void bodyRead(req).then(() => send(req, res, judgement.reply));
      else pass(judgement.forward);
    };
    // Proxy mode stands aside: the upstream judges, and Prism reports.
    if (!spec) return pass({ path: search ? `${pathname}?${search}` : pathname, headers: req.headers, body: "as-sent" });
    const routed = route(spec, routesAlone, req, pathname, search);
    if (!("operation" in routed)) return answer(routed);
    const { operation } = routed;
    if (!operation.requestBody) return answer(judge(spec, operation, req, pathname, search, undefined));
    // FastAPI reads an operation's body before it judges anything; bounded here in size and time,
    // as the reference API bounds it. A refusal (413, 408, what the parser refused of the body)
    // is sent in its turn among pipelined answers, and closes the connection.
    void readBody(req, { limitBytes: BODY_LIMIT_BYTES, timeoutMs: HTTP_LIMITS.bodyTimeoutMs }).then((read) => {
      if ("reply" in read) send(req, res, read.reply);
      else answer(judge(spec, operation, req, pathname, search, read.bytes.toString("utf8")));
    });
  });
  // A client that half-closes after its request (`nc -N`, HTTP/1.0 tools) still gets its answer,
  // which Prism gives a moment later: by default node:http would end the connection first.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  // A body being drained that breaks off (a bad chunk, a timeout) never ends its request.
  // `answerClientErrors` answers that request with the refusal when its response is the one on the
  // wire; when an earlier pipelined response still is, it would wait for this one forever: stop
  // waiting for the body, so that the route answers as far as the request came, and the refusal
  // follows it, whole. (A body read with `readBody` is handed the refusal by `answerClientErrors`.)
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

/** Starlette's router, before anything else: the operation, or the router's own answer. */
function route(
  spec: Spec,
  routesAlone: boolean,
  req: IncomingMessage,
  pathname: string,
  search: string,
): { reply: Reply } | { forward: Forward } | { operation: OperationModel } {
  const match = spec.route(req.method ?? "GET", pathname);
  if (!match) {
    // A path no operation has (as sent: `/api/v2/%62atches` is not the list, as for the reference
    // API) is FastAPI's 404; Prism, which matches more loosely, would judge it by its own rules.
    if (routesAlone) return { reply: { status: 404, body: errorDetail("Not Found") } };
    // Unless the document has operations the spec's model skips (no operationId): Prism serves them.
    return { forward: { path: search ? `${pathname}?${search}` : pathname, headers: req.headers, body: "as-sent" } };
  }
  // redirect_slashes, then the method.
  if ("redirect" in match) {
    return { reply: { status: 307, body: undefined, headers: { location: redirectLocation(match.redirect, search) } } };
  }
  if ("allowed" in match) {
    return { reply: { status: 405, body: errorDetail("Method Not Allowed"), headers: { allow: match.allowed.join(", ") } } };
  }
  return { operation: match.operation };
}

/**
 * The request as FastAPI judges it once routed: credentials (401), then the query and the body
 * together (one 422 naming every issue), with the spec package's rules. `text` is the body of an
 * operation that takes one.
 */
function judge(
  spec: Spec,
  operation: OperationModel,
  req: IncomingMessage,
  pathname: string,
  search: string,
  text: string | undefined,
): { reply: Reply } | { forward: Forward } {
  const headers = { ...req.headers };
  if (operation.authenticated) {
    const credentials = readCredentials(req.headers, spec);
    if (credentials.kind === "none" || credentials.kind === "malformed") {
      const detail = credentials.kind === "none" ? "Not authenticated" : "Invalid authentication credentials";
      return { reply: { status: 401, body: errorDetail(detail), headers: { "www-authenticate": "Bearer" } } };
    }
    if (credentials.kind === "bearer") headers.authorization = `Bearer ${credentials.token}`;
  }
  const params = new URLSearchParams(search);
  const input = judgeInput(spec, operation.id, params, text, req.headers["content-type"]);
  if (input.issues.length > 0) return { reply: { status: 422, body: validationError(input.issues) } };
  // Prism sees what FastAPI would have read: known names (case matters), the last of repeated values.
  const known = new URLSearchParams();
  for (const p of operation.query) {
    const values = params.getAll(p.name);
    for (const v of p.type === "array" ? values : values.slice(-1)) known.append(p.name, v);
  }
  // A static mock fills an expanded field in by answering the example the spec names for it.
  const example = expandedExample(operation, known.getAll(EXPAND_PARAM));
  // node:http joins repeated `Prefer` headers into one string.
  if (example !== undefined) headers.prefer = preferExample(req.headers.prefer as string | undefined, example);
  const kept = known.toString();
  const path = kept ? `${pathname}?${kept}` : pathname;
  if (!("body" in input)) return { forward: { path, headers, body: undefined } };
  // The body as read (JSON, whatever content type FastAPI accepted as JSON), for Prism to check again.
  headers["content-type"] = "application/json";
  // What the model read, cut to a depth no field of the schema reaches: an unknown field nested
  // thousands of levels deep (ignored, as FastAPI ignores it) would otherwise break Prism.
  return { forward: { path, headers, body: Buffer.from(JSON.stringify(truncateDepth(input.body ?? null, INPUT_DEPTH))) } };
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
  let text: string;
  try {
    text = reply.body === undefined ? "" : JSON.stringify(reply.body);
  } catch (error) {
    // A body that cannot be serialised (a bug) still gets an answer, never a dead process.
    console.error(`[mock] ${req.method} ${req.url}:`, error);
    reply = { status: 500, body: errorDetail("Internal Server Error") };
    text = JSON.stringify(reply.body);
  }
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
  if (body !== "as-sent") {
    delete outgoing["transfer-encoding"];
    if (body) outgoing["content-length"] = body.length;
    else delete outgoing["content-length"];
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
  if (body === "as-sent") {
    req.pipe(upstreamRequest, { end: false });
    void bodyRead(req, { piped: true }).then(() => upstreamRequest.end());
  } else if (body) {
    upstreamRequest.end(body);
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

function without(headers: IncomingHttpHeaders | OutgoingHttpHeaders, names: readonly string[]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...headers };
  for (const name of names) delete out[name];
  return out;
}
