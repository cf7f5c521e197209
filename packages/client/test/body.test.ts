import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError, BatchesError, createBatchesClient } from "../src/index.js";
import { batch, fakeFetch, json, page, streamed, TEST_KEY } from "./helpers/fake-fetch.js";
import { listen, type TestServer } from "./helpers/http-server.js";

// A test whose call hangs must fail, and fast: each of these should settle within a few tens of ms.
const QUICK = 2_000;

/** Runs `run` with fake timers, advancing them `ms` so that retry waits pass at once. */
async function withFakeTimers<T>(ms: number, run: () => Promise<T>): Promise<T> {
  vi.useFakeTimers();
  try {
    const pending = run();
    pending.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(ms);
    return await pending;
  } finally {
    vi.useRealTimers();
  }
}

describe("the timeout covers the whole attempt, body included", () => {
  test(
    "a body that stalls after the headers times out, and is cancelled",
    async () => {
      const stall = streamed(['{"items":['], "stall");
      const { fetch } = fakeFetch(stall.reply);
      const started = Date.now();
      const error = await createBatchesClient({ apiKey: TEST_KEY, fetch, timeout: 30, maxRetries: 0 })
        .batches.list()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(APIConnectionTimeoutError);
      expect(Date.now() - started).toBeLessThan(QUICK / 2);
      expect(stall.cancelled).toBe(1);
    },
    QUICK,
  );

  test(
    "per-request timeout covers the body too",
    async () => {
      const { fetch } = fakeFetch(streamed(['{"items":['], "stall").reply);
      const client = createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 0 });
      await expect(client.batches.list({}, { timeout: 30 })).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    },
    QUICK,
  );

  test(
    "a stalled body is retried like any timeout, then the next answer is used",
    async () => {
      const stall = streamed(['{"items":['], "stall");
      const { fetch, calls } = fakeFetch(stall.reply, json(page([batch()])));
      const client = createBatchesClient({ apiKey: TEST_KEY, fetch, timeout: 1_000, maxRetries: 1 });
      const first = await withFakeTimers(2_000, () => client.batches.list());
      expect(first.items).toHaveLength(1);
      expect(calls).toHaveLength(2);
      expect(stall.cancelled).toBe(1);
    },
    QUICK,
  );

  test("a body in several chunks, each in time, is read whole", async () => {
    const items = [batch(), batch()];
    const text = JSON.stringify(page(items));
    const chunks = [text.slice(0, 7), text.slice(7, 100), text.slice(100)];
    const { fetch } = fakeFetch(streamed(chunks, "close").reply);
    const first = await createBatchesClient({ apiKey: TEST_KEY, fetch, timeout: 1_000 }).batches.list();
    expect(first.items).toEqual(items);
  });

  test(
    "a fetch that answers after its attempt timed out has its body cancelled, unread",
    async () => {
      const late = streamed(['{"items":[]}'], "close");
      let answer: (r: Response) => void = () => undefined;
      const fetch = () => new Promise<Response>((resolve) => (answer = resolve));
      await expect(createBatchesClient({ apiKey: TEST_KEY, fetch, timeout: 10, maxRetries: 0 }).batches.list()).rejects.toBeInstanceOf(
        APIConnectionTimeoutError,
      );
      answer(late.reply());
      await new Promise((r) => setTimeout(r, 10));
      expect(late.cancelled).toBe(1);
    },
    QUICK,
  );
});

