import { describe, expect, test } from "vitest";
import { APIConnectionTimeoutError, APIUserAbortError, createBatchesClient } from "../src/index.js";
import { fakeFetch, json, page, TEST_KEY } from "./helpers/fake-fetch.js";

/** A fetch that never answers and ignores its signal: the worst case for timeouts and aborts. */
const hang = () => new Promise<Response>(() => undefined);

describe("timeout", () => {
  test("each attempt times out, and the last one throws APIConnectionTimeoutError", async () => {
    const { fetch, calls } = fakeFetch(hang);
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch, timeout: 20, maxRetries: 1 });
    const error = await client.batches.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(calls).toHaveLength(2);
  });

  test("the fetch's own signal is aborted on timeout", async () => {
    let seen: AbortSignal | undefined;
    const fetch = (_req: Request, init?: RequestInit) => {
      seen = init?.signal ?? undefined;
      return hang();
    };
    await createBatchesClient({ apiKey: TEST_KEY, fetch, timeout: 10, maxRetries: 0 })
      .batches.list()
      .catch(() => undefined);
    expect(seen?.aborted).toBe(true);
  });

  test("per-request timeout overrides the client's", async () => {
    const { fetch } = fakeFetch(hang);
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch, timeout: 60_000, maxRetries: 0 });
    await expect(client.batches.list({}, { timeout: 10 })).rejects.toBeInstanceOf(APIConnectionTimeoutError);
  });

  test("a slow but timely answer is not cut", async () => {
    const slow = () => new Promise<Response>((r) => setTimeout(() => r(json(page([]))), 20));
    const { fetch } = fakeFetch(slow);
    await expect(createBatchesClient({ apiKey: TEST_KEY, fetch, timeout: 1000 }).batches.list()).resolves.toBeDefined();
  });
});

describe("abort", () => {
  test("aborting a pending request rejects at once with APIUserAbortError", async () => {
    const { fetch } = fakeFetch(hang);
    const controller = new AbortController();
    const pending = createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list({}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
  });

  test("an already aborted signal sends nothing", async () => {
    const { fetch, calls } = fakeFetch(json(page([])));
    const signal = AbortSignal.abort();
    await expect(createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list({}, { signal })).rejects.toBeInstanceOf(APIUserAbortError);
    expect(calls).toHaveLength(0);
  });

  test("aborting during a retry wait stops waiting at once", async () => {
    const { fetch, calls } = fakeFetch(json({ detail: "x" }, 503, { "retry-after": "30" }));
    const controller = new AbortController();
    const pending = createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list({}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    // A 30 s wait that did not stop would outlive the test's own timeout.
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    expect(calls).toHaveLength(1);
  });
});
