import { inspect } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { BatchesApiError, createBatchesClient, RedirectError } from "../src/index.js";
import { batch, page, TEST_KEY } from "./helpers/fake-fetch.js";
import { listen, type TestServer } from "./helpers/http-server.js";

// Two real servers on 127.0.0.1: different ports, so different origins. `from` answers every
// request with a 302 to `to` (with the key in the query string under `/leaky/`).
let from: TestServer;
let to: TestServer;

beforeAll(async () => {
  to = await listen((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(page([batch()])));
  });
  from = await listen((req, res) => {
    const query = req.url?.startsWith("/leaky/") ? `?key=${TEST_KEY}` : "";
    res.writeHead(302, { location: `${to.url}/api/v2/batches${query}`, "x-request-id": "req-302", "content-type": "text/plain" });
    res.end("Found");
  });
});

afterAll(async () => {
  await Promise.all([from?.close(), to?.close()]);
});

beforeEach(() => {
  from.seen.length = 0;
  to.seen.length = 0;
});

describe("redirects", () => {
  test("are followed by default, and the credentials are not sent to the other origin", async () => {
    const first = await createBatchesClient({ apiKey: TEST_KEY, baseUrl: from.url }).batches.list();
    expect(first.items).toHaveLength(1);
    expect(first.response.redirected).toBe(true);
    expect(first.response.url).toBe(`${to.url}/api/v2/batches`);
    expect(from.seen[0]?.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(to.seen).toHaveLength(1);
    expect(to.seen[0]?.headers.authorization).toBeUndefined();
  });

  test("nor the session cookie", async () => {
    await createBatchesClient({ apiKey: null, session: "sess-SECRET", baseUrl: from.url }).batches.list();
    expect(from.seen[0]?.headers.cookie).toBe("session=sess-SECRET");
    expect(to.seen).toHaveLength(1);
    expect(to.seen[0]?.headers.cookie).toBeUndefined();
  });

  test('redirect: "error" throws a RedirectError with the status, the Location and the request id; nothing reaches the other origin', async () => {
    const error = await createBatchesClient({ apiKey: TEST_KEY, baseUrl: from.url, redirect: "error" })
      .batches.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error).toBeInstanceOf(BatchesApiError);
    const e = error as RedirectError;
    expect(e.status).toBe(302);
    expect(e.location).toBe(`${to.url}/api/v2/batches`);
    expect(e.requestId).toBe("req-302");
    expect(e.body).toBe("Found");
    expect(e.message).toBe(`302 redirect to ${to.url}/api/v2/batches not followed`);
    // Not retried: a redirect is an answer, not a failure.
    expect(from.seen).toHaveLength(1);
    expect(to.seen).toHaveLength(0);
  });

  test("per request, both ways", async () => {
    const following = createBatchesClient({ apiKey: TEST_KEY, baseUrl: from.url });
    await expect(following.batches.list({}, { redirect: "error" })).rejects.toBeInstanceOf(RedirectError);
    expect(to.seen).toHaveLength(0);
    const strict = createBatchesClient({ apiKey: TEST_KEY, baseUrl: from.url, redirect: "error" });
    await expect(strict.batches.list({}, { redirect: "follow" })).resolves.toBeDefined();
    expect(to.seen).toHaveLength(1);
  });

  test("raw client.api calls get the 3xx response, not followed", async () => {
    const { response } = await createBatchesClient({ apiKey: TEST_KEY, baseUrl: from.url, redirect: "error" }).api.GET("/api/v2/batches");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`${to.url}/api/v2/batches`);
    expect(to.seen).toHaveLength(0);
  });

  test("a Location that holds the key is redacted", async () => {
    const error = (await createBatchesClient({ apiKey: TEST_KEY, baseUrl: `${from.url}/leaky`, redirect: "error" })
      .batches.list()
      .catch((e: unknown) => e)) as RedirectError;
    expect(error).toBeInstanceOf(RedirectError);
    expect(error.location).toBe(`${to.url}/api/v2/batches?key=[redacted]`);
    for (const text of [error.message, String(error), JSON.stringify(error), inspect(error, { depth: Infinity })]) {
      expect(text).not.toContain(TEST_KEY);
    }
  });
});
