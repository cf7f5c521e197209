/**
 * The mock and the reference API refuse the same malformed queries with the same FastAPI body:
 * every parameter the spec declares, several wrong values each (from the contract suite's own
 * invalid values, plus empty and repeated ones), then arbitrary junk under fast-check.
 */
import { invalidValues } from "@llama-batches/contract";
import { type RunningMock, startMock } from "@llama-batches/mock";
import { getSpec } from "@llama-batches/spec";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RunningReferenceApi, startReferenceApi } from "../src/index.js";
import { fcOptions } from "./helpers.js";

const list = getSpec().operation("listBatches");
let mock: RunningMock;
let reference: RunningReferenceApi;
let key: string;

beforeAll(async () => {
  [mock, reference] = await Promise.all([startMock(), startReferenceApi({ seed: 2, size: 50 })]);
  key = reference.apiKeys[0]?.key ?? "";
});
afterAll(async () => {
  await Promise.all([mock?.stop(), reference?.stop()]);
});

async function both(query: string): Promise<[{ status: number; body: unknown }, { status: number; body: unknown }]> {
  const get = async (base: string, token: string) => {
    const res = await fetch(`${base}/api/v2/batches?${query}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json() };
  };
  return Promise.all([get(mock.url, "test"), get(reference.url, key)]);
}

const cases = list.query.flatMap((p) => [...invalidValues(p), "", " ", "%00"].map((value) => [p.name, value] as const));

describe("mock and reference API: the same 422 for the same malformed query", () => {
  test("every parameter has several wrong values here", () => {
    for (const p of list.query) expect(cases.filter(([name]) => name === p.name).length, p.name).toBeGreaterThanOrEqual(3);
  });

  test.each(cases)("%s=%j", async (name, value) => {
    const query = new URLSearchParams({ [name]: value }).toString();
    const [fromMock, fromReference] = await both(query);
    const expected = getSpec().parseQuery(list.id, new URLSearchParams(query));
    if (expected.ok) {
      // Valid for the schema (a free-form string): the mock serves it; only the reference API knows
      // which page tokens it minted, so it may refuse a token, and nothing else.
      expect(fromMock.status).toBe(200);
      expect(fromReference.status).toBe(name === "page_token" ? 422 : 200);
      return;
    }
    expect(fromMock).toEqual({ status: 422, body: { detail: expected.issues } });
    expect(fromReference).toEqual(fromMock);
  });

  test("several bad parameters at once, repeated parameters, and names in another case", async () => {
    const cases = {
      "status=nope&page_size=x&project_id=1": 422,
      "page_size=abc&page_size=3": 200,
      "page_size=3&page_size=abc": 422,
      "Page_Size=500&STATUS=x": 200,
    };
    for (const [query, status] of Object.entries(cases)) {
      const [fromMock, fromReference] = await both(query);
      expect([query, fromMock.status, fromReference.status]).toEqual([query, status, status]);
      if (status === 422) expect(fromMock.body).toEqual(fromReference.body);
    }
  });

  test("arbitrary junk in every parameter: whatever the spec refuses, both refuse with the same body", async () => {
    const names = list.query.map((p) => p.name);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...names), fc.string({ unit: "binary", maxLength: 12 })), { minLength: 1, maxLength: 3 }),
        async (pairs) => {
          const query = new URLSearchParams(pairs).toString();
          const [fromMock, fromReference] = await both(query);
          if (getSpec().parseQuery(list.id, new URLSearchParams(query)).ok) {
            expect(fromMock.status).toBe(200);
          } else {
            expect(fromMock.status).toBe(422);
            expect(fromReference).toEqual(fromMock);
          }
        },
      ),
      fcOptions(150),
    );
  });
});
