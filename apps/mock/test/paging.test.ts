import { type Batch, createBatchesClient, PaginationLoopError } from "@llama-batches/client";
import { getSpec } from "@llama-batches/spec";
import LlamaCloud from "@llamaindex/llama-cloud";
import { describe, expect, inject, test } from "vitest";

const examples = getSpec().responseExamples("listBatches", 200) as Record<string, { value: { items: Batch[]; next_page_token?: string } }>;
const ids = (items: { id: string }[]) => items.map((b) => b.id);

const mock = { url: inject("mockUrl") };

describe("paging through the mock ends", () => {
  test("with our client: for await yields the default example's items, then stops", async () => {
    const client = createBatchesClient({ apiKey: "test", baseUrl: mock.url, maxRetries: 0 });
    const seen: Batch[] = [];
    for await (const b of client.batches.list({ page_size: 2 })) seen.push(b);
    expect(ids(seen)).toEqual(ids(examples["final-page"]?.value.items ?? []));
  });

  test("with the official SDK pointed at the mock", async () => {
    const sdk = new LlamaCloud({ apiKey: "test", baseURL: mock.url, maxRetries: 0, logLevel: "off" });
    const seen: string[] = [];
    for await (const b of sdk.batches.list({ page_size: 2 })) seen.push(b.id);
    expect(seen).toEqual(ids(examples["final-page"]?.value.items ?? []));
  });
});

describe("named examples through Prefer: example=…", () => {
  const client = () => createBatchesClient({ apiKey: "test", baseUrl: mock.url, maxRetries: 0 });

  test("middle-page has a token, and a client that follows it against a static mock is stopped, not looped", async () => {
    const page = await client().batches.list({}, { headers: { prefer: "example=middle-page" } });
    expect(page.next_page_token).toBe(examples["middle-page"]?.value.next_page_token);
    expect(page.hasNextPage()).toBe(true);
    await expect(async () => {
      for await (const _ of client().batches.list({}, { headers: { prefer: "example=middle-page" } }));
    }).rejects.toThrow(PaginationLoopError);
  });

  test("empty is an empty, final page", async () => {
    const page = await client().batches.list({}, { headers: { prefer: "example=empty" } });
    expect(page.items).toEqual([]);
    expect(page.hasNextPage()).toBe(false);
  });

  test.each([401, 422, 429])(
    "the spec's %i response can be asked for with Prefer: code=…, with the spec's example body",
    async (status) => {
      const res = await fetch(`${mock.url}/api/v2/batches`, { headers: { authorization: "Bearer t", prefer: `code=${status}` } });
      expect(res.status).toBe(status);
      const [example] = Object.values(getSpec().responseExamples("listBatches", status));
      expect(await res.json()).toEqual(example?.value);
    },
  );
});
