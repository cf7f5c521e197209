/**
 * The retry policy by method: a GET is retried on every retryable failure; a POST (create, cancel)
 * only where a repeat cannot act twice, unless the call opts in with its own `maxRetries`.
 */
import { getSpec } from "@llama-batches/spec";
import { describe, expect, test, vi } from "vitest";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  type BatchCreateParams,
  type BatchesClient,
  createBatchesClient,
  InternalServerError,
  RateLimitError,
  type RequestOptions,
} from "../src/index.js";
import { notSent } from "../src/internal/backoff.js";
import { batch, fakeFetch, json, page, streamed, TEST_KEY } from "./helpers/fake-fetch.js";
import { listen } from "./helpers/http-server.js";

/** undici's shapes: `TypeError("fetch failed")` with the system error as its cause. */
const netError = (code: string) => Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(code), { code }) });
const fast = { "retry-after-ms": "1" };
const body = Object.values(getSpec().requestExamples("createBatch"))[0]?.value as BatchCreateParams;

type Call = (client: BatchesClient, options?: RequestOptions) => Promise<unknown>;
const posts: [string, Call][] = [
  ["create", (c, o) => c.batches.create(body, o)],
  ["cancel", (c, o) => c.batches.cancel("bat-1", {}, o)],
];

/**
 * The number of requests a call made against `replies` (the last repeated), and what it ended with.
 * Fake timers run the backoff waits and the timeouts at once.
 */
async function run(call: Call, replies: Parameters<typeof fakeFetch>, options?: RequestOptions, clientRetries = 2) {
  const { fetch, calls } = fakeFetch(...replies);
  const client = createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: clientRetries, timeout: 200 });
  vi.useFakeTimers();
  try {
    const pending = call(client, options).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    return { sent: calls.length, outcome: await pending };
  } finally {
    vi.useRealTimers();
  }
}

describe.each(posts)("POST %s", (_, call) => {
  test.each(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"])(
    "a connection error before sending (%s) is retried",
    async (code) => {
      const { sent, outcome } = await run(call, [netError(code), json(batch())]);
      expect(sent).toBe(2);
      expect(outcome).toMatchObject({ id: expect.any(String) });
    },
  );

  test.each(["ECONNRESET", "UND_ERR_SOCKET", "EPIPE"])("a connection error that may come after sending (%s) is not", async (code) => {
    const { sent, outcome } = await run(call, [netError(code), json(batch())]);
    expect(sent).toBe(1);
    expect(outcome).toBeInstanceOf(APIConnectionError);
  });

  test("a bare TypeError (a browser's fetch: no cause) is not retried", async () => {
    const { sent } = await run(call, [new TypeError("Failed to fetch"), json(batch())]);
    expect(sent).toBe(1);
  });

  test.each([
    [429, { "retry-after": "0" }],
    [429, fast],
    [503, { "retry-after": "0" }],
    [503, fast],
  ])("%i with a delay is retried (the server did not act)", async (status, headers) => {
    const { sent } = await run(call, [json({ detail: "later" }, status, headers), json(batch())]);
    expect(sent).toBe(2);
  });

  test.each([429, 503])("%i without a delay is not", async (status) => {
    const { sent, outcome } = await run(call, [json({ detail: "later" }, status), json(batch())]);
    expect(sent).toBe(1);
    expect(outcome).toBeInstanceOf(status === 429 ? RateLimitError : InternalServerError);
  });

  test("x-should-retry: false wins over a delay", async () => {
    const { sent } = await run(call, [json({ detail: "later" }, 429, { ...fast, "x-should-retry": "false" }), json(batch())]);
    expect(sent).toBe(1);
  });

  test.each([500, 502, 504, 408, 409])("%i is not retried", async (status) => {
    const { sent, outcome } = await run(call, [json({ detail: "x" }, status, fast), json(batch())]);
    expect(sent).toBe(1);
    expect(outcome).toMatchObject({ status });
  });

  test("a timeout is not retried", async () => {
    const stall = streamed([], "stall");
    const { sent, outcome } = await run(call, [stall.reply, json(batch())]);
    expect(sent).toBe(1);
    expect(outcome).toBeInstanceOf(APIConnectionTimeoutError);
  });

  test("a body dropped mid-way is not retried", async () => {
    const dropped = streamed(['{"id":'], new TypeError("terminated"));
    const { sent } = await run(call, [dropped.reply, json(batch())]);
    expect(sent).toBe(1);
  });

  test("the client's maxRetries is no consent: it bounds the safe retries only", async () => {
    const { sent } = await run(call, [json({ detail: "x" }, 500, fast), json(batch())], undefined, 5);
    expect(sent).toBe(1);
    const refused = await run(call, [netError("ECONNREFUSED")], undefined, 3);
    expect(refused.sent).toBe(4);
  });

  test("a per-call maxRetries opts in: then a 5xx, a timeout, a reset are retried like a GET's", async () => {
    expect((await run(call, [json({ detail: "x" }, 500, fast), json(batch())], { maxRetries: 1 })).sent).toBe(2);
    expect((await run(call, [netError("ECONNRESET"), json(batch())], { maxRetries: 1 })).sent).toBe(2);
    const stall = streamed([], "stall");
    expect((await run(call, [stall.reply, json(batch())], { maxRetries: 1 })).sent).toBe(2);
  });

  test("a per-call maxRetries: 0 retries nothing, not even a refused connection", async () => {
    expect((await run(call, [netError("ECONNREFUSED"), json(batch())], { maxRetries: 0 })).sent).toBe(1);
  });
});

