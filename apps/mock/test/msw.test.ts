import {
  AuthenticationError,
  type Batch,
  type BatchesClientOptions,
  createBatchesClient,
  DEFAULT_BASE_URL,
  type ListBatchesResponse,
  NotFoundError,
} from "@llama-batches/client";
import { getSpec } from "@llama-batches/spec";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type BatchesExampleName, batchesHandlers, createBatchesHttp } from "../src/msw.js";

const server = setupServer(...batchesHandlers());
const batchesHttp = createBatchesHttp();

// Read independently of the handlers, so a handler serving the wrong example cannot agree with
// itself.
const examples = getSpec().responseExamples("listBatches", 200);
function example(name: BatchesExampleName): ListBatchesResponse {
  const found = examples[name];
  if (!found) throw new Error(`spec has no example ${name}`);
  return found.value as ListBatchesResponse;
}

// No `fetch` option: the client must go through the global fetch that MSW intercepts. The base
// URL is explicit so that an LLAMA_CLOUD_BASE_URL in the environment cannot redirect the tests.
function client(options: BatchesClientOptions = {}) {
  return createBatchesClient({ apiKey: "test-key", baseUrl: DEFAULT_BASE_URL, maxRetries: 0, ...options });
}

async function collect(iterable: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const batch of iterable) out.push(batch);
  return out;
}

let requests: Request[] = [];

beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  server.events.on("request:start", ({ request }) => {
    requests.push(request);
  });
});
afterEach(() => {
  server.resetHandlers();
  requests = [];
});
afterAll(() => {
  server.close();
});

describe("batchesHandlers()", () => {
  it("offers every example the spec names", () => {
    const names: BatchesExampleName[] = ["empty", "final-page", "middle-page", "seed"];
    expect(Object.keys(examples).sort()).toEqual(names);
  });

  it("answers with the final-page example by default, so for-await stops after one page", async () => {
    const page = await client().batches.list();
    const expected = example("final-page");
    expect(page.items).toEqual(expected.items);
    expect(page.total_size).toBe(expected.total_size);
    expect(page.next_page_token).toBeUndefined();
    expect(page.hasNextPage()).toBe(false);

    requests = [];
    const items = await collect(client().batches.list());
    expect(items.map((b) => b.id)).toEqual(expected.items.map((b) => b.id));
    expect(requests).toHaveLength(1);
  });

  it("serves the example a request prefers, as Prism does", async () => {
    const page = await client().batches.list({}, { headers: { Prefer: "example=middle-page" } });
    const expected = example("middle-page");
    expect(page.items).toEqual(expected.items);
    expect(expected.next_page_token).toEqual(expect.any(String));
    expect(page.next_page_token).toBe(expected.next_page_token);
    expect(page.hasNextPage()).toBe(true);
  });

  it("serves the empty example, by preference or as the default", async () => {
    const preferred = await client().batches.list({}, { headers: { Prefer: 'example="empty"' } });
    expect(preferred.items).toEqual([]);
    expect(preferred.hasNextPage()).toBe(false);

    server.use(...batchesHandlers({ example: "empty" }));
    expect(await collect(client().batches.list())).toEqual([]);
    expect(requests.at(-1)?.headers.get("prefer")).toBeNull();
  });

  it("answers an unknown preferred example with a 404 that names it", async () => {
    const error = await client()
      .batches.list({}, { headers: { Prefer: "example=no-such-page" } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).body).toEqual({ detail: expect.stringContaining('"no-such-page"') });
  });

  it("hands out fresh copies: mutating one response does not change the next", async () => {
    const first = await client().batches.list();
    first.items.length = 0;
    const firstBatch = (await client().batches.list()).items[0];
    if (!firstBatch) throw new Error("expected a batch");
    firstBatch.status = "CANCELLED";
    const again = await client().batches.list();
    expect(again.items).toEqual(example("final-page").items);
  });

  it("rejects a request without credentials with the spec's ErrorDetail, as AuthenticationError", async () => {
    const error = await client({ apiKey: null })
      .batches.list()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
    expect((error as AuthenticationError).body).toEqual({ detail: "Not authenticated" });
    expect((error as AuthenticationError).headers?.get("www-authenticate")).toBe("Bearer");
  });

  it("accepts a session cookie instead of a bearer key", async () => {
    const page = await client({ apiKey: null, session: "s3ss10n" }).batches.list();
    expect(page.items).toEqual(example("final-page").items);
    expect(requests[0]?.headers.get("authorization")).toBeNull();
  });

  it("lets anonymous requests through when requireAuth is false", async () => {
    server.use(...batchesHandlers({ requireAuth: false, example: "seed" }));
    const page = await client({ apiKey: null }).batches.list();
    expect(page.items).toEqual(example("seed").items);
  });

  it("matches a custom base URL, trailing slash or not", async () => {
    server.use(...batchesHandlers({ baseUrl: "http://localhost:4010/", example: "middle-page" }));
    const page = await client({ baseUrl: "http://localhost:4010" }).batches.list();
    expect(page.next_page_token).toBe(example("middle-page").next_page_token);
    expect(new URL(requests[0]?.url ?? "").origin).toBe("http://localhost:4010");
  });
});

describe("createBatchesHttp()", () => {
  it("overrides the list per test, with typed query and response helpers", async () => {
    const [first, second] = example("final-page").items;
    if (!first || !second) throw new Error("final-page needs two batches");
    const tokens: (string | null)[] = [];
    server.use(
      batchesHttp.get("/api/v2/batches", ({ query, response }) => {
        const token = query.get("page_token");
        tokens.push(token);
        if (token === null) return response(200).json({ items: [first], next_page_token: "page-2" });
        if (token === "page-2") return response(200).json({ items: [second], next_page_token: null });
        return response(422).json({ detail: [{ loc: ["query", "page_token"], msg: "Unknown token", type: "value_error" }] });
      }),
    );

    const items = await collect(client().batches.list({ status: "COMPLETED" }));
    expect(items.map((b) => b.id)).toEqual([first.id, second.id]);
    expect(tokens).toEqual([null, "page-2"]);
    // The filters carry over to the second page.
    expect(requests.map((r) => new URL(r.url).searchParams.get("status"))).toEqual(["COMPLETED", "COMPLETED"]);
  });

  it("a typed 503 override lets a downstream test prove the client retries", async () => {
    let calls = 0;
    server.use(
      batchesHttp.get("/api/v2/batches", ({ response }) => {
        calls += 1;
        if (calls === 1) return response(503).json({ detail: "Service Unavailable" });
        return response(200).json(example("final-page"));
      }),
    );
    const page = await client({ maxRetries: 1 }).batches.list();
    expect(calls).toBe(2);
    expect(page.items).toEqual(example("final-page").items);
  });

  it("only compiles responses the spec defines", () => {
    const handlers = [
      // @ts-expect-error items must be an array of batches
      batchesHttp.get("/api/v2/batches", ({ response }) => response(200).json({ items: "nope" })),
      // @ts-expect-error the spec defines no 404 response for this operation
      batchesHttp.get("/api/v2/batches", ({ response }) => response(404).json({ detail: "boom" })),
      // @ts-expect-error the spec has no such path
      batchesHttp.get("/api/v2/nope", ({ response }) => response(200).json({ items: [] })),
    ];
    expect(handlers).toHaveLength(3);
  });
});
