import { inspect } from "node:util";
import { describe, expect, test } from "vitest";
import {
  APIConnectionError,
  AuthenticationError,
  BadRequestError,
  BatchesApiError,
  ConflictError,
  createBatchesClient,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from "../src/index.js";
import { fakeFetch, json, TEST_KEY } from "./helpers/fake-fetch.js";

const cases = [
  [400, BadRequestError],
  [401, AuthenticationError],
  [403, PermissionDeniedError],
  [404, NotFoundError],
  [409, ConflictError],
  [422, UnprocessableEntityError],
  [429, RateLimitError],
  [500, InternalServerError],
  [503, InternalServerError],
  [418, BatchesApiError],
] as const;

async function failWith(response: Response) {
  const { fetch } = fakeFetch(response);
  const client = createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 0 });
  return client.batches.list().then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

describe("errors", () => {
  test.each(cases)("status %i → %o, carrying status, body, headers and request id", async (status, Class) => {
    const body = { detail: `status ${status}` };
    const error = await failWith(json(body, status, { "x-request-id": `req-${status}` }));
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(BatchesApiError);
    const e = error as BatchesApiError;
    expect(e.status).toBe(status);
    expect(e.body).toEqual(body);
    expect(e.requestId).toBe(`req-${status}`);
    expect(e.headers?.get("content-type")).toBe("application/json");
    // A 401 adds the region hint after the server's words (see regions.test.ts).
    expect(status === 401 ? e.message.split(". ")[0] : e.message).toBe(`${status} status ${status}`);
  });

  test("a FastAPI validation error names the parameter in the message", async () => {
    const error = await failWith(
      json({ detail: [{ loc: ["query", "page_size"], msg: "Input should be a valid integer", type: "int_parsing" }] }, 422),
    );
    expect((error as Error).message).toBe("422 query.page_size: Input should be a valid integer");
  });

  test("a non-JSON error body is kept as text", async () => {
    const error = (await failWith(new Response("upstream exploded", { status: 502 }))) as BatchesApiError;
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.body).toBe("upstream exploded");
  });

  test("a 2xx that is not a page is an error, never silently empty", async () => {
    const notJson = (await failWith(new Response("<html>", { status: 200 }))) as BatchesApiError;
    expect(notJson).toBeInstanceOf(BatchesApiError);
    expect(notJson.status).toBe(200);
    expect(notJson.message).toMatch(/not JSON/);
    const noItems = (await failWith(json({ data: [] }))) as BatchesApiError;
    expect(noItems.message).toMatch(/items/);
  });

  test("a fetch that throws becomes an APIConnectionError with the cause attached", async () => {
    const cause = new TypeError("fetch failed");
    const { fetch } = fakeFetch(cause);
    const error = await createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 0 })
      .batches.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as APIConnectionError).status).toBeUndefined();
    expect((error as Error).cause).toBe(cause);
  });
});

describe("the API key never leaks", () => {
  test("not in the message, toString, JSON or inspect output of an error, even when the server echoes it", async () => {
    const echoed = { detail: `Invalid key Bearer ${TEST_KEY}`, headers: { authorization: `Bearer ${TEST_KEY}` } };
    const error = (await failWith(json(echoed, 401))) as AuthenticationError;
    for (const text of [error.message, String(error), JSON.stringify(error), inspect(error, { depth: 10 }), error.stack ?? ""]) {
      expect(text).not.toContain(TEST_KEY);
    }
    expect(error.message).toContain("[redacted]");
  });

  test("not in the error for a 2xx that is not a page", async () => {
    const error = (await failWith(new Response(`<html>key: ${TEST_KEY}</html>`, { status: 200 }))) as BatchesApiError;
    expect(String(error.body)).not.toContain(TEST_KEY);
    expect(JSON.stringify(error)).not.toContain(TEST_KEY);
  });

  test("not in the client object", () => {
    const client = createBatchesClient({ apiKey: TEST_KEY, session: "sess-SECRET", fetch: fakeFetch().fetch });
    for (const text of [JSON.stringify(client), inspect(client, { depth: 10, showHidden: true }), String(client)]) {
      expect(text).not.toContain(TEST_KEY);
      expect(text).not.toContain("sess-SECRET");
    }
  });
});