describe("GETs keep their policy", () => {
  const get: Call = (c, o) => c.batches.retrieve("bat-1", {}, o);
  test.each([500, 408, 409])("retrieve retries %i", async (status) => {
    expect((await run(get, [json({ detail: "x" }, status, fast), json(batch())])).sent).toBe(2);
  });
  test("retrieve retries a reset, list a 503 without a delay", async () => {
    expect((await run(get, [netError("ECONNRESET"), json(batch())])).sent).toBe(2);
    const list: Call = (c, o) => c.batches.list({}, o);
    expect((await run(list, [json({ detail: "x" }, 503), json(page([]))])).sent).toBe(2);
  });
});

describe("notSent", () => {
  test("reads the cause chain, and happy eyeballs' AggregateError only when every attempt was refused", () => {
    expect(notSent(netError("ECONNREFUSED"))).toBe(true);
    expect(notSent(new Error("x", { cause: new Error("y", { cause: Object.assign(new Error(), { code: "ENOTFOUND" }) }) }))).toBe(true);
    const refused = Object.assign(new Error(), { code: "ECONNREFUSED" });
    const reset = Object.assign(new Error(), { code: "ECONNRESET" });
    expect(notSent(new TypeError("fetch failed", { cause: new AggregateError([refused, refused]) }))).toBe(true);
    expect(notSent(new TypeError("fetch failed", { cause: new AggregateError([refused, reset]) }))).toBe(false);
    expect(notSent(new TypeError("fetch failed", { cause: new AggregateError([]) }))).toBe(false);
    expect(notSent(undefined)).toBe(false);
    expect(notSent("ECONNREFUSED")).toBe(false);
  });
});

describe("a retried POST over real HTTP", () => {
  test.each<[string, RequestOptions | undefined, number]>([
    ["a throttle", undefined, 429],
    ["an opted-in 500", { maxRetries: 1 }, 500],
  ])("sends its body again after %s", async (_, options, status) => {
    const bodies: string[] = [];
    const server = await listen((req, res, n) => {
      let text = "";
      req.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      req.on("end", () => {
        bodies.push(text);
        const headers = { "content-type": "application/json", "retry-after": "0" };
        res.writeHead(n === 1 ? status : 200, headers).end(JSON.stringify(n === 1 ? { detail: "again" } : batch()));
      });
    });
    try {
      const client = createBatchesClient({ apiKey: TEST_KEY, baseUrl: server.url });
      await client.batches.create(body, options);
      expect(bodies).toHaveLength(2);
      expect(bodies.map((b) => JSON.parse(b))).toEqual([body, body]);
    } finally {
      await server.close();
    }
  });
});
