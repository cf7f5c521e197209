import { getSpec } from "@llama-batches/spec";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { formatWithOffset, invalidValues, validValue } from "../src/arbitraries.js";
import type { Observed } from "../src/observe.js";
import { describeOperation } from "../src/operation.js";

const model = describeOperation();
const seed = Number(process.env.FAST_CHECK_SEED ?? 1);
const empty: Observed = { batches: [], complete: true, statuses: [], projectIds: [], directoryIds: [], timestamps: [] };

/** Whether the spec's own query parser (the one both servers use) accepts `name=value`. */
const accepted = (name: string, value: string | number) =>
  getSpec().parseQuery("listBatches", new URLSearchParams({ [name]: String(value) })).ok;

describe("arbitraries derived from the spec", () => {
  test("the suite's model is the spec package's operation model", () => {
    const op = getSpec().operation("listBatches");
    expect(model.parameters).toEqual(op.query);
    expect(model.statuses).toEqual(op.statuses);
    expect(model.pageSize).toEqual(op.pageSize);
    expect(model.responseSchemas.get(200)).toBe("BatchListResponse");
  });

  test.each(model.parameters.map((p) => [p.name, p] as const))("valid values of %s pass its schema", (name, p) => {
    fc.assert(
      fc.property(validValue(p, empty), (v) => {
        expect(accepted(name, v), `${name}=${v}`).toBe(true);
      }),
      { seed, numRuns: 200 },
    );
  });

  test.each(model.parameters.filter((p) => invalidValues(p).length > 0).map((p) => [p.name, p] as const))(
    "invalid values of %s fail its schema",
    (name, p) => {
      for (const v of invalidValues(p)) expect(accepted(name, v), `${name}=${v}`).toBe(false);
    },
  );

  test("an instant written with any offset is the same instant", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: -48, max: 56 }), (ms, q) => {
        const text = formatWithOffset(ms, q * 15);
        expect(Date.parse(text)).toBe(ms);
        expect(text).toMatch(/(Z|[+-]\d\d:\d\d)$/);
      }),
      { seed },
    );
  });
});
