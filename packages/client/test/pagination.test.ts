import { describe, expect, test } from "vitest";
import { type Batch, BatchesError, createBatchesClient, PaginationLoopError } from "../src/index.js";
import { batch, fakeFetch, json, page, TEST_KEY } from "./helpers/fake-fetch.js";

const ids = (items: Batch[]) => items.map((b) => b.id);

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

describe("pagination", () => {
  test("await gives the first page with its metadata", async () => {
    const a = batch();
    const { fetch } = fakeFetch(json({ items: [a], next_page_token: "t1", total_size: 7 }, 200, { "x-request-id": "r1" }));
    const first = await createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list();
    expect(first.items).toEqual([a]);
    expect(first.next_page_token).toBe("t1");
    expect(first.total_size).toBe(7);
    expect(first.hasNextPage()).toBe(true);
    expect(first.response.headers.get("x-request-id")).toBe("r1");
  });

  test("for await yields every batch across pages, sending each token back with the same filters", async () => {
    const [a, b, c, d] = [batch(), batch(), batch(), batch()] as [Batch, Batch, Batch, Batch];
    const { fetch, calls } = fakeFetch(json(page([a, b], "t1")), json(page([c], "t2")), json(page([d])));
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch });
    const all = await collect(client.batches.list({ status: "COMPLETED", page_size: 2 }));
    expect(ids(all)).toEqual(ids([a, b, c, d]));
    expect(calls.map((c) => c.url.searchParams.get("page_token"))).toEqual([null, "t1", "t2"]);
    for (const call of calls) {
      expect(call.url.searchParams.get("status")).toBe("COMPLETED");
      expect(call.url.searchParams.get("page_size")).toBe("2");
    }
  });

  test("iterPages yields pages, and getNextPage follows the token", async () => {
    const { fetch } = fakeFetch(json(page([batch()], "t1")), json(page([batch()])));
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch });
    const pages = await collect(client.batches.list().iterPages());
    expect(pages.map((p) => p.next_page_token)).toEqual(["t1", undefined]);
    const { fetch: fetch2, calls } = fakeFetch(json(page([batch()], "t9")), json(page([])));
    const first = await createBatchesClient({ apiKey: TEST_KEY, fetch: fetch2 }).batches.list();
    const second = await first.getNextPage();
    expect(calls[1]?.url.searchParams.get("page_token")).toBe("t9");
    expect(second.hasNextPage()).toBe(false);
    await expect(second.getNextPage()).rejects.toThrow(BatchesError);
  });

  test("a page can be iterated from itself onwards", async () => {
    const [a, b] = [batch(), batch()];
    const { fetch } = fakeFetch(json(page([a], "t1")), json(page([b])));
    const first = await createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list();
    expect(ids(await collect(first))).toEqual(ids([a, b]));
  });

  test("stops at an empty page even when it carries a token", async () => {
    const { fetch, calls } = fakeFetch(json(page([batch()], "t1")), json(page([], "t2")), json(page([batch()])));
    const all = await collect(createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list());
    expect(all).toHaveLength(1);
    expect(calls).toHaveLength(2);
  });

  test("treats a null or empty token as the end", async () => {
    for (const token of [null, ""]) {
      const { fetch, calls } = fakeFetch(json({ items: [batch()], next_page_token: token }));
      expect(await collect(createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list())).toHaveLength(1);
      expect(calls).toHaveLength(1);
    }
  });

  test("a token that points back at its own page raises instead of looping", async () => {
    const { fetch, calls } = fakeFetch(json(page([batch()], "same")));
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch });
    await expect(collect(client.batches.list())).rejects.toThrow(PaginationLoopError);
    expect(calls).toHaveLength(2);
  });

  test("a longer cycle of tokens is caught too, with a bounded number of extra requests", async () => {
    // t1 → t2 → t3 → t1 → …
    const tokens = ["t1", "t2", "t3"];
    let n = 0;
    const { fetch, calls } = fakeFetch(() => json(page([batch()], tokens[n++ % 3])));
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch });
    await expect(collect(client.batches.list())).rejects.toThrow(PaginationLoopError);
    expect(calls.length).toBeLessThanOrEqual(3 * 3);
  });

  test("breaking out of for await sends no further request", async () => {
    const { fetch, calls } = fakeFetch(json(page([batch(), batch()], "t1")), json(page([batch()])));
    for await (const _ of createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list()) break;
    expect(calls).toHaveLength(1);
  });

  test("an error on a later page surfaces from for await", async () => {
    const { fetch } = fakeFetch(json(page([batch()], "t1")), json({ detail: "Invalid token" }, 401));
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 0 });
    const seen: Batch[] = [];
    await expect(async () => {
      for await (const b of client.batches.list()) seen.push(b);
    }).rejects.toMatchObject({ status: 401 });
    expect(seen).toHaveLength(1);
  });

  test("the page promise behaves as a promise", async () => {
    const { fetch } = fakeFetch(json(page([])));
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch });
    const [p] = await Promise.all([client.batches.list()]);
    expect(p?.items).toEqual([]);
    const failing = createBatchesClient({ apiKey: TEST_KEY, fetch: fakeFetch(json({ detail: "x" }, 404)).fetch });
    await expect(failing.batches.list().catch((e: unknown) => (e as { status: number }).status)).resolves.toBe(404);
  });
});
