import { getSpec } from "@llama-batches/spec";
import fc from "fast-check";
import { expect, inject, test } from "vitest";

// The spec's parameters, and one it does not declare on this operation.
const PARAMS = [
  ...getSpec()
    .operation("listBatches")
    .query.map((p) => p.name),
  "expand",
];

const mock = { url: inject("mockUrl") };

/** Query strings mixing real and unknown parameters with arbitrary (often hostile) values. */
const queryArb = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...PARAMS), fc.string()),
      fc.oneof(
        fc.string(),
        fc.string({ unit: "binary" }),
        fc.integer().map(String),
        fc.constantFrom("", "%", "%zz", "null", "[]", "1e309", "-0"),
      ),
    ),
    {
      maxLength: 6,
    },
  )
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&"));

test("malformed input never gets a 5xx: 200, or 4xx with a JSON body", async () => {
  const seed = Number(process.env.FAST_CHECK_SEED ?? Date.now() % 2 ** 31);
  await fc.assert(
    fc.asyncProperty(queryArb, fc.boolean(), async (query, authed) => {
      const res = await fetch(`${mock.url}/api/v2/batches?${query}`, {
        headers: authed ? { authorization: "Bearer t" } : {},
      });
      const body = await res.text();
      expect(res.status, body).toBeLessThan(500);
      if (res.status >= 400) expect(() => JSON.parse(body)).not.toThrow();
      if (res.status === 422) expect(JSON.parse(body).detail[0].loc[0]).toBe("query");
    }),
    { numRuns: 200, seed },
  );
});
