import type { IncomingMessage } from "node:http";
import { getSpec } from "@llama-batches/spec";
import { HTTP_LIMITS, readBody as readBounded } from "@llama-batches/spec/http";
import type { Reply } from "./reply.js";

/**
 * Documented limits of every request body the server reads (the admin routes', a create's), the
 * mock's too: the spec's (`x-body-limit-bytes` of its `PayloadTooLarge` response) and the kit's
 * body timeout (`HTTP_LIMITS.bodyTimeoutMs`). Larger is a 413 (answered at once, the rest unread),
 * slower a 408. Sized for a test double: a create body is a few hundred bytes.
 */
export const BODY_LIMIT_BYTES: number = getSpec().bodyLimitBytes;
export const BODY_TIMEOUT_MS: number = HTTP_LIMITS.bodyTimeoutMs;

/**
 * The body as text, within the documented size and time, or the answer when it is too big, too
 * slow, or refused by node's parser: `readBody` of `@llama-batches/spec/http`, as the mock reads it.
 */
export function readBody(req: IncomingMessage): Promise<{ text: string } | { reply: Reply }> {
  return readBounded(req, { limitBytes: BODY_LIMIT_BYTES, timeoutMs: BODY_TIMEOUT_MS }).then((read) =>
    "reply" in read ? { reply: read.reply } : { text: read.bytes.toString("utf8") },
  );
}

/** Reads (and drops) a small body before answering, so that a kept-alive connection stays usable. */
export function drainThen(req: IncomingMessage, reply: Reply): Promise<Reply> {
  return readBody(req).then((read) => ("reply" in read ? read.reply : reply));
}

/**
 * Reads and drops a body of any size (bounded only by the server's request timeout), for routes
 * that ignore their body, as FastAPI does: answering before it is read would make node:http close
 * a kept-alive connection.
 */
export function drained(req: IncomingMessage): Promise<void> {
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
