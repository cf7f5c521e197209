import { assertType, describe, expectTypeOf, test } from "vitest";
import {
  type Batch,
  type BatchesApiError,
  type BatchesPage,
  type BatchJobType,
  type BatchStatus,
  createBatchesClient,
  type ListBatchesParams,
  type ListBatchesResponse,
  type RedirectError,
} from "../src/index.js";

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
});
