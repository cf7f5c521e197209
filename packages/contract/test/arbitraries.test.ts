import { compareInstants, getSpec, instantOf } from "@llama-batches/spec";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { instantArb, invalidInputs, invalidValues, validValue, withOffset } from "../src/arbitraries.js";
import type { Observed } from "../src/observe.js";
import { describeOperation } from "../src/operation.js";

const model = describeOperation();
const seed = Number(process.env.FAST_CHECK_SEED ?? 1);
const empty: Observed = {
  batches: [],
  complete: true,
  statuses: [],
  projectIds: [],
  directoryIds: [],
  timestamps: [],
  horizon: { seconds: 0, fraction: "" },
  horizonText: "1970-01-01T00:00:00Z",
  monotone: undefined,
};

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

  test("an instant written with any offset is the same instant, to the microsecond", () => {
    fc.assert(
      fc.property(
        instantArb().chain((at) => fc.tuple(fc.constant(at), withOffset(at))),
        ([at, text]) => {
          expect(compareInstants(instantOf(text), at)).toBe(0);
          expect(text).toMatch(/(Z|[+-]\d\d:\d\d)$/);
        },
      ),
      { seed },
    );
  });

  test("each invalid value says which rule it breaks: the public page's types, or a constraint decided here", () => {
    const rules = new Set(model.parameters.flatMap((p) => invalidInputs(p).map((v) => v.rule)));
    expect(rules).toEqual(new Set(["typed-input", "strict-input"]));
    for (const rule of rules) expect(getSpec().rule(rule).tier).toBe(rule === "typed-input" ? "documented" : "decided");
  });
});
