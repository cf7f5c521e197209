import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { getSpec } from "@llama-batches/spec";

/**
 * Decided for the mock (and stated in its README), as for the reference API: a request body the
 * front reads (an operation's JSON body) holds at most the spec's limit (`x-body-limit-bytes` of
 * its `PayloadTooLarge` response, 64 KiB); larger is a 413 in the API's `{ detail }` shape, and the
 * connection closes (the rest is never read). One not whole within `HTTP_LIMITS.bodyTimeoutMs` is
 * a 408. Both are `readBody` of `@llama-batches/spec/http`, which the reference API uses too.
 */
export const BODY_LIMIT_BYTES: number = getSpec().bodyLimitBytes;

/** On each connection, the request whose body is being drained, and how to stop waiting for it. */
export const reading = new WeakMap<Duplex, () => void>();

/**
 * Resolves once the request's body has been read (dropped, unless `piped` elsewhere), the request
 * is gone, or the parser gave up on the connection (a body that breaks off never ends). FastAPI
 * drains a body its operation does not take; it is not bounded, as it is never kept.
 */
export function bodyRead(req: IncomingMessage, { piped = false } = {}): Promise<void> {
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