describe("aborting ends a pending body read at once", () => {
  test(
    "abort mid-body rejects with APIUserAbortError, aborts the fetch's signal and cancels the body",
    async () => {
      const stall = streamed(['{"items":['], "stall");
      let fetchSignal: AbortSignal | undefined;
      const fetch = async (_request: Request, init?: RequestInit) => {
        fetchSignal = init?.signal ?? undefined;
        return stall.reply();
      };
      const controller = new AbortController();
      const started = Date.now();
      const pending = createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list({}, { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
      expect(Date.now() - started).toBeLessThan(QUICK / 2);
      expect(fetchSignal?.aborted).toBe(true);
      expect(stall.cancelled).toBe(1);
    },
    QUICK,
  );

  test(
    "raw client.api calls too",
    async () => {
      const { fetch } = fakeFetch(streamed(['{"items":['], "stall").reply);
      const controller = new AbortController();
      const pending = createBatchesClient({ apiKey: TEST_KEY, fetch }).api.GET("/api/v2/batches", { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    },
    QUICK,
  );
});

describe("a connection dropped mid-body is an APIConnectionError", () => {
  test("with the original error as cause", async () => {
    const cause = new TypeError("terminated");
    const { fetch } = fakeFetch(streamed(['{"items":['], cause).reply);
    const error = await createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 0 })
      .batches.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).toBeInstanceOf(BatchesError);
    expect((error as APIConnectionError).status).toBeUndefined();
    expect((error as APIConnectionError).cause).toBe(cause);
  });

  test(
    "retried for GETs, then the next answer is used",
    async () => {
      const drop = streamed(['{"items":['], new TypeError("terminated"));
      const { fetch, calls } = fakeFetch(drop.reply, json(page([batch()])));
      const client = createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 1 });
      const first = await withFakeTimers(1_000, () => client.batches.list());
      expect(first.items).toHaveLength(1);
      expect(calls).toHaveLength(2);
    },
    QUICK,
  );

  test(
    "when retries run out, it surfaces as APIConnectionError",
    async () => {
      const cause = new TypeError("terminated");
      const { fetch, calls } = fakeFetch(streamed(['{"items":['], cause).reply);
      const client = createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 2 });
      const error = await withFakeTimers(5_000, () => client.batches.list().then(undefined, (e: unknown) => e));
      expect(error).toBeInstanceOf(APIConnectionError);
      expect((error as APIConnectionError).cause).toBe(cause);
      expect(calls).toHaveLength(3);
    },
    QUICK,
  );

  test(
    "raw client.api calls too",
    async () => {
      const { fetch, calls } = fakeFetch(streamed(['{"items":['], new TypeError("terminated")).reply, json(page([])));
      const client = createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 1 });
      const { data } = await withFakeTimers(1_000, () => client.api.GET("/api/v2/batches"));
      expect(data?.items).toEqual([]);
      expect(calls).toHaveLength(2);
    },
    QUICK,
  );
});

describe("over a real connection (node:http, the global fetch)", () => {
  let server: TestServer;
  const closed: Promise<void>[] = [];
  const full = JSON.stringify(page([batch()]));

  beforeAll(async () => {
    let flaky = 0;
    server = await listen((req, res) => {
      const headers = { "content-type": "application/json", "content-length": String(full.length) };
      if (req.url?.startsWith("/stall/")) {
        closed.push(new Promise((resolve) => req.socket.once("close", () => resolve())));
        res.writeHead(200, headers);
        res.write(full.slice(0, 10));
        return;
      }
      // `/drop/` always drops; `/flaky/` drops the first request only.
      if (req.url?.startsWith("/drop/") || (req.url?.startsWith("/flaky/") && ++flaky === 1)) {
        res.writeHead(200, headers);
        res.write(full.slice(0, 10), () => setTimeout(() => res.socket?.destroy(), 5));
        return;
      }
      res.writeHead(200, headers);
      res.end(full);
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  test(
    "half a body then a destroyed socket (undici's `TypeError: terminated`) is an APIConnectionError",
    async () => {
      const error = await createBatchesClient({ apiKey: TEST_KEY, baseUrl: `${server.url}/drop`, maxRetries: 0 })
        .batches.list()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(APIConnectionError);
      const cause = (error as APIConnectionError).cause;
      expect(cause).toBeInstanceOf(TypeError);
      expect((cause as TypeError).message).toBe("terminated");
    },
    QUICK,
  );

  test(
    "and is retried",
    async () => {
      const before = server.seen.length;
      const first = await createBatchesClient({ apiKey: TEST_KEY, baseUrl: `${server.url}/flaky`, maxRetries: 1 }).batches.list();
      expect(first.items).toHaveLength(1);
      expect(server.seen.length - before).toBe(2);
    },
    QUICK,
  );

  test(
    "a stalled body times out, and the connection is released",
    async () => {
      const error = await createBatchesClient({ apiKey: TEST_KEY, baseUrl: `${server.url}/stall`, timeout: 100, maxRetries: 0 })
        .batches.list()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(APIConnectionTimeoutError);
      expect(closed).toHaveLength(1);
      await closed[0];
    },
    QUICK,
  );

  test("a raw call's response is rebuilt from the bytes, keeping its url", async () => {
    const { data, response } = await createBatchesClient({ apiKey: TEST_KEY, baseUrl: `${server.url}/ok` }).api.GET("/api/v2/batches");
    expect(data?.items).toHaveLength(1);
    expect(response.url).toBe(`${server.url}/ok/api/v2/batches`);
    expect(response.headers.get("content-type")).toBe("application/json");
  });
});
