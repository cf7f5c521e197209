import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { formatWithOffset, invalidValues, validValue } from "../src/arbitraries.js";
import type { Observed } from "../src/observe.js";
import { describeOperation } from "../src/operation.js";
import { loadSpec } from "../src/spec.js";

const model = describeOperation(loadSpec());
const ajv = new Ajv2020({ strict: false });
addFormats.default(ajv);
const seed = Number(process.env.FAST_CHECK_SEED ?? 1);
const empty: Observed = { batches: [], complete: true, statuses: [], projectIds: [], directoryIds: [], timestamps: [] };

/** The parameter's schema, as a standalone JSON Schema, to check generated values against. */
function schemaOf(name: string) {
  const p = model.parameters.find((x) => x.name === name);
  if (!p) throw new Error(name);
  const { name: _, ...schema } = p;
  return ajv.compile(schema);
}
const coerce = (type: string, v: string | number) => (type === "integer" && /^[+-]?\d+$/.test(String(v)) ? Number(v) : v);

describe("arbitraries derived from the spec", () => {
  test("the operation model reads the spec: parameters, statuses, page size", () => {
    expect(model.parameters.map((p) => p.name).sort()).toEqual(
      ["created_at_on_or_after", "created_at_on_or_before", "organization_id", "page_size", "page_token", "project_id", "source_directory_id", "status"].sort(),
    );
    expect(model.statuses.sort()).toEqual([200, 401, 422, 429]);
    expect(model.pageSize).toEqual({ default: 20, maximum: 100 });
    expect(model.responseSchemas.get(200)).toBe("BatchListResponse");
  });

  test.each(model.parameters.map((p) => [p.name, p] as const))("valid values of %s pass its schema", (name, p) => {
    const validate = schemaOf(name);
    fc.assert(
      fc.property(validValue(p, empty), (v) => {
        expect(validate(coerce(p.type, v)), `${name}=${v}`).toBe(true);
      }),
      { seed, numRuns: 200 },
    );
  });

  test.each(model.parameters.filter((p) => invalidValues(p).length > 0).map((p) => [p.name, p] as const))(
    "invalid values of %s fail its schema",
    (name, p) => {
      const validate = schemaOf(name);
      for (const v of invalidValues(p)) expect(validate(coerce(p.type, v)), `${name}=${v}`).toBe(false);
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
