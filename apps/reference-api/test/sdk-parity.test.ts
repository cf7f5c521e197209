import { randomUUID } from "node:crypto";
import { type Batch, type BatchStatus, createBatchesClient } from "@llama-batches/client";
import LlamaCloud from "@llamaindex/llama-cloud";
import { describe, expect, test } from "vitest";
import type { ApiKey } from "../src/index.js";
import { CREATED_STATUS, EXAMPLE_BODY, EXPANDED, FINAL_STATUSES } from "./batches.js";
import { expectedBatches, ids, useReferenceApi } from "./helpers.js";

const ref = useReferenceApi({ port: 0, seed: 23, size: 450 });

/** The model (see helpers): the ids `key` must get, in API order. */
function expectedIds(key: ApiKey, status: BatchStatus | undefined): string[] {
  return ids(expectedBatches(ref.data, ref.organizationOf, key, { status }));
}

function keyOf(kind: "project" | "organization"): ApiKey {
  const key = ref.api.apiKeys.find((k) => (kind === "project" ? k.project_id !== null : k.project_id === null));
  if (!key) throw new Error(`no ${kind} key`);
  return key;
}

describe("the official SDK and our client page the same batches in the same order", () => {
  test.each([
    ["project", undefined],
    ["project", "RUNNING"],
    ["organization", undefined],
    ["organization", "COMPLETED"],
  ] as const)("%s key, status %s", async (kind, status) => {
    const key = keyOf(kind);
    const want = expectedIds(key, status);
    // More than one page of 7: a real traversal.
    expect(want.length).toBeGreaterThan(7);

    const sdk = new LlamaCloud({ apiKey: key.key, baseURL: ref.api.url, maxRetries: 0, logLevel: "off" });
    const viaSdk: Batch[] = [];
    for await (const b of sdk.batches.list({ page_size: 7, ...(status === undefined ? {} : { status }) })) {
      viaSdk.push(b as Batch);
    }

    const client = createBatchesClient({ apiKey: key.key, baseUrl: ref.api.url, maxRetries: 0 });
    const viaClient: Batch[] = [];
    for await (const b of client.batches.list({ page_size: 7, ...(status === undefined ? {} : { status }) })) {
      viaClient.push(b);
    }

    expect(viaSdk.map((b) => b.id)).toEqual(want);
    expect(viaClient.map((b) => b.id)).toEqual(want);
    // Not only the ids: the same batches, as the server has them.
    expect(viaClient).toEqual(viaSdk);
    const byId = new Map(ref.data.map((b) => [b.id, b]));
    expect(viaClient).toEqual(viaClient.map((b) => byId.get(b.id)));
  });

  test("first pages agree too: same items, both carry a next page token", async () => {
    const key = keyOf("organization");
    const sdk = new LlamaCloud({ apiKey: key.key, baseURL: ref.api.url, maxRetries: 0, logLevel: "off" });
    const client = createBatchesClient({ apiKey: key.key, baseUrl: ref.api.url, maxRetries: 0 });
    const sdkPage = await sdk.batches.list({ page_size: 7 });
    const clientPage = await client.batches.list({ page_size: 7 });
    expect(sdkPage.items.map((b) => b.id)).toEqual(expectedIds(key, undefined).slice(0, 7));
    expect(clientPage.items.map((b) => b.id)).toEqual(sdkPage.items.map((b) => b.id));
    expect(sdkPage.hasNextPage()).toBe(true);
    expect(clientPage.hasNextPage()).toBe(true);
    const [sdkNext, clientNext] = await Promise.all([sdkPage.getNextPage(), clientPage.getNextPage()]);
    expect(clientNext.items.map((b) => b.id)).toEqual(sdkNext.items.map((b) => b.id));
    expect(clientNext.items.map((b) => b.id)).toEqual(expectedIds(key, undefined).slice(7, 14));
  });
});

describe("the official SDK's create, get (expand results) and cancel", () => {
  test("create → get with results → cancel → CANCELLED at the next step; a final batch's cancel is a BadRequestError", async () => {
    const key = keyOf("organization");
    const sdk = new LlamaCloud({ apiKey: key.key, baseURL: ref.api.url, maxRetries: 0, logLevel: "off" });
    const directory = `dir-${randomUUID()}`;
    const made = await sdk.batches.create({ ...EXAMPLE_BODY, source_directory_id: directory });
    expect(made).toMatchObject({ source_directory_id: directory, config: EXAMPLE_BODY.config, status: CREATED_STATUS, results: null });
    expect(made.id).toMatch(/^bat-/);

    const got = await sdk.batches.get(made.id, { expand: [EXPANDED] });
    expect({ ...got, results: null }).toEqual(made);
    expect(Array.isArray(got.results)).toBe(true);
    expect(got.results?.length).toBeGreaterThan(0);
    expect((await sdk.batches.get(made.id)).results).toBeNull();

    const cancelled = await sdk.batches.cancel(made.id);
    expect(cancelled).toEqual(made);
    ref.api.step();
    const after = await sdk.batches.get(made.id);
    expect(FINAL_STATUSES).toContain(after.status);
    expect(after.status).not.toBe(made.status);
    // The decided 400, which the SDK does not retry (it would retry a 409).
    const refused = await sdk.batches.cancel(made.id).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(LlamaCloud.BadRequestError);
    const missing = await sdk.batches.get(`bat-${randomUUID()}`).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(missing).toBeInstanceOf(LlamaCloud.NotFoundError);
  });
});
