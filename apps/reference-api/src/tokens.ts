import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Cursor } from "./store.js";

const VERSION = 1;

/**
 * Page tokens: `base64url(payload).base64url(hmac)`. The payload holds the keyset position and a
 * digest of the query (filters and credential scope) that made it, so a token is opaque,
 * tamper-evident, and useless with another query. It does not bind `page_size`, which a client may
 * change between pages.
 */
export class PageTokens {
  readonly #secret: Buffer;

  constructor(secret?: string) {
    this.#secret = secret ? Buffer.from(secret, "utf8") : randomBytes(32);
  }

  /** A short digest of everything a token is bound to. */
  static bind(parts: readonly unknown[]): string {
    return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 16);
  }

  issue(cursor: Cursor, binding: string): string {
    const payload = Buffer.from(
      JSON.stringify([VERSION, Number.isFinite(cursor.createdMs) ? cursor.createdMs : null, cursor.id, binding]),
    ).toString("base64url");
    return `${payload}.${this.#sign(payload)}`;
  }

  /** The position a token points at, or why it is refused. `binding` undefined skips the query check. */
  read(token: string, binding: string | undefined): { cursor: Cursor } | { error: string } {
    const [payload, signature, extra] = token.split(".");
    if (!payload || !signature || extra !== undefined) return { error: "malformed" };
    const expected = Buffer.from(this.#sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { error: "bad signature" };
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    } catch {
      return { error: "malformed" };
    }
    if (!Array.isArray(decoded) || decoded[0] !== VERSION) return { error: "unknown version" };
    const [, createdMs, id, boundTo] = decoded as [number, number | null, string, string];
    if (binding !== undefined && boundTo !== binding) return { error: "issued for another query" };
    return { cursor: { createdMs: createdMs ?? Number.NEGATIVE_INFINITY, id } };
  }

  #sign(payload: string): string {
    return createHmac("sha256", this.#secret).update(payload).digest("base64url").slice(0, 22);
  }
}
