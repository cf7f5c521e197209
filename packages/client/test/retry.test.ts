import { describe, expect, test, vi } from "vitest";
import { APIConnectionError, createBatchesClient, InternalServerError, RateLimitError } from "../src/index.js";
import { isRetryableResponse, retryDelayMs } from "../src/internal/backoff.js";
import { batch, fakeFetch, json, page, TEST_KEY } from "./helpers/fake-fetch.js";

// Server-given delays keep these tests fast; the computed backoff is tested on its own below.
const fast = { "retry-after-ms": "1" };

describe("retries", () => {
  test("429 with Retry-After: waits as told, then succeeds", async () => {
    vi.useFakeTimers();
    try {
      const { fetch, calls } = fakeFetch(json({ detail: "slow down" }, 429, { "retry-after": "2" }), json(page([batch()])));
      const pending = createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list();
      await vi.advanceTimersByTimeAsync(1_990);
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(20);
      expect(calls).toHaveLength(2);
      expect((await pending).items).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  test("503 then success", async () => {
    const { fetch, calls } = fakeFetch(json({ detail: "down" }, 503, fast), json(page([])));
    await createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list();
    expect(calls).toHaveLength(2);
  });

  test("retries are exhausted after maxRetries, then the typed error is thrown", async () => {
    const { fetch, calls } = fakeFetch(json({ detail: "rate" }, 429, fast));
    const error = await createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 3 })
      .batches.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(calls).toHaveLength(4);
  });

  test("the default is two retries", async () => {
    const { fetch, calls } = fakeFetch(json({ detail: "boom" }, 500, fast));
    const error = await createBatchesClient({ apiKey: TEST_KEY, fetch })
      .batches.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(calls).toHaveLength(3);
  });

  test("per-request maxRetries overrides the client's", async () => {
    const { fetch, calls } = fakeFetch(json({ detail: "boom" }, 500, fast));
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 5 });
    await client.batches.list({}, { maxRetries: 0 }).catch(() => undefined);
    expect(calls).toHaveLength(1);
  });

  test.each([408, 409, 429, 500, 502, 503, 504])("retries %i", async (status) => {
    const { fetch, calls } = fakeFetch(json({ detail: "x" }, status, fast), json(page([])));
    await createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list();
    expect(calls).toHaveLength(2);
  });

  test.each([400, 401, 403, 404, 422])("does not retry %i", async (status) => {
    const { fetch, calls } = fakeFetch(json({ detail: "x" }, status, fast), json(page([])));
    await createBatchesClient({ apiKey: TEST_KEY, fetch })
      .batches.list()
      .catch(() => undefined);
    expect(calls).toHaveLength(1);
  });

  test("x-should-retry overrides the status rule both ways", async () => {
    const no = fakeFetch(json({ detail: "x" }, 503, { ...fast, "x-should-retry": "false" }), json(page([])));
    await createBatchesClient({ apiKey: TEST_KEY, fetch: no.fetch })
      .batches.list()
      .catch(() => undefined);
    expect(no.calls).toHaveLength(1);
    const yes = fakeFetch(json({ detail: "x" }, 400, { ...fast, "x-should-retry": "true" }), json(page([])));
    await createBatchesClient({ apiKey: TEST_KEY, fetch: yes.fetch }).batches.list();
    expect(yes.calls).toHaveLength(2);
  });

  test("connection errors are retried, then surface as APIConnectionError", async () => {
    const recovered = fakeFetch(new TypeError("fetch failed"), json(page([])));
    await createBatchesClient({ apiKey: TEST_KEY, fetch: recovered.fetch, maxRetries: 1 }).batches.list();
    expect(recovered.calls).toHaveLength(2);

    const cause = new TypeError("fetch failed");
    const failing = fakeFetch(cause, cause);
    const error = await createBatchesClient({ apiKey: TEST_KEY, fetch: failing.fetch, maxRetries: 1 })
      .batches.list()
      .catch((e: unknown) => e);
    expect(failing.calls).toHaveLength(2);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as APIConnectionError).status).toBeUndefined();
    expect((error as APIConnectionError).cause).toBe(cause);
  }, 10_000);

  test("raw client.api calls get the same retries", async () => {
    const { fetch, calls } = fakeFetch(json({ detail: "x" }, 503, fast), json(page([])));
    const { response } = await createBatchesClient({ apiKey: TEST_KEY, fetch }).api.GET("/api/v2/batches");
    expect(response.status).toBe(200);
    expect(calls).toHaveLength(2);
  });

  test("connection errors exhaust into APIConnectionError", async () => {
    const { fetch, calls } = fakeFetch(new TypeError("fetch failed"));
    const error = await createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 0 })
      .batches.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(calls).toHaveLength(1);
  });
});

describe("retry delay", () => {
  const h = (init: Record<string, string>) => new Headers(init);

  test("retry-after-ms wins over Retry-After", () => {
    expect(retryDelayMs(0, h({ "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
  });

  test("Retry-After in seconds, fractional too", () => {
    expect(retryDelayMs(0, h({ "retry-after": "2" }))).toBe(2000);
    expect(retryDelayMs(0, h({ "retry-after": "0.5" }))).toBe(500);
  });

  test("Retry-After as an HTTP date", () => {
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const ms = retryDelayMs(0, h({ "retry-after": inTenSeconds }));
    expect(ms).toBeGreaterThan(8_000);
    expect(ms).toBeLessThanOrEqual(10_000);
  });

  test("without headers: min(0.5·2^n, 8) s, minus up to 25% jitter", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => retryDelayMs(n, undefined, () => 0))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect(retryDelayMs(0, undefined, () => 1)).toBe(375);
    expect(retryDelayMs(4, undefined, () => 0.999999)).toBeGreaterThan(6000);
  });

  test("garbage or absurd server delays fall back to backoff", () => {
    for (const init of [{ "retry-after": "soon" }, { "retry-after": "3600" }, { "retry-after-ms": "-5" }]) {
      expect(retryDelayMs(1, h(init), () => 0)).toBe(1000);
    }
  });

  test("retryable statuses", () => {
    const r = (status: number) => isRetryableResponse(new Response(null, { status }));
    expect([408, 409, 429, 500, 599].every(r)).toBe(true);
    expect([400, 401, 403, 404, 422].some(r)).toBe(false);
  });
});
