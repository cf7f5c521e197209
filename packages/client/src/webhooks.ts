/**
 * `@llama-batches/client/webhooks`: what a webhook receiver needs, and nothing of the HTTP client
 * (a receiver calls no API; an API caller ships no HMAC code).
 */
import { BatchesError } from "./errors.js";
import { SIGNATURE_HEADER, SIGNATURE_PATTERN } from "./generated/constants.js";
import { isObject, parseJson } from "./internal/json.js";
import type { BatchWebhookEvent } from "./types.js";

export type { BatchWebhookEvent, BatchWebhookEventType } from "./types.js";
export { SIGNATURE_HEADER };

/** A signature header that is not `sha256=<64 lowercase hex>`: not a failed check, a broken input. */
export class WebhookSignatureError extends BatchesError {
  override name = "WebhookSignatureError";
}

/** A body that is not a batch event (not JSON, or not an object with `event_type` and `data`). */
export class WebhookPayloadError extends BatchesError {
  override name = "WebhookPayloadError";
}

/** A delivery's body exactly as received: verify the bytes, never a re-serialised parse. */
export type RawBody = string | Uint8Array | ArrayBuffer;

export type WebhookVerification = { valid: true } | { valid: false; reason: "missing" | "mismatch" };

const encoder = new TextEncoder();

/**
 * Checks a delivery's `LC-Signature: sha256=<hex>` (HMAC-SHA256 of the raw body under the webhook's
 * signing secret) with Web Crypto: `crypto.subtle.verify` compares in constant time and keeps
 * `node:crypto` out of browser and edge bundles. A missing header is `{ valid: false, reason:
 * "missing" }`; a header that is not `sha256=` and 64 lowercase hex digits throws
 * `WebhookSignatureError`, since it is no signature at all.
 */
export async function verifyWebhookSignature(
  rawBody: RawBody,
  header: string | null | undefined,
  secret: string,
): Promise<WebhookVerification> {
  if (!secret) throw new BatchesError("Empty signing secret");
  if (!header) return { valid: false, reason: "missing" };
  if (!SIGNATURE_PATTERN.test(header)) {
    throw new WebhookSignatureError(`Malformed ${SIGNATURE_HEADER} header: not ${SIGNATURE_PATTERN.source}`);
  }
  // The pattern admits only `sha256=` (7 characters), then hex digit pairs.
  const mac = Uint8Array.from(header.slice(7).match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  // A copy of a Uint8Array (it may be a view on a shared buffer, which Web Crypto refuses), a view of an ArrayBuffer.
  const data = typeof rawBody === "string" ? encoder.encode(rawBody) : new Uint8Array(rawBody as ArrayBuffer);
  return (await crypto.subtle.verify("HMAC", key, mac, data)) ? { valid: true } : { valid: false, reason: "mismatch" };
}

/**
 * A delivery's event. With the `string` output format (the default) the body is the event
 * JSON-encoded once more, as a JSON string: both forms are read. Only the shape is checked
 * (an object with a string `event_type` and an object `data`); an unknown `event_type` passes, so
 * that a new event does not break a receiver.
 */
export function parseWebhookEvent(rawBody: RawBody): BatchWebhookEvent {
  let event = parseJson(typeof rawBody === "string" ? rawBody : new TextDecoder().decode(rawBody));
  if (typeof event === "string") event = parseJson(event);
  if (event === undefined) throw new WebhookPayloadError("Webhook body is not JSON");
  if (!isObject(event) || typeof event.event_type !== "string" || !isObject(event.data)) {
    throw new WebhookPayloadError("Webhook body is not a batch event");
  }
  return event as BatchWebhookEvent;
}
