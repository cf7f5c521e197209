/**
 * Raw HTTP/1.1 over `node:net`, for what `fetch` and `node:http` will not send: absolute-form
 * targets, bodies on GET and HEAD, bytes node's parser refuses, several requests pipelined on one
 * connection, a half-closed connection.
 */
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  /** Lower-cased names; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** No body although a length was announced: the answer to a HEAD. */
  bodyless: boolean;
}

export interface Exchange {
  responses: RawResponse[];
  /** Bytes after the last complete response: anything here is a truncated or garbled answer. */
  rest: string;
  /** The server neither closed the connection nor answered every request in time. */
  timedOut: boolean;
}

/**
 * Writes `bytes` on one connection and reads until the server closes it, or `expected` responses
 * have come, or `timeoutMs` passes. With `halfClose`, the client ends its side after writing.
 */
export function exchange(
  url: string,
  bytes: string | Buffer,
  { expected, timeoutMs = 15_000, halfClose = false }: { expected?: number; timeoutMs?: number; halfClose?: boolean } = {},
): Promise<Exchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let timedOut = false;
    const socket = connect(Number(port), hostname, () => {
      if (halfClose) socket.end(bytes);
      else socket.write(bytes);
    });
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const { responses, rest } = parseResponses(Buffer.concat(chunks));
      resolve({ responses, rest, timedOut });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      finish();
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      if (expected !== undefined && parseResponses(Buffer.concat(chunks)).responses.length >= expected) finish();
    });
    socket.on("close", finish);
    socket.on("error", () => undefined);
  });
}

/** One request, `connection: close`, one answer. */
export async function rawRequest(url: string, head: string, body = ""): Promise<RawResponse> {
  const { responses, rest, timedOut } = await exchange(url, `${head}\r\n\r\n${body}`, { expected: 1 });
  const [response] = responses;
  if (!response)
    throw new Error(`no answer to ${JSON.stringify(head)} (timed out: ${timedOut}, got ${JSON.stringify(rest.slice(0, 200))})`);
  return response;
}

/** The complete responses in `buffer`, in order; what follows the last one is `rest`. */
export function parseResponses(buffer: Buffer): { responses: RawResponse[]; rest: string } {
  const text = buffer.toString("latin1");
  const responses: RawResponse[] = [];
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf("\r\n\r\n", at);
    if (end < 0) break;
    const [statusLine = "", ...lines] = text.slice(at, end).split("\r\n");
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
    if (!status) break;
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    let next = end + 4;
    let body = "";
    let bodyless = false;
    const code = Number(status);
    if (code < 200) {
      // An interim answer (100 Continue): the final one follows.
      at = next;
      continue;
    }
    if (code === 204 || code === 304) {
      // no body
    } else if (headers["content-length"] !== undefined) {
      const length = Number(headers["content-length"]);
      // A HEAD answer announces a length but sends nothing: the next response (or the end) follows.
      if (length > 0 && (next === text.length || text.startsWith("HTTP/1.", next))) {
        bodyless = true;
      } else {
        if (next + length > text.length) break;
        body = Buffer.from(text.slice(next, next + length), "latin1").toString("utf8");
        next += length;
      }
    } else if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
      const parts: string[] = [];
      let complete = false;
      for (;;) {
        const lineEnd = text.indexOf("\r\n", next);
        if (lineEnd < 0) break;
        const size = Number.parseInt(text.slice(next, lineEnd), 16);
        if (Number.isNaN(size)) break;
        if (size === 0) {
          const trailerEnd = text.indexOf("\r\n\r\n", lineEnd);
          if (trailerEnd < 0) break;
          next = trailerEnd + 4;
          complete = true;
          break;
        }
        if (lineEnd + 2 + size + 2 > text.length) break;
        parts.push(text.slice(lineEnd + 2, lineEnd + 2 + size));
        next = lineEnd + 2 + size + 2;
      }
      if (!complete) break;
      body = Buffer.from(parts.join(""), "latin1").toString("utf8");
    } else {
      // Delimited by the end of the connection.
      body = Buffer.from(text.slice(next), "latin1").toString("utf8");
      next = text.length;
    }
    responses.push({ status: code, headers, body, bodyless });
    at = next;
  }
  return { responses, rest: text.slice(at) };
}
