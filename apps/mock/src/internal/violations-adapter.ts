import { Agent, createServer, type IncomingHttpHeaders, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One entry of Prism's `sl-violations` header. */
interface PrismViolation {
  location?: unknown[];
  code?: unknown;
  message?: unknown;
}

/** Prism's validation codes (from ajv) as the FastAPI/pydantic error types the real API sends. */
const FASTAPI_TYPES: Record<string, string> = {
  enum: "enum",
  type: "type_error",
  format: "value_error",
  maximum: "less_than_equal",
  minimum: "greater_than_equal",
  minLength: "string_too_short",
  maxLength: "string_too_long",
  required: "missing",
};

/**
 * Prism answers a request that breaks the spec with the spec's static 422 example, which names
 * whichever parameter the example happens to name; the real violations are in its `sl-violations`
 * header (or, when Prism makes the 422 up itself, in the `validation` list of its problem+json).
 * This turns them into the FastAPI body the spec declares, so the 422 names the parameter that is
 * actually wrong. Returns undefined when there is nothing to rewrite.
 */
export function fastApiBody(violations: unknown): string | undefined {
  if (!Array.isArray(violations)) return undefined;
  const detail = (violations as PrismViolation[])
    .map((v) => ({ ...v, location: Array.isArray(v.location) && v.location[0] === "request" ? v.location.slice(1) : v.location }))
    .filter((v) => Array.isArray(v.location) && ["query", "header", "cookie", "path", "body"].includes(String(v.location[0])))
    .map((v) => ({
      loc: v.location as unknown[],
      msg: String(v.message ?? "Invalid input"),
      type: FASTAPI_TYPES[String(v.code)] ?? String(v.code ?? "value_error"),
    }));
  return detail.length > 0 ? JSON.stringify({ detail }) : undefined;
}

function parseJson(text: string | string[] | undefined): unknown {
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A loopback HTTP front for Prism: forwards every request as is, and rewrites request-validation
 * 422s with {@link fastApiBody}. Listens on `port` (0: a free one).
 */
export function startAdapter(
  upstream: URL,
  port: number,
  host: string,
  emptyValues: (requestTarget: string) => string | undefined = () => undefined,
): Promise<{ server: Server; url: string }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((req, res) => {
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        const rewrite = (body: string | undefined) => {
          if (body === undefined) return false;
          res.writeHead(422, { ...withoutLength(answer.headers), "content-type": "application/json" });
          res.end(body);
          return true;
        };
        // Prism takes `?status=` for an absent parameter; the spec (allowEmptyValue: false) does not.
        // Only where Prism would have served the request, so that auth and its own checks come first.
        const empty = (answer.statusCode ?? 0) < 300 ? emptyValues(req.url ?? "") : undefined;
        if (empty !== undefined) {
          answer.resume();
          rewrite(empty);
          return;
        }
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
    forward.on("error", (error) => {
      if (res.headersSent) return res.destroy(error);
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ detail: `mock backend unavailable: ${error.message}` }));
    });
    req.pipe(forward);
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

function withoutLength(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { "content-length": _, "transfer-encoding": __, ...rest } = headers;
  return rest;
}

/** A parameter as the spec describes it, enough to tell whether an empty value is allowed. */
export interface ParameterShape {
  name: string;
  type?: string;
  enum?: readonly unknown[];
  format?: string;
  minLength?: number;
}

/**
 * Which of an operation's query parameters the spec forbids to be empty, as a check over a request
 * target that returns the FastAPI 422 body naming them (or undefined when there are none).
 */
export function emptyValueCheck(path: string, parameters: readonly ParameterShape[]): (requestTarget: string) => string | undefined {
  const forbidden = parameters.filter((p) => p.enum || p.type === "integer" || p.type === "number" || p.format || (p.minLength ?? 0) > 0);
  return (target) => {
    const q = target.indexOf("?");
    if (q < 0 || target.slice(0, q) !== path) return undefined;
    const search = new URLSearchParams(target.slice(q + 1));
    const detail = forbidden
      .filter((p) => search.has(p.name) && search.getAll(p.name).at(-1) === "")
      .map((p) => ({ loc: ["query", p.name], msg: `Request query parameter ${p.name} must not be empty`, type: "value_error" }));
    return detail.length > 0 ? JSON.stringify({ detail }) : undefined;
  };
}
