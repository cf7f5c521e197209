import { afterEach, describe, expect, test, vi } from "vitest";
import { BatchesError, createBatchesClient } from "../src/index.js";
import { fakeFetch, json, page, TEST_KEY } from "./helpers/fake-fetch.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("auth", () => {
  test("sends the API key as a bearer token", async () => {
    const { fetch, calls } = fakeFetch(json(page([])));
    await createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list();
    expect(calls[0]?.headers.get("authorization")).toBe(`Bearer ${TEST_KEY}`);
    expect(calls[0]?.headers.get("cookie")).toBeNull();
  });

  test("reads LLAMA_CLOUD_API_KEY and LLAMA_CLOUD_BASE_URL when no options are given", async () => {
    vi.stubEnv("LLAMA_CLOUD_API_KEY", "env-key");
    vi.stubEnv("LLAMA_CLOUD_BASE_URL", "http://127.0.0.1:9/base/");
    const { fetch, calls } = fakeFetch(json(page([])));
    const client = createBatchesClient({ fetch });
    await client.batches.list();
    expect(calls[0]?.headers.get("authorization")).toBe("Bearer env-key");
    expect(calls[0]?.url.href).toBe("http://127.0.0.1:9/base/api/v2/batches");
  });

  test("uses the production API by default", async () => {
    const { fetch, calls } = fakeFetch(json(page([])));
    await createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list();
    expect(calls[0]?.url.origin).toBe("https://api.cloud.llamaindex.ai");
  });

  test("sends the session cookie as an alternative to the key", async () => {
    vi.stubEnv("LLAMA_CLOUD_API_KEY", "");
    const { fetch, calls } = fakeFetch(json(page([])));
    await createBatchesClient({ session: "sess-abc", fetch }).batches.list();
    expect(calls[0]?.headers.get("cookie")).toBe("session=sess-abc");
    expect(calls[0]?.headers.get("authorization")).toBeNull();
  });

  test("refuses to start without credentials, naming the variable", () => {
    vi.stubEnv("LLAMA_CLOUD_API_KEY", "");
    expect(() => createBatchesClient({ fetch: fakeFetch().fetch })).toThrow(BatchesError);
    expect(() => createBatchesClient({ fetch: fakeFetch().fetch })).toThrow(/LLAMA_CLOUD_API_KEY/);
  });

  test("apiKey: null sends no credentials at all", async () => {
    vi.stubEnv("LLAMA_CLOUD_API_KEY", "env-key");
    const { fetch, calls } = fakeFetch(json(page([])));
    await createBatchesClient({ apiKey: null, fetch }).batches.list();
    expect(calls[0]?.headers.get("authorization")).toBeNull();
  });

  test("custom headers are sent with every request, and per request", async () => {
    const { fetch, calls } = fakeFetch(json(page([])));
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch, headers: { "x-team": "a" } });
    await client.batches.list({}, { headers: { "x-trace": "t1" } });
    expect(calls[0]?.headers.get("x-team")).toBe("a");
    expect(calls[0]?.headers.get("x-trace")).toBe("t1");
  });

  test("client.api is the raw openapi-fetch client with the same auth", async () => {
    const { fetch, calls } = fakeFetch(json(page([])));
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch });
    const { data } = await client.api.GET("/api/v2/batches", { params: { query: { page_size: 5 } } });
    expect(data?.items).toEqual([]);
    expect(calls[0]?.headers.get("authorization")).toBe(`Bearer ${TEST_KEY}`);
    expect(calls[0]?.url.searchParams.get("page_size")).toBe("5");
  });
});
