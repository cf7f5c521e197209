import { createHmac } from "node:crypto";
import { getSpec, loadSpec } from "@llama-batches/spec";
import { describe, expect, test } from "vitest";
import { BatchesError } from "../src/index.js";
import {
  type BatchWebhookEvent,
  parseWebhookEvent,
  SIGNATURE_HEADER,
  verifyWebhookSignature,
  WebhookPayloadError,
  WebhookSignatureError,
} from "../src/webhooks.js";

const SECRET = "whsec-test-0123456789";
const doc = loadSpec() as unknown as {
  webhooks: { batchEvent: { post: { parameters: { in: string; name: string; schema: { pattern: string } }[] } } };
  components: { examples: Record<string, { value: unknown }> };
};
/** The spec's delivery example, and its signature header. */
const event = doc.components.examples.WebhookBatchSuccess?.value as BatchWebhookEvent;
const header = doc.webhooks.batchEvent.post.parameters.find((p) => p.in === "header");
const sign = (body: string | Buffer, secret = SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

describe("verifyWebhookSignature", () => {
  const body = JSON.stringify(event);

  test("the header's name and pattern are the spec's", () => {
    expect(SIGNATURE_HEADER).toBe(header?.name);
    expect(sign(body)).toMatch(new RegExp(header?.schema.pattern ?? "^$"));
  });

  test("a signature over the raw body under the secret is valid: string, bytes or ArrayBuffer", async () => {
    const bytes = new TextEncoder().encode(body);
    for (const raw of [body, bytes, bytes.buffer, Buffer.from(body)]) {
      expect(await verifyWebhookSignature(raw, sign(body), SECRET)).toEqual({ valid: true });
    }
  });

  test("a changed byte, another secret, or a re-serialised body is a mismatch", async () => {
    const reformatted = JSON.stringify(event, null, 2);
    expect(await verifyWebhookSignature(`${body} `, sign(body), SECRET)).toEqual({ valid: false, reason: "mismatch" });
    expect(await verifyWebhookSignature(body, sign(body, `${SECRET}x`), SECRET)).toEqual({ valid: false, reason: "mismatch" });
    expect(await verifyWebhookSignature(reformatted, sign(body), SECRET)).toEqual({ valid: false, reason: "mismatch" });
    // Every hex digit counts.
    const good = sign(body);
    for (const i of [7, 30, good.length - 1]) {
      const flipped = good.slice(0, i) + (good[i] === "0" ? "1" : "0") + good.slice(i + 1);
      expect(await verifyWebhookSignature(body, flipped, SECRET)).toEqual({ valid: false, reason: "mismatch" });
    }
  });

  test("no header is a typed result, not an error", async () => {
    for (const none of [undefined, null, ""]) {
      expect(await verifyWebhookSignature(body, none, SECRET)).toEqual({ valid: false, reason: "missing" });
    }
  });

  test.each([
    ["no scheme", sign(body).slice(7)],
    ["another scheme", sign(body).replace("sha256", "sha1")],
    ["upper-case hex", sign(body).toUpperCase().replace("SHA256", "sha256")],
    ["too short", sign(body).slice(0, -2)],
    ["two signatures", `${sign(body)},${sign(body)}`],
    ["spaces", ` ${sign(body)}`],
  ])("a malformed header (%s) throws WebhookSignatureError", async (_, bad) => {
    const error = await verifyWebhookSignature(body, bad, SECRET).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookSignatureError);
    expect(error).toBeInstanceOf(BatchesError);
    expect((error as Error).message).toContain(SIGNATURE_HEADER);
  });

  test("an empty secret is refused rather than verified against", async () => {
    await expect(verifyWebhookSignature(body, sign(body, ""), "")).rejects.toBeInstanceOf(BatchesError);
  });
});

describe("parseWebhookEvent", () => {
  test("the json output format: the event object", () => {
    expect(parseWebhookEvent(JSON.stringify(event))).toEqual(event);
  });

  test("the string output format (the default): the event JSON-encoded once more", () => {
    const twice = JSON.stringify(JSON.stringify(event));
    expect(parseWebhookEvent(twice)).toEqual(event);
    expect(parseWebhookEvent(new TextEncoder().encode(twice))).toEqual(event);
  });

  test("the spec's example is a valid event, and what is parsed validates", () => {
    expect(getSpec().validateSchema("BatchWebhookEvent", parseWebhookEvent(JSON.stringify(event)))).toEqual([]);
  });

  test.each([
    ["not JSON", "{"],
    ["a string that is not JSON", JSON.stringify("hello")],
    ["null", "null"],
    ["no event_type", JSON.stringify({ data: event.data })],
    ["no data", JSON.stringify({ event_type: event.event_type })],
    ["data null", JSON.stringify({ ...event, data: null })],
    ["an array", "[]"],
  ])("%s is a WebhookPayloadError", (_, raw) => {
    expect(() => parseWebhookEvent(raw)).toThrow(WebhookPayloadError);
  });
});
