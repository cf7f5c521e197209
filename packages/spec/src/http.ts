/**
 * How the kit's servers (the mock's front, the reference API) meet HTTP itself, the same way: the
 * limits a test double should have, the request target read as FastAPI (uvicorn) reads it, and the
 * requests Node's parser refuses answered in the spec's error shape. One place, so that both
 * servers say the same thing to the same bytes.
 */
import { type IncomingMessage, type Server, type ServerOptions, type ServerResponse, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { errorDetail } from "./fastapi.js";
import { bodyRefusal, handRefusalToBodyReader } from "./internal/read-body.js";

export {
  type BodyRead,
  type BodyRefusal,
  bodyTooLarge,
  type ReadBodyOptions,
  readBody,
} from "./internal/read-body.js";

/**
 * Decided here (and in the servers' READMEs): small, test-double-sized limits. A connection that has
 * not sent its headers within 5 s, or a whole request within 10 s, gets a 408; headers over 16 KiB a
 * 431; Node checks the deadlines every second (its default, 30 s, let slow sockets linger for 84 s).
 * A body a route reads (`readBody`) must be whole within 5 s of the route asking for it, else a 408;
 * its size limit is the spec's (`Spec#bodyLimitBytes`).
 */
export const HTTP_LIMITS = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  bodyTimeoutMs: 5_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
  maxHeaderBytes: 16_384,
} as const;

/** `createServer` options with those limits. `Host` is not required: uvicorn does not require it. */
export function serverOptions(): ServerOptions {
  return {
    headersTimeout: HTTP_LIMITS.headersTimeoutMs,
    requestTimeout: HTTP_LIMITS.requestTimeoutMs,
    keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
    connectionsCheckingInterval: HTTP_LIMITS.checkIntervalMs,
    maxHeaderSize: HTTP_LIMITS.maxHeaderBytes,
    requireHostHeader: false,
  };
}

/** Why Node's parser refused a request, as a status and a `detail`. */
function refusal(code: string | undefined): [400 | 408 | 431, string] {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return [431, "Request header fields too large"];
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return [408, "Request timeout"];
    case "HPE_INVALID_METHOD":
      return [400, "Invalid HTTP method"];
    case "HPE_UNEXPECTED_CONTENT_LENGTH":
      return [400, "Invalid HTTP request: Content-Length with Transfer-Encoding"];
    default:
      return [400, "Invalid HTTP request"];
  }
}

type RefusedRequest = NodeJS.ErrnoException & { rawPacket?: Buffer; bytesParsed?: number };

/** The method of the request the parser refused, read from the bytes it was given. */
function refusedMethod(error: RefusedRequest): string | undefined {
  const packet = error.rawPacket;
  if (!packet) return undefined;
  const upTo = Math.min(error.bytesParsed ?? packet.length, packet.length);
  const before = packet.subarray(0, upTo).toString("latin1");
  const start = before.lastIndexOf("\r\n\r\n");
  const request = start < 0 ? packet.toString("latin1") : packet.subarray(start + 4).toString("latin1");
  return /^([A-Z]+) /.exec(request)?.[1];
}

/**
 * Answers what Node's HTTP parser refuses (a raw 0xFF or NUL, obs-fold, CL+TE, oversized headers,
 * a slow request…) with a complete JSON response in the spec's `{ detail }` shape, then closes the
 * connection. A response still being written for an earlier request on the same connection
 * (pipelining) goes out first, whole. Refused bytes of a body `readBody` is reading are that read's
 * answer: its route sends it.
 */
export function answerClientErrors(server: Server): void {
  server.on("clientError", (error: RefusedRequest, socket: Duplex) => {
    if (error.code === "ECONNRESET" || error.code === "EPIPE" || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, detail] = refusal(error.code);
    if (handRefusalToBodyReader(socket, bodyRefusal(status, detail))) return;
    const body = JSON.stringify(errorDetail(detail));
    const head = `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`;
    // A response to HEAD has no body, whatever its length says; the refused request's own bytes
    // tell whether it was one (it starts after the last blank line before the point of failure,
    // as pipelined requests before it came through whole).
    const headOnly = refusedMethod(error) === "HEAD";
    const whenIdle = () => {
      // node:http's own: the response it is still writing on this socket, if any. A finished one
      // stays attached until node:http hands the socket to the next response in line.
      const pending = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
      if (pending && !pending.headersSent && !pending.req?.complete) {
        // The refused bytes are this request's own body (a bad chunk, say): it is the one refused,
        // answered on its own response; the route still waiting for its body never gets to answer.
        pending.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" });
        pending.end(pending.req?.method === "HEAD" ? undefined : body);
        return;
      }
      if (pending) {
        if (pending.writableFinished) setImmediate(whenIdle);
        else pending.once("close", () => setImmediate(whenIdle));
        return;
      }
      if (socket.writable) socket.end(headOnly ? head : head + body);
      else socket.destroy();
    };
    whenIdle();
  });
}

/**
 * The path and query of a request target, as uvicorn reads them: origin-form (`/a?b`), absolute-form
 * (`http://host/a?b`, which RFC 9112 says a server must accept), or anything else taken as it is;
 * the path percent-decoded, the query as sent. The fragment, which no client should send, is dropped.
 */
export function requestTarget(req: Pick<IncomingMessage, "url">): { pathname: string; search: string } {
  let raw = req.url ?? "/";
  const hash = raw.indexOf("#");
  if (hash >= 0) raw = raw.slice(0, hash);
  const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?]*/.exec(raw);
  if (absolute) raw = raw.slice(absolute[0].length) || "/";
  const q = raw.indexOf("?");
  return { pathname: decodePath(q < 0 ? raw : raw.slice(0, q)), search: q < 0 ? "" : raw.slice(q + 1) };
}

/** The path percent-decoded, as uvicorn hands it to the app (`/api/v2/%62atches` is the list); a malformed escape stays as sent. */
function decodePath(path: string): string {
  if (!path.includes("%")) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * A `Location` for a redirect to `path` (decoded, as `requestTarget` gives it) with the raw query:
 * what a header may not hold (controls, spaces, anything outside ASCII) percent-encoded as UTF-8,
 * as Starlette encodes the URL it redirects to. Written raw, such a path made node:http throw.
 */
export function redirectLocation(path: string, search: string): string {
  const target = search ? `${path}?${search}` : path;
  return target.replace(/[^\x21-\x7e]/gu, (c) =>
    [...Buffer.from(c, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
  );
}
