import { Agent, createServer, type IncomingHttpHeaders, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { errorDetail, readCredentials, type Spec, validationError } from "@llama-batches/spec";
import { fastApiBody } from "./prism-violations.js";

export interface FrontOptions {
  /** Prism, on its own loopback port. */
  upstream: URL;
  port: number;
  host: string;
  /**
   * Judge requests as the FastAPI backend does, before Prism sees them: credentials, then the
   * query, with the spec package's rules (the reference API uses the very same). Without it (proxy
   * mode), requests go to Prism as they are, and the upstream server judges them.
   */
  spec?: Spec | undefined;
}

/**
 * The loopback HTTP front of the mock. Prism answers with the spec's examples or generated data;
 * this front answers what Prism would get wrong or word differently: a 401 or 422 in FastAPI's
 * shape, naming the parameter, exactly as the reference API words it. Requests it lets through
 * reach Prism with a normalized `Authorization` header and only the parameters the spec knows.
 */
export function startFront({ upstream, port, host, spec }: FrontOptions): Promise<{ server: Server; url: string }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((req, res) => {
    const early = spec ? judge(spec, req) : undefined;
    if (early && "reply" in early) {
      // Read the body first: answering before it would make node:http close a kept-alive connection.
      req.once("end", () => send(res, early.reply.status, early.reply.body, early.reply.headers)).resume();
      return;
    }
    forward(req, res, upstream, agent, early?.target, early?.headers);
  });
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

type Judgement =
  | { reply: { status: number; body: unknown; headers?: Record<string, string> } }
  | { target: string; headers: IncomingHttpHeaders };

function judge(spec: Spec, req: IncomingMessage): Judgement | undefined {
  const raw = req.url ?? "/";
  const q = raw.indexOf("?");
  const pathname = q < 0 ? raw : raw.slice(0, q);
  const match = spec.route(req.method ?? "GET", pathname);
  if (!match || !("operation" in match)) return undefined;
  const headers = { ...req.headers };
  if (match.operation.authenticated) {
    const credentials = readCredentials(req.headers, spec);
    if (credentials.kind === "none" || credentials.kind === "malformed") {
      const detail = credentials.kind === "none" ? "Not authenticated" : "Invalid authentication credentials";
      return { reply: { status: 401, body: errorDetail(detail), headers: { "www-authenticate": "Bearer" } } };
    }
    if (credentials.kind === "bearer") headers.authorization = `Bearer ${credentials.token}`;
  }
  const params = new URLSearchParams(q < 0 ? "" : raw.slice(q + 1));
  const parsed = spec.parseQuery(match.operation.id, params);
  if (!parsed.ok) return { reply: { status: 422, body: validationError(parsed.issues) } };
  // Prism sees what FastAPI would have read: known names (case matters), the last of repeated values.
  const known = new URLSearchParams();
  for (const p of match.operation.query) {
    const values = params.getAll(p.name);
    for (const v of p.type === "array" ? values : values.slice(-1)) known.append(p.name, v);
  }
  const search = known.toString();
  return { target: search ? `${pathname}?${search}` : pathname, headers };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: URL,
  agent: Agent,
  target?: string,
  headers?: IncomingHttpHeaders,
): void {
  const upstreamRequest = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: target ?? req.url, headers: headers ?? req.headers, agent },
    (answer) => {
      const rewrite = (body: string | undefined) => {
        if (body === undefined) return false;
        res.writeHead(422, { ...withoutLength(answer.headers), "content-type": "application/json" });
        res.end(body);
        return true;
      };
      const fromHeader = answer.statusCode === 422 ? fastApiBody(parseJson(answer.headers["sl-violations"])) : undefined;
      if (fromHeader !== undefined) {
        answer.resume();
        rewrite(fromHeader);
        return;
      }
      if (answer.statusCode === 422 && answer.headers["content-type"]?.startsWith("application/problem+json")) {
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const problem = parseJson(text) as { validation?: unknown } | undefined;
          if (rewrite(fastApiBody(problem?.validation))) return;
          res.writeHead(422, answer.headers);
          res.end(text);
        });
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstreamRequest.on("error", (error) => {
    if (res.headersSent) return res.destroy(error);
    send(res, 502, errorDetail(`mock backend unavailable: ${error.message}`));
  });
  req.pipe(upstreamRequest);
}

function parseJson(text: string | string[] | undefined): unknown {
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function withoutLength(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { "content-length": _, "transfer-encoding": __, ...rest } = headers;
  return rest;
}
