// Canned pages and stub fetches shared by the benchmarks. The stubs accept both call shapes in use:
// `fetch(request)` (openapi-fetch) and `fetch(url, init)` (the official SDK).

export const BASE_URL = "http://bench.invalid";
export const API_KEY = "llx-bench-key";

export function makeBatch(i) {
  const n = i.toString(16).padStart(12, "0");
  return {
    id: `bat-3f1c9a52-7d4e-4b8a-9e21-${n}`,
    config: { job: { configuration_id: "cfg-8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", type: i % 2 ? "parse_v2" : "extract_v2" } },
    project_id: "9b2f1c3e-5a4d-4e8f-9c1b-2d3e4f5a6b7c",
    source_directory_id: "dir-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
    status: "COMPLETED",
    created_at: "2026-11-20T09:15:02.481Z",
    updated_at: "2026-11-20T09:21:47.003Z",
    results: null,
  };
}

const JSON_HEADERS = { "content-type": "application/json" };

/** A stub answering every request with the same final page. */
export function cannedFetch(pageSize = 20) {
  const body = JSON.stringify({ items: Array.from({ length: pageSize }, (_, i) => makeBatch(i)) });
  return async () => new Response(body, { status: 200, headers: JSON_HEADERS });
}

/** A stub serving `pages` pages of `perPage` items, chained by page_token. */
export function pagedFetch(pages, perPage) {
  const items = JSON.stringify(Array.from({ length: perPage }, (_, i) => makeBatch(i)));
  // Encoded up front: template strings are lazily flattened by V8 on first read, which would show up
  // as heap growth proportional to the page count in the memory measurement.
  const encoder = new TextEncoder();
  const bodies = Array.from({ length: pages }, (_, p) =>
    encoder.encode(p + 1 < pages ? `{"items":${items},"next_page_token":"p${p + 1}"}` : `{"items":${items}}`),
  );
  return async (input) => {
    const url = new URL(typeof input === "string" ? input : input.url);
    const token = url.searchParams.get("page_token");
    const index = token ? Number(token.slice(1)) : 0;
    return new Response(bodies[index], { status: 200, headers: JSON_HEADERS });
  };
}
