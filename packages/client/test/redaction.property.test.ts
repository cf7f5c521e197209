import { inspect } from "node:util";
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { BatchesApiError, createBatchesClient, makeApiError } from "../src/index.js";
import { fakeFetch, json, TEST_KEY } from "./helpers/fake-fetch.js";

const SESSION = "sess-SECRET-fedcba9876543210";

/**
 * Every way an error can be shown: none may hold a secret. The stack's frames are left out: they hold
 * source paths, never response data, and a generated key such as "property" is in this file's name.
 */
function renderings(error: BatchesApiError): string[] {
  const withoutFrames = (text: string) => text.replace(/^\s+at .*$/gm, "");
  return [
    error.message,
    String(error),
    JSON.stringify(error),
    withoutFrames(inspect(error, { depth: Infinity })),
    withoutFrames(error.stack ?? ""),
  ];
}

async function failWith(response: Response, secrets = { apiKey: TEST_KEY, session: SESSION }) {
  const { fetch } = fakeFetch(() => response);
  const error = await createBatchesClient({ ...secrets, fetch, maxRetries: 0, redirect: "error" })
    .batches.list()
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BatchesApiError);
  return error as BatchesApiError;
}

describe("redaction, everywhere the error holds a string", () => {
  test("a key echoed as a JSON object key", async () => {
    const error = await failWith(json({ detail: "no", keys: { [TEST_KEY]: { [`Bearer ${SESSION}`]: [1] } } }, 401));
    expect(error.body).toEqual({ detail: "no", keys: { "[redacted]": { "Bearer [redacted]": [1] } } });
    for (const text of renderings(error)) for (const secret of [TEST_KEY, SESSION]) expect(text).not.toContain(secret);
  });

  test("error.headers: values masked, a header named after a secret dropped", async () => {
    const headers = new Headers({ "content-type": "application/json", "x-echo": `Bearer ${TEST_KEY}`, "set-cookie": `session=${SESSION}` });
    headers.append(`x-${TEST_KEY}`, "1");
    const error = await failWith(new Response('{"detail":"no"}', { status: 403, headers }));
    expect(error.headers?.get("x-echo")).toBe("Bearer [redacted]");
    expect(error.headers?.get("set-cookie")).toBe("session=[redacted]");
    expect(error.headers?.get("content-type")).toBe("application/json");
    expect([...(error.headers?.keys() ?? [])]).toEqual(["content-type", "set-cookie", "x-echo"]);
    for (const text of renderings(error))
      for (const secret of [TEST_KEY, TEST_KEY.toLowerCase(), SESSION]) expect(text).not.toContain(secret);
  });

  test("requestId, when the server echoes the key in x-request-id", async () => {
    const error = await failWith(json({ detail: "no" }, 500, { "x-request-id": `req-${TEST_KEY}` }));
    expect(error.requestId).toBe("req-[redacted]");
    for (const text of renderings(error)) expect(text).not.toContain(TEST_KEY);
  });

  test("a mask that, with the text around it, spells a secret again hides the whole string", () => {
    const recombining = makeApiError(400, { detail: "kk[redacted]" }, undefined, ["k[redacted]"]);
    expect(recombining.body).toEqual({ detail: "[redacted]" });
    expect(recombining.message).toBe("400 [redacted]");
    const inMask = makeApiError(400, { detail: "x redacted y" }, new Headers({ "x-request-id": "redacted" }), ["redacted"]);
    for (const text of renderings(inMask)) expect(text).not.toContain("redacted");
  });

  test("an empty secret is ignored", () => {
    const error = makeApiError(400, { detail: "kept" }, new Headers({ "x-request-id": "r1" }), [""]);
    expect(error.message).toBe("400 kept");
    expect(error.requestId).toBe("r1");
  });
});

// A credential as a server could echo it anywhere, header names included: printable and
// header-safe (an RFC 9110 token), at least 8 characters.
const TCHAR = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const token = (minLength: number) => fc.string({ unit: fc.constantFrom(...TCHAR), minLength, maxLength: 40 });

interface Case {
  apiKey: string;
  session: string;
  status: number;
  body: string;
  headers: [string, string][];
}

/** A response that holds the key or the session somewhere: in the body (JSON or text), in headers, or both. */
const caseArb: fc.Arbitrary<Case> = fc.tuple(token(8), token(8)).chain(([apiKey, session]) => {
  const secret = fc.constantFrom(apiKey, session);
  const text = fc.string({ maxLength: 10 });
  /** A printable string holding a secret. */
  const holding = fc.tuple(text, secret, text).map(([a, s, b]) => a + s + b);
  const maybe = fc.oneof(holding, text);
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      maybe,
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(maybe, tie("value"), { maxKeys: 4 }),
    ),
  }));
  const body = fc.oneof(
    holding.map((s) => JSON.stringify({ detail: s })),
    fc.tuple(holding, holding).map(([loc, msg]) => JSON.stringify({ detail: [{ loc: ["query", loc], msg, type: "x" }] })),
    fc.tuple(holding, value).map(([key, v]) => JSON.stringify({ [key]: v })),
    fc.tuple(value, holding).map(([v, s]) => JSON.stringify([[v, [s]]])),
    value.map((v) => JSON.stringify({ detail: v, data: [v] })),
    holding, // not JSON
    fc.constant(""),
  );
  const name = fc.oneof(
    token(1),
    fc.tuple(token(0), secret, token(0)).map(([a, s, b]) => a + s + b),
    fc.constantFrom("x-request-id", "request-id", "location", "www-authenticate", "set-cookie"),
  );
  const headers = fc.array(fc.tuple(name, maybe), { maxLength: 5 });
  return fc.record({
    apiKey: fc.constant(apiKey),
    session: fc.constant(session),
    status: fc.oneof(fc.constant(200), fc.constantFrom(301, 302, 303, 307, 308), fc.integer({ min: 400, max: 599 })),
    body,
    // When nothing else holds a secret, the request id does.
    headers: fc.tuple(headers, holding).map(([hs, id]) => (hs.length === 0 ? [["x-request-id", id]] : hs)),
  });
});

test.prop([caseArb], { numRuns: 300 })(
  "for any key and session, an error made from any response that echoes them holds neither, however it is shown",
  async ({ apiKey, session, status, body, headers }) => {
    const init = new Headers();
    for (const [name, value] of headers) init.append(name, value);
    const error = await failWith(new Response(body, { status, headers: init }), { apiKey, session });
    for (const text of renderings(error)) {
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(session);
    }
    // Header names are lowercased on the way in: a secret with capitals would hide there otherwise.
    for (const name of error.headers?.keys() ?? []) {
      expect(name).not.toContain(apiKey.toLowerCase());
      expect(name).not.toContain(session.toLowerCase());
    }
  },
);
