import { type Batch, type BatchStatus, createBatchesClient } from "@llama-batches/client";
import LlamaCloud from "@llamaindex/llama-cloud";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ApiKey, type RunningReferenceApi, startReferenceApi } from "../src/index.js";

let api: RunningReferenceApi | undefined;
let data: Batch[];
let organizationOf: Map<string, string>;

beforeAll(async () => {
  api = await startReferenceApi({ port: 0, seed: 23, size: 450 });
  data = api.store.all();
  organizationOf = new Map(
    api.apiKeys.flatMap((k) => (k.project_id === null ? [] : [[k.project_id, k.organization_id] as const])),
  );
});

afterAll(async () => {
  await api?.stop();
});

function server(): RunningReferenceApi {
  if (!api) throw new Error("server not started");
  return api;
}

const ms = (b: Batch): number => (b.created_at == null ? Number.NEGATIVE_INFINITY : Date.parse(b.created_at));

/** Our own reading of the spec over the server's data: the ids `key` must get, in API order. */
function expectedIds(key: ApiKey, status: BatchStatus | undefined): string[] {
  return data
    .filter(
      (b) =>
        organizationOf.get(b.project_id) === key.organization_id &&
        (key.project_id === null || b.project_id === key.project_id) &&
        (status === undefined || b.status === status),
    )
    .sort((a, b) => (ms(a) !== ms(b) ? (ms(a) > ms(b) ? -1 : 1) : a.id === b.id ? 0 : a.id > b.id ? -1 : 1))
    .map((b) => b.id);
}

function keyOf(kind: "project" | "organization"): ApiKey {
  const key = server().apiKeys.find((k) => (kind === "project" ? k.project_id !== null : k.project_id === null));
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

    const sdk = new LlamaCloud({ apiKey: key.key, baseURL: server().url, maxRetries: 0, logLevel: "off" });
    const viaSdk: Batch[] = [];
    for await (const b of sdk.batches.list({ page_size: 7, ...(status === undefined ? {} : { status }) })) {
      viaSdk.push(b as Batch);
    }

    const client = createBatchesClient({ apiKey: key.key, baseUrl: server().url, maxRetries: 0 });
    const viaClient: Batch[] = [];
    for await (const b of client.batches.list({ page_size: 7, ...(status === undefined ? {} : { status }) })) {
      viaClient.push(b);
    }

    expect(viaSdk.map((b) => b.id)).toEqual(want);
    expect(viaClient.map((b) => b.id)).toEqual(want);
    // Not only the ids: the same batches, as the server has them.
    expect(viaClient).toEqual(viaSdk);
    const byId = new Map(data.map((b) => [b.id, b]));
    expect(viaClient).toEqual(viaClient.map((b) => byId.get(b.id)));
  });

  test("first pages agree too: same items, both carry a next page token", async () => {
    const key = keyOf("organization");
    const sdk = new LlamaCloud({ apiKey: key.key, baseURL: server().url, maxRetries: 0, logLevel: "off" });
    const client = createBatchesClient({ apiKey: key.key, baseUrl: server().url, maxRetries: 0 });
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
