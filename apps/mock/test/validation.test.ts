import { getSpec } from "@llama-batches/spec";
import { describe, expect, inject, test } from "vitest";

const mock = { url: inject("mockUrl") };

const get = (query: string, headers: Record<string, string> = { authorization: "Bearer test" }) =>
  fetch(`${mock.url}/api/v2/batches${query}`, { headers });

describe("auth", () => {
  test.each([
    ["no credentials", {}],
    ["a non-bearer scheme", { authorization: "Token abc" }],
    ["a bearer without token", { authorization: "Bearer" }],
    ["basic auth", { authorization: "Basic dXNlcjpwYXNz" }],
  ])("%s → 401 with a JSON body", async (_name, headers) => {
    const res = await get("", headers);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: expect.any(String) });
  });

  test("the session cookie is accepted instead of a bearer", async () => {
    expect((await get("", { cookie: "session=abc" })).status).toBe(200);
  });
});

test("page_size above the maximum is served (the reference API serves it as the maximum; the mock's pages are its examples)", async () => {
  const { maximum } = getSpec().operation("listBatches").pageSize ?? { maximum: 0 };
  expect((await get(`?page_size=${maximum + 1}`)).status).toBe(200);
});

describe("invalid input → 422 naming the parameter, never 5xx", () => {
  test.each([
    ["status", "BOGUS"],
    ["status", "running"],
    ["page_size", "ten"],
    ["page_size", "1.5"],
    ["page_size", "0"],
    ["page_size", "-3"],
    ["created_at_on_or_after", "yesterday"],
    ["created_at_on_or_before", "2026-13-01T00:00:00Z"],
    ["created_at_on_or_after", "2026-01-01"],
    ["project_id", "not-a-uuid"],
    ["organization_id", "1234"],
    // Empty values: Prism alone would take them for absent parameters.
    ["status", ""],
    ["page_size", ""],
    ["page_token", ""],
    ["created_at_on_or_before", ""],
    ["project_id", ""],
  ])("%s=%s", async (param, value) => {
    const res = await get(`?${param}=${encodeURIComponent(value)}`);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { detail: { loc: unknown[]; msg: string; type: string }[] };
    expect(body.detail).toEqual([
      expect.objectContaining({ loc: ["query", param], msg: expect.any(String), type: expect.any(String), input: value }),
    ]);
  });

  test("several bad parameters are all named", async () => {
    const res = await get("?status=nope&page_size=x");
    expect(res.status).toBe(422);
    const { detail } = (await res.json()) as { detail: { loc: unknown[] }[] };
    expect(detail.map((d) => d.loc[1]).sort()).toEqual(["page_size", "status"]);
  });

  test("valid input in combination, and unknown parameters, are accepted", async () => {
    const q =
      "?status=FAILED&page_size=100&page_token=abc&project_id=9b2f1c3e-5a4d-4e8f-9c1b-2d3e4f5a6b7c" +
      "&organization_id=0b6f5c1e-1111-4a4a-8b8b-000000000001&source_directory_id=dir-x" +
      "&created_at_on_or_after=2026-01-01T00:00:00%2B02:00&created_at_on_or_before=2026-12-31T23:59:59Z&foo=bar";
    expect((await get(q)).status).toBe(200);
  });
});
