/**
 * Fuzz of create, retrieve and cancel against one fault-free server (fuzz.test.ts covers the list,
 * paths, methods and raw bytes). Whatever the body, id or query: never a 5xx; a create is a 200
 * with a batch that matches the schema and echoes what was sent, or a 422 whose every issue is
 * under `body` or names a query parameter sent; retrieve and cancel answer only what their rules
 * allow, and a batch seen by one key is never answered to a key of another scope.
 */
import type { Batch } from "@llama-batches/client";
import { getSpec } from "@llama-batches/spec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ApiKey } from "../src/index.js";
import { cancel, create, EXAMPLE_BODY, EXPANDED, FINAL_STATUSES, retrieve } from "./batches.js";
import { fcOptions, useReferenceApi } from "./helpers.js";

const spec = getSpec();
const ref = useReferenceApi({ seed: 29, size: 200 });
const JOB_TYPES = spec.enumOf("BatchJobType");

type Issue = { loc: unknown[]; type: string; msg: string };
const issuesOf = (body: unknown): Issue[] => (body as { detail?: Issue[] }).detail ?? [];

/** Bodies near the valid one: each field kept, dropped, or replaced by junk; extra fields now and then. */
function createBody(): fc.Arbitrary<unknown> {
  const junk = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 20 }), fc.constant(null));
  const field = <T>(valid: fc.Arbitrary<T>) =>
    // Valid most of the time: with six fields, a body must still be whole often enough for the 200 path to be exercised.
    fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: junk, weight: 1 }, { arbitrary: fc.constant(undefined), weight: 1 });
  const job = fc.record({
    configuration_id: field(fc.string({ minLength: 1, maxLength: 40 })),
    type: field(
      fc.oneof(
        { arbitrary: fc.constantFrom(...JOB_TYPES), weight: 3 },
        { arbitrary: fc.constantFrom(...JOB_TYPES.map((t) => t.toUpperCase()), "parse", ""), weight: 1 },
      ),
    ),
  });
  const body = fc.record({
    config: field(fc.record({ job: field(job) })),
    source_directory_id: field(fc.string({ maxLength: 40 })),
    webhook_configuration_ids: field(fc.oneof(fc.constant(null), fc.array(fc.string(), { maxLength: 3 }))),
    webhook_configurations: field(fc.oneof(fc.constant(null), fc.constant(EXAMPLE_BODY.webhook_configurations ?? null))),
    extra: field(junk),
  });
  // Undefined fields are left out, as JSON.stringify does.
  return fc.oneof({ arbitrary: body, weight: 8 }, { arbitrary: junk, weight: 1 });
}

function scopeParams(key: ApiKey): fc.Arbitrary<Record<string, string>> {
  const uuid = fc.oneof(
    fc.uuid(),
    fc.constantFrom(...ref.api.apiKeys.map((k) => k.organization_id), ...ref.api.apiKeys.flatMap((k) => k.project_id ?? [])),
    fc.constantFrom("", "x", key.organization_id.toUpperCase()),
  );
  // Mostly none: the key's own scope.
  return fc.oneof(
    { arbitrary: fc.constant({}), weight: 3 },
    { arbitrary: fc.record({ organization_id: uuid, project_id: uuid }, { requiredKeys: [] }), weight: 2 },
  );
}

describe("create", () => {
  it("random bodies and scope parameters: a 200 echoing a schema-valid batch in a project the key sees, or a 422 naming what is wrong", async () => {
    let ok = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ref.api.apiKeys).chain((key) => fc.tuple(fc.constant(key), createBody(), scopeParams(key))),
        async ([key, body, params]) => {
          const reply = await create(ref.api, key, body, params);
          expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(500);
          if (reply.status === 200) {
            ok += 1;
            const batch = reply.body as Batch;
            expect(spec.validateSchema("Batch", batch)).toEqual([]);
            const sent = body as { source_directory_id: string; config: { job: { configuration_id: string; type: string } } };
            expect(batch.source_directory_id).toBe(sent.source_directory_id);
            expect(batch.config).toEqual({ job: { configuration_id: sent.config.job.configuration_id, type: sent.config.job.type } });
            expect(ref.api.store.organizationOf(batch.project_id)).toBe(key.organization_id);
            if (key.project_id !== null) expect(batch.project_id).toBe(key.project_id);
            return;
          }
          if (reply.status === 404) {
            // Only for a scope the key cannot see, named in the query.
            expect(Object.keys(params).length).toBeGreaterThan(0);
            return;
          }
          expect(reply.status).toBe(422);
          refused += 1;
          const issues = issuesOf(reply.body);
          expect(issues.length).toBeGreaterThan(0);
          for (const i of issues) {
            const named = i.loc[0] === "body" || (i.loc[0] === "query" && Object.hasOwn(params, String(i.loc[1])));
            expect(named, JSON.stringify(i)).toBe(true);
          }
        },
      ),
      fcOptions(150),
    );
    expect(ok).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(5);
  });
});

describe("retrieve and cancel", () => {
  it("random ids, expand values and scope parameters: only the answers the rules allow, never another scope's batch", async () => {
    const known = ref.data.map((b) => b.id);
    const id = fc.oneof(
      fc.constantFrom(...known),
      fc.uuid().map((u) => `bat-${u}`),
      // Not ".": a URL drops that segment, so the request would be the list's (a 307, then a page).
      fc.string({ maxLength: 30 }).filter((s) => s.length > 0 && s !== "."),
      fc.constantFrom("%", "%zz", "bat-%2F", "..", "bat-1;x"),
    );
    const expand = fc.array(fc.oneof(fc.constant(EXPANDED), fc.string({ maxLength: 8 })), { maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ref.api.apiKeys).chain((key) => fc.tuple(fc.constant(key), id, expand, scopeParams(key), fc.boolean())),
        async ([key, batchId, expanded, params, cancelling]) => {
          const reply = cancelling
            ? await cancel(ref.api, key, batchId, params)
            : await retrieve(ref.api, key, batchId, { ...params, expand: expanded });
          expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(500);
          expect([200, 400, 404, 422], JSON.stringify(reply.body)).toContain(reply.status);
          if (reply.status === 200) {
            const batch = reply.body as Batch;
            expect(batch.id).toBe(batchId);
            expect(spec.validateSchema("Batch", batch)).toEqual([]);
            expect(ref.api.store.organizationOf(batch.project_id)).toBe(key.organization_id);
            if (key.project_id !== null) expect(batch.project_id).toBe(key.project_id);
            const asked = !cancelling && expanded.length > 0;
            if (!asked) expect(batch.results).toBeNull();
          }
          if (reply.status === 400) {
            expect(cancelling).toBe(true);
            expect(FINAL_STATUSES).toContain(ref.api.store.get(batchId)?.status);
          }
        },
      ),
      fcOptions(200),
    );
  });
});
