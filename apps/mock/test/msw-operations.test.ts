/**
 * The MSW handlers for create, get and cancel, with the official SDK unchanged (no process, no
 * port), and their typed per-operation answers.
 */
import type { Batch } from "@llama-batches/client";
import { getSpec, validationError } from "@llama-batches/spec";
import LlamaCloud, { AuthenticationError, NotFoundError, UnprocessableEntityError } from "@llamaindex/llama-cloud";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { type BatchesAnswer, batchesHandlers, drainMockedClones } from "../src/msw.js";

const spec = getSpec();
const server = setupServer(...batchesHandlers());
// The official SDK cancels an error body before it retries: see `drainMockedClones`.
drainMockedClones(server);
// The spec's default server, where the SDK goes: explicit, so that LLAMA_CLOUD_BASE_URL cannot redirect the tests.
const baseURL = spec.regions[0]?.url ?? "";
const ID = "bat-00000000-1111-4222-8333-444444444444";

// Read independently of the handlers, so that a handler serving the wrong example cannot agree with itself.
const example = (operationId: string, name?: string): Batch => {
  const examples = spec.responseExamples(operationId, 200);
  const found = name === undefined ? Object.values(examples)[0] : examples[name];
  if (!found) throw new Error(`the spec has no 200 example ${name} of ${operationId}`);
  return structuredClone(found.value) as Batch;
};
const expandExample = (spec.operation("getBatch").extensions["x-expand-examples"] as Record<string, string>).results;
const createBody = () => {
  const [found] = Object.values(spec.requestExamples("createBatch"));
  if (!found) throw new Error("the spec has no createBatch request example");
  return structuredClone(found.value) as Parameters<LlamaCloud["batches"]["create"]>[0];
};

// Built in each test, after `listen()`: the SDK takes the global fetch MSW patches when it is made.
const sdk = (options: Partial<ConstructorParameters<typeof LlamaCloud>[0]> = {}) =>
  new LlamaCloud({ apiKey: "test", baseURL, maxRetries: 0, logLevel: "off", ...options });

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
afterAll(() => server.close());

describe("the official SDK against the MSW handlers", () => {
  test("create answers the spec's PENDING batch with the config and directory it was sent", async () => {
    const body = createBody();
    body.source_directory_id = "dir-99999999-8888-4777-8666-555555555555";
    const batch = await sdk().batches.create(body);
    expect(batch).toEqual({ ...example("createBatch"), config: body.config, source_directory_id: body.source_directory_id });
    expect(batch.results ?? null).toBeNull();
  });

  test("get: the batch asked for; results null without expand, filled in with expand: ['results']", async () => {
    const plain = await sdk().batches.get(ID);
    expect(plain).toEqual({ ...example("getBatch"), id: ID });
    expect(plain.results ?? null).toBeNull();
    const expanded = await sdk().batches.get(ID, { expand: ["results"] });
    expect(expanded).toEqual({ ...example("getBatch", expandExample), id: ID });
    expect(expanded.results?.length).toBeGreaterThan(0);
    expect(new URL(requests.at(-1)?.url ?? "").searchParams.getAll("expand")).toEqual(["results"]);
  });

  test("cancel answers the batch, not yet final", async () => {
    const batch = await sdk().batches.cancel(ID);
    expect(batch).toEqual({ ...example("cancelBatch"), id: ID });
    expect(spec.finalStatuses).not.toContain(batch.status);
  });

  test("a create missing source_directory_id is a 422 in the spec package's words", async () => {
    const { source_directory_id: _, ...body } = createBody();
    const error = await sdk()
      .batches.create(body as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    const parsed = spec.parseBody("createBatch", JSON.stringify(body), "application/json");
    expect(parsed.ok).toBe(false);
    expect((error as UnprocessableEntityError).error).toEqual(validationError(parsed.ok ? [] : parsed.issues));
    expect(((error as UnprocessableEntityError).error as { detail: { loc: unknown[] }[] }).detail.map((d) => d.loc)).toEqual([
      ["body", "source_directory_id"],
    ]);
  });

  test("an expand value the spec does not have is a 422 naming it", async () => {
    const error = await sdk()
      .batches.get(ID, { expand: ["files"] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(((error as UnprocessableEntityError).error as { detail: { loc: unknown[] }[] }).detail.map((d) => d.loc)).toEqual([
      ["query", "expand", 0],
    ]);
  });

  test("without credentials, every call is a 401", async () => {
    const anonymous = sdk({ apiKey: "" });
    for (const call of [
      () => anonymous.batches.create(createBody()),
      () => anonymous.batches.get(ID),
      () => anonymous.batches.cancel(ID),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(AuthenticationError);
    }
  });

  test("Prefer: example=… picks another example; an unknown one is a 404 naming it", async () => {
    const running = await sdk().batches.get(ID, {}, { headers: { prefer: "example=running" } });
    expect(running).toEqual({ ...example("getBatch", "running"), id: ID });
    const error = await sdk()
      .batches.get(ID, {}, { headers: { prefer: "example=nope" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
  });
});

describe("typed answers per operation", () => {
  test("a 503 on the first create, then the usual answer: the SDK's retry is observable", async () => {
    const seen: number[] = [];
    server.use(
      ...batchesHandlers({
        answers: {
          createBatch: ({ call }) => {
            seen.push(call);
            return call === 1 ? { status: 503, body: { detail: "Service Unavailable" }, headers: { "retry-after-ms": "1" } } : undefined;
          },
        },
      }),
    );
    const batch = await sdk({ maxRetries: 1 }).batches.create(createBody());
    expect(seen).toEqual([1, 2]);
    expect(batch.status).toBe(example("createBatch").status);
  });

  test("a given batch for get, whatever the id; a 404 for cancel", async () => {
    const mine: Batch = { ...example("getBatch", expandExample), id: ID, status: "FAILED" };
    server.use(
      ...batchesHandlers({
        answers: { getBatch: { status: 200, body: mine }, cancelBatch: { status: 404, body: { detail: "Batch not found" } } },
      }),
    );
    expect(await sdk().batches.get("bat-anything")).toEqual(mine);
    await expect(sdk().batches.cancel(ID)).rejects.toBeInstanceOf(NotFoundError);
  });

  test("answers are fresh copies: a caller mutating one does not change the next", async () => {
    const mine: Batch = example("getBatch");
    server.use(...batchesHandlers({ answers: { getBatch: { status: 200, body: mine } } }));
    const first = await sdk().batches.get(ID);
    first.status = "CANCELLED";
    expect(await sdk().batches.get(ID)).toEqual(mine);
  });

  test("only statuses and bodies the spec declares compile", () => {
    const answers: BatchesAnswer<"cancelBatch">[] = [
      { status: 400, body: { detail: "final" } },
      // @ts-expect-error the spec declares no 409 for cancel (a final batch is a 400)
      { status: 409, body: { detail: "conflict" } },
      // @ts-expect-error a 200 is a Batch
      { status: 200, body: { detail: "nope" } },
    ];
    // @ts-expect-error a create's 422 is a validation error, not a string detail
    const create: BatchesAnswer<"createBatch"> = { status: 422, body: { detail: "bad" } };
    expect([answers.length, create.status]).toEqual([3, 422]);
  });
});
