import { assertType, describe, expectTypeOf, test } from "vitest";
import {
  type Batch,
  type BatchCreateParams,
  type BatchExpand,
  type BatchesApiError,
  type BatchesPage,
  type BatchJobType,
  type BatchStatus,
  createBatchesClient,
  type ListBatchesParams,
  type ListBatchesResponse,
  type RedirectError,
  type Region,
  type SyncEvent,
  type WaitForTimeoutError,
  type WebhookConfiguration,
} from "../src/index.js";
import { type BatchWebhookEvent, type BatchWebhookEventType, parseWebhookEvent, verifyWebhookSignature } from "../src/webhooks.js";

const client = createBatchesClient({ apiKey: "k" });

describe("types", () => {
  test("named types are the generated ones", () => {
    expectTypeOf<BatchStatus>().toEqualTypeOf<"PENDING" | "THROTTLED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELLED">();
    expectTypeOf<BatchJobType>().toEqualTypeOf<"parse_v2" | "extract_v2">();
    expectTypeOf<ListBatchesParams["page_size"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<ListBatchesResponse["items"]>().toEqualTypeOf<Batch[]>();
    expectTypeOf<Batch["created_at"]>().toEqualTypeOf<string | null | undefined>();
  });

  test("list accepts every valid query", () => {
    assertType(client.batches.list());
    assertType(
      client.batches.list({
        status: "RUNNING",
        page_size: 10,
        page_token: "t",
        project_id: "p",
        organization_id: "o",
        source_directory_id: "d",
        created_at_on_or_after: "2026-01-01T00:00:00Z",
        created_at_on_or_before: "2026-12-31T00:00:00Z",
      }),
    );
  });

  test("invalid queries do not compile", () => {
    // @ts-expect-error status is an enum
    assertType(client.batches.list({ status: "BOGUS" }));
    // @ts-expect-error page_size is a number
    assertType(client.batches.list({ page_size: "10" }));
    // @ts-expect-error unknown parameter
    assertType(client.batches.list({ expand: "results" }));
  });

  test("await gives a page, for await gives batches", async () => {
    expectTypeOf(await client.batches.list()).toEqualTypeOf<BatchesPage>();
    expectTypeOf((await client.batches.list()).items).toEqualTypeOf<Batch[]>();
    for await (const b of client.batches.list()) expectTypeOf(b).toEqualTypeOf<Batch>();
    for await (const p of client.batches.list().iterPages()) expectTypeOf(p).toEqualTypeOf<BatchesPage>();
  });

  test('redirect is "follow" or "error", on the client and per request; a RedirectError has a location', () => {
    assertType(createBatchesClient({ apiKey: "k", redirect: "error" }));
    assertType(client.batches.list({}, { redirect: "follow" }));
    // @ts-expect-error "manual" is fetch's, not ours: a redirect is either followed or thrown
    assertType(createBatchesClient({ apiKey: "k", redirect: "manual" }));
    // @ts-expect-error per request too
    assertType(client.batches.list({}, { redirect: "manual" }));
    expectTypeOf<RedirectError["location"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<RedirectError>().toExtend<BatchesApiError<number>>();
  });

  test("client.api is fully typed", async () => {
    const { data } = await client.api.GET("/api/v2/batches", { params: { query: { status: "FAILED" } } });
    expectTypeOf(data).toEqualTypeOf<ListBatchesResponse | undefined>();
    // @ts-expect-error not a path of the spec
    assertType(client.api.GET("/api/v2/nope"));
    // @ts-expect-error status is an enum here too
    assertType(client.api.GET("/api/v2/batches", { params: { query: { status: "BOGUS" } } }));
  });

  const job = { configuration_id: "cfg-PARSE_AGENTIC", type: "parse_v2" } as const;

  test("create takes the body and the scope, and gives a Batch", async () => {
    expectTypeOf(await client.batches.create({ config: { job }, source_directory_id: "dir-1" })).toEqualTypeOf<Batch>();
    assertType(
      client.batches.create(
        {
          config: { job },
          source_directory_id: "dir-1",
          project_id: "p",
          organization_id: "o",
          webhook_configuration_ids: null,
          webhook_configurations: [{ webhook_url: "https://x", webhook_events: ["batch.success"], webhook_output_format: "json" }],
        },
        { maxRetries: 1 },
      ),
    );
    expectTypeOf<WebhookConfiguration["webhook_headers"]>().toEqualTypeOf<Record<string, string> | null | undefined>();
  });

  test("invalid create bodies do not compile", () => {
    // @ts-expect-error source_directory_id is required
    assertType(client.batches.create({ config: { job } }));
    // @ts-expect-error the job type is an enum
    assertType(client.batches.create({ config: { job: { configuration_id: "c", type: "parse_v9" } }, source_directory_id: "d" }));
    // @ts-expect-error config.job is required
    assertType(client.batches.create({ config: {}, source_directory_id: "d" }));
    // @ts-expect-error webhook events are an enum
    assertType(client.batches.create({ config: { job }, source_directory_id: "d", webhook_configurations: [{ webhook_events: ["x"] }] }));
    expectTypeOf<BatchCreateParams["config"]["job"]["type"]>().toEqualTypeOf<BatchJobType>();
  });

  test("retrieve and cancel", async () => {
    expectTypeOf(await client.batches.retrieve("bat-1", { expand: ["results"] })).toEqualTypeOf<Batch>();
    expectTypeOf(await client.batches.cancel("bat-1")).toEqualTypeOf<Batch>();
    assertType(client.batches.cancel("bat-1", { project_id: "p" }, { signal: AbortSignal.abort() }));
    expectTypeOf<BatchExpand>().toEqualTypeOf<"results">();
    // @ts-expect-error `expand` values are an enum
    assertType(client.batches.retrieve("bat-1", { expand: ["files"] }));
    // @ts-expect-error `expand` is an array, as the official SDK types it
    assertType(client.batches.retrieve("bat-1", { expand: "results" }));
    // @ts-expect-error cancel takes no expand
    assertType(client.batches.cancel("bat-1", { expand: ["results"] }));
  });

  test("waitFor", async () => {
    expectTypeOf(await client.batches.waitFor("bat-1", { until: ["RUNNING"], interval: 10, expand: ["results"] })).toEqualTypeOf<Batch>();
    // @ts-expect-error until names statuses
    assertType(client.batches.waitFor("bat-1", { until: ["DONE"] }));
    expectTypeOf<WaitForTimeoutError["lastBatch"]>().toEqualTypeOf<Batch | undefined>();
  });

  test("regions", () => {
    expectTypeOf<Region>().toEqualTypeOf<"na" | "eu">();
    assertType(createBatchesClient({ apiKey: "k", region: "eu" }));
    // @ts-expect-error an unknown region
    assertType(createBatchesClient({ apiKey: "k", region: "us" }));
  });

  test("sync yields batches and checkpoints", async () => {
    for await (const event of client.batches.sync({ since: new Date(), lookback: 0, status: "FAILED" })) {
      if (event.type === "batch") expectTypeOf(event.batch).toEqualTypeOf<Batch>();
      else expectTypeOf(event.checkpoint.resumeToken).toEqualTypeOf<string | null>();
    }
    expectTypeOf<SyncEvent["type"]>().toEqualTypeOf<"batch" | "checkpoint">();
    // @ts-expect-error since is required
    assertType(client.batches.sync({}));
    // @ts-expect-error the watermark is the sync's to set
    assertType(client.batches.sync({ since: "2026-01-01T00:00:00Z", created_at_on_or_after: "2026-01-01T00:00:00Z" }));
  });

  test("webhooks", async () => {
    expectTypeOf(parseWebhookEvent("{}")).toEqualTypeOf<BatchWebhookEvent>();
    expectTypeOf<BatchWebhookEvent["event_type"]>().toEqualTypeOf<BatchWebhookEventType>();
    expectTypeOf<BatchWebhookEvent["data"]>().toEqualTypeOf<Batch>();
    const result = await verifyWebhookSignature("{}", "sha256=00", "s");
    if (!result.valid) expectTypeOf(result.reason).toEqualTypeOf<"missing" | "mismatch">();
  });
});
