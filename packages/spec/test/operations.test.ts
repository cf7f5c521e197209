import { describe, expect, test } from "vitest";
import { getSpec, loadSpec } from "../src/index.js";

const spec = getSpec();

describe("the operation model is read from the document", () => {
  test("every operation with its parameters, statuses and response schemas", () => {
    const document = loadSpec();
    for (const op of spec.operations) {
      const raw = document.paths[op.path]?.[op.method] as { parameters: unknown[]; responses: Record<string, unknown> };
      expect(op.parameters.length).toBe(raw.parameters.length);
      expect(op.statuses.map(String).sort()).toEqual(Object.keys(raw.responses).sort());
    }
    const list = spec.operation("listBatches");
    expect(list.responseSchemas.get(200)).toBe("BatchListResponse");
    expect(list.query.find((p) => p.name === "status")?.enum).toEqual(spec.enumOf("BatchStatus"));
  });

  test("page_size's default and bounds are the parameter's own", () => {
    const list = spec.operation("listBatches");
    const p = list.query.find((q) => q.name === "page_size");
    expect(list.pageSize).toEqual({
      default: p?.default,
      minimum: p?.minimum,
      maximum: p?.maximum ?? p?.extensions["x-coerce-maximum"],
    });
  });

  test("routes: an operation and its decoded path parameters, the allowed methods, or nothing", () => {
    expect(spec.route("GET", "/api/v2/batches")).toMatchObject({ operation: { id: "listBatches" } });
    expect(spec.route("HEAD", "/api/v2/batches")).toMatchObject({ operation: { id: "listBatches" } });
    expect(spec.route("DELETE", "/api/v2/batches")).toEqual({ allowed: expect.arrayContaining(["GET", "HEAD"]) });
    expect(spec.route("GET", "/api/v2/nothing")).toBeUndefined();
    expect(spec.route("GET", "/api/v2/batches/")).toEqual({ redirect: "/api/v2/batches" });
    // The path comes decoded once (by the server, as uvicorn does): a parameter is not decoded twice.
    expect(spec.route("GET", "/api/v2/batches/bat-%41")).toMatchObject({
      operation: { id: "getBatch" },
      pathParams: { batch_id: "bat-%41" },
    });
    expect(spec.route("POST", "/api/v2/batches/bat-1/cancel")).toMatchObject({
      operation: { id: "cancelBatch" },
      pathParams: { batch_id: "bat-1" },
    });
  });

  test("an unknown operation or schema is an error that says what exists", () => {
    expect(() => spec.operation("nope")).toThrow(/has no operation nope; it has listBatches/);
    expect(() => spec.validateSchema("Nope", {})).toThrow(/no schema named Nope/);
  });
});
