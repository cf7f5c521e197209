import { expect, test } from "vitest";
import { createBatchesClient, type ListBatchesParams } from "../src/index.js";
import { fakeFetch, json, page, TEST_KEY } from "./helpers/fake-fetch.js";

test("serializes every query parameter of the spec exactly once", async () => {
  const query: Required<ListBatchesParams> = {
    created_at_on_or_after: "2026-01-01T00:00:00+02:00",
    created_at_on_or_before: "2026-12-31T23:59:59.999Z",
    organization_id: "0b6f5c1e-1111-4a4a-8b8b-000000000001",
    project_id: "9b2f1c3e-5a4d-4e8f-9c1b-2d3e4f5a6b7c",
    page_size: 37,
    page_token: "tok/with+special=chars&x",
    source_directory_id: "dir-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
    status: "CANCELLED",
  };
  const { fetch, calls } = fakeFetch(json(page([])));
  await createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list(query);
  const sent = calls[0]?.url.searchParams;
  expect(calls[0]?.method).toBe("GET");
  expect(calls[0]?.url.pathname).toBe("/api/v2/batches");
  expect(Object.fromEntries(sent ?? [])).toEqual({ ...query, page_size: "37" });
  expect([...(sent?.keys() ?? [])]).toHaveLength(Object.keys(query).length);
});

test("sends no query string when no parameter is given", async () => {
  const { fetch, calls } = fakeFetch(json(page([])));
  await createBatchesClient({ apiKey: TEST_KEY, fetch }).batches.list();
  expect(calls[0]?.url.search).toBe("");
});
