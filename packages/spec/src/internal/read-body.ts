import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type ErrorDetail, errorDetail } from "../fastapi.js";

/** The answer to a body that cannot be read: FastAPI's `{ detail }`, and the connection closed. */
export interface BodyRefusal {
  status: 400 | 408 | 413 | 431;
  body: ErrorDetail;
  headers: { connection: "close" };
}

/** What reading a body came to: its bytes, whole, or the answer to send instead. */
export type BodyRead = { bytes: Buffer } | { reply: BodyRefusal };

export interface ReadBodyOptions {
  /** At most this many bytes (the spec's `x-body-limit-bytes`: `Spec#bodyLimitBytes`); larger is a 413. */
  limitBytes: number;
  /** The whole body within this time, from the call; slower is a 408. */
  timeoutMs: number;
}

export function bodyRefusal(status: BodyRefusal["status"], detail: string): BodyRefusal {
  return { status, body: errorDetail(detail), headers: { connection: "close" } };
}

/** The 413, in the words of the spec's `PayloadTooLarge` example. */
export function bodyTooLarge(limitBytes: number): BodyRefusal {
  return bodyRefusal(413, `Request body too large: the limit is ${limitBytes} bytes`);
}

/**
 * On each connection, the body being read by `readBody`, and how to hand it the refusal of node's
 * parser: `true` when the refused bytes are that body's own (its request is not complete), which
 * its route then answers; `false` when they are a later pipelined request's.
 */
const reading = new WeakMap<Duplex, (refusal: BodyRefusal) => boolean>();

/**
 * For `answerClientErrors`: the parser refused bytes on this connection. When they are the body
 * `readBody` is reading, it resolves with the refusal (its route sends it, in its turn among
 * pipelined answers) and this returns `true`: nothing else is to be sent. A body already whole
 * is never given up on: the refused bytes are a later request's, answered after it.
 */
export function handRefusalToBodyReader(socket: Duplex, refusal: BodyRefusal): boolean {
  return reading.get(socket)?.(refusal) ?? false;
}

/**
 * The request's body, whole, within `limitBytes` and `timeoutMs`, or the answer to send instead,
 * with `connection: close` (the rest of the body is never read):
 * - 413 for a declared `content-length` above the limit, before a byte is read, and for a chunked
 *   body as soon as it passes the limit;
 * - 408 `Request body timeout` for a body not whole in time;
 * - 400 `Invalid request body` when the request ends without it (the client left);
 * - node's parser refusing the body's own bytes (a bad chunk): that refusal, as
 *   `answerClientErrors` words it (with it installed).
 */
export function readBody(req: IncomingMessage, { limitBytes, timeoutMs }: ReadBodyOptions): Promise<BodyRead> {
  if (Number(req.headers["content-length"] ?? 0) > limitBytes) return Promise.resolve({ reply: bodyTooLarge(limitBytes) });
  if (req.readableEnded) return Promise.resolve({ bytes: Buffer.alloc(0) });
  return new Promise((resolve) => {
    const { socket } = req;
    const chunks: Buffer[] = [];
    let size = 0;
    let decided = false;
    const finish = (result: BodyRead) => {
      if (decided) return;
      decided = true;
      clearTimeout(timer);
      req.off("data", onData).off("end", onEnd).off("error", onGone).off("close", onGone);
      if ("bytes" in result && reading.get(socket) === interrupted) reading.delete(socket);
      resolve(result);
    };
    // The rest is not read: the answer closes the connection.
    const refuse = (reply: BodyRefusal) => {
      req.pause();
      finish({ reply });
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) refuse(bodyTooLarge(limitBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ bytes: Buffer.concat(chunks, size) });
    const onGone = () => finish({ reply: bodyRefusal(400, "Invalid request body") });
    // The parser gave up on the connection. Bytes of this body: refused, here (or, when this read
    // was already refused, that answer stands: it closes the connection). A body it had whole: the
    // refused bytes are a later pipelined request's, and this one still comes to its end, to be
    // answered before the refusal.
    const interrupted = (refusal: BodyRefusal): boolean => {
      if (req.complete) return false;
      refuse(refusal);
      return true;
    };
    const timer = setTimeout(() => refuse(bodyRefusal(408, "Request body timeout")), timeoutMs);
    timer.unref();
    reading.set(socket, interrupted);
    req.on("data", onData).once("end", onEnd).once("error", onGone).once("close", onGone);
  });
}
