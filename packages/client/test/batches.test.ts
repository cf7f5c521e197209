import { getSpec } from "@llama-batches/spec";
import { describe, expect, test } from "vitest";
import {
  BadRequestError,
  type Batch,
  type BatchCreateParams,
  BatchesApiError,
  type BatchStatus,
  createBatchesClient,
  NotFoundError,
  UnprocessableEntityError,
} from "../src/index.js";
import { batch, fakeFetch, json, TEST_KEY } from "./helpers/fake-fetch.js";

const spec = getSpec();
const [pending, running] = spec.enumOf("BatchStatus").filter((s) => !spec.finalStatuses.includes(s)) as [BatchStatus, BatchStatus];
/** The spec's own create example: the request a client's happy path sends. */
const createExample = Object.values(spec.requestExamples("createBatch"))[0]?.value as BatchCreateParams;
const SCOPE = { organization_id: "0c9e8d7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f", project_id: "9b2f1c3e-5a4d-4e8f-9c1b-2d3e4f5a6b7c" };

/** An injected fetch that also keeps each request's body text. */
function recording(reply: Response | (() => Response)) {
  const bodies: string[] = [];
  const { fetch, calls } = fakeFetch(async () => (typeof reply === "function" ? reply() : reply.clone()));
  const wrapped = async (request: Request, init?: RequestInit) => {
    bodies.push(await request.clone().text());
    return fetch(request, init);
  };
  return { fetch: wrapped, calls, bodies };
}

describe("create", () => {
  test("POSTs the body as JSON and the scope as query parameters, as the official SDK splits them", async () => {
    const created = batch({ status: pending, results: null });
    const { fetch, calls, bodies } = recording(json(created));
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch });
    const answer = await client.batches.create({ ...createExample, ...SCOPE });
    expect(answer).toEqual(created);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.method).toBe("POST");
    expect(call?.url.pathname).toBe("/api/v2/batches");
    expect(Object.fromEntries(call?.url.searchParams ?? [])).toEqual(SCOPE);
    expect(call?.headers.get("content-type")).toMatch(/^application\/json/);
    expect(call?.headers.get("authorization")).toBe(`Bearer ${TEST_KEY}`);
    expect(JSON.parse(bodies[0] ?? "")).toEqual(createExample);
  });

  test("without a scope, no query string at all", async () => {
    const { fetch, calls } = recording(json(batch()));
    await createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.create(createExample);
    expect(calls[0]?.url.search).toBe("");
  });

  test("a 422 names the body field, typed", async () => {
    const detail = [{ type: "missing", loc: ["body", "source_directory_id"], msg: "Field required", input: {} }];
    const { fetch } = recording(json({ detail }, 422));
    const error = await createBatchesClient({ apiKey: TEST_KEY, fetch })
      .batches.create(createExample)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect((error as Error).message).toBe("422 body.source_directory_id: Field required");
  });
});

describe("retrieve", () => {
  test("GETs the batch by id, with expand repeated and the scope", async () => {
    const { fetch, calls } = recording(json(batch()));
    await createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.retrieve("bat-1", { expand: ["results", "results"], ...SCOPE });
    const url = calls[0]?.url;
    expect(calls[0]?.method).toBe("GET");
    expect(url?.pathname).toBe("/api/v2/batches/bat-1");
    expect(url?.searchParams.getAll("expand")).toEqual(["results", "results"]);
    expect(url?.searchParams.get("project_id")).toBe(SCOPE.project_id);
  });

  test("an id is one path segment, whatever it holds", async () => {
    const { fetch, calls } = recording(json(batch()));
    await createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.retrieve("../x?y=1#z");
    expect(calls[0]?.url.pathname).toBe("/api/v2/batches/..%2Fx%3Fy%3D1%23z");
    expect(calls[0]?.url.search).toBe("");
  });

  test("404 → NotFoundError with status, body and request id", async () => {
    const { fetch } = recording(json({ detail: "Batch not found" }, 404, { "x-request-id": "req-9" }));
    const error = (await createBatchesClient({ apiKey: TEST_KEY, fetch })
      .batches.retrieve("bat-nope")
      .catch((e: unknown) => e)) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, body: { detail: "Batch not found" }, requestId: "req-9" });
  });

  test.each([
    ["not JSON", new Response("<html>", { status: 200 })],
    ["a page, not a batch", json({ items: [] })],
    ["null", json(null)],
    ["an id without a status", json({ id: "bat-1" })],
  ])("a 2xx body that is %s is a BatchesApiError, never handed over", async (_, reply) => {
    const { fetch } = recording(reply);
    const error = await createBatchesClient({ apiKey: TEST_KEY, fetch })
      .batches.retrieve("bat-1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchesApiError);
    expect((error as BatchesApiError).status).toBe(200);
  });

  test("a server echoing the key in an error body never leaks it", async () => {
    const { fetch } = recording(json({ detail: `bad key ${TEST_KEY}` }, 404));
    const error = (await createBatchesClient({ apiKey: TEST_KEY, fetch })
      .batches.retrieve("bat-1")
      .catch((e: unknown) => e)) as Error;
    expect(JSON.stringify(error) + error.message).not.toContain(TEST_KEY);
  });
});

describe("cancel", () => {
  test("POSTs to …/cancel with no body and the scope", async () => {
    const stopping: Batch = batch({ status: running });
    const { fetch, calls, bodies } = recording(json(stopping));
    const answer = await createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.cancel("bat-1", { project_id: SCOPE.project_id });
    expect(answer).toEqual(stopping);
    expect(calls[0]?.method).toBe("POST");
    expect(calls[0]?.url.pathname).toBe("/api/v2/batches/bat-1/cancel");
    expect(calls[0]?.url.searchParams.get("project_id")).toBe(SCOPE.project_id);
    expect(bodies[0]).toBe("");
  });

  test("a final batch's refusal is a BadRequestError and is not retried", async () => {
    const { fetch, calls } = recording(json({ detail: "Batch bat-1 is COMPLETED and cannot be cancelled" }, 400));
    const error = await createBatchesClient({ apiKey: TEST_KEY, fetch })
      .batches.cancel("bat-1")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(calls).toHaveLength(1);
  });
});
