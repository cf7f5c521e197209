import { fc, test } from "@fast-check/vitest";
import { expect } from "vitest";
import { type Batch, createBatchesClient, type ListBatchesResponse } from "../src/index.js";
import { batch, json, TEST_KEY } from "./helpers/fake-fetch.js";

/**
 * Any finite sequence of pages a well-behaved server could send: each non-last page has a token
 * and at least one item (an empty page ends paging, like a missing token), tokens are distinct,
 * the last page has no token (absent, null or empty) and any number of items.
 */
const pagesArb = fc
  .tuple(
    fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 8 }),
    fc.integer({ min: 0, max: 5 }),
    fc.constantFrom<ListBatchesResponse["next_page_token"]>(undefined, null, ""),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([middleSizes, lastSize, lastToken, totalSize]) => {
    const pages: ListBatchesResponse[] = middleSizes.map((n, i) => ({
      items: Array.from({ length: n }, () => batch()),
      next_page_token: `tok-${i}`,
    }));
    const last: ListBatchesResponse = { items: Array.from({ length: lastSize }, () => batch()) };
    if (lastToken !== undefined) last.next_page_token = lastToken;
    pages.push(last);
    if (totalSize !== undefined) for (const p of pages) p.total_size = totalSize;
    return pages;
  });

test.prop([pagesArb], { numRuns: 200 })(
  "for await yields exactly the pages' items, in order, once each, with one request per page",
  async (pages) => {
    const byToken = new Map<string | null, ListBatchesResponse>(
      pages.map((p, i) => [i === 0 ? null : (pages[i - 1]?.next_page_token ?? null), p]),
    );
    let requests = 0;
    const fetch = async (request: Request) => {
      requests += 1;
      const body = byToken.get(new URL(request.url).searchParams.get("page_token"));
      return body ? json(body) : json({ detail: "unknown token" }, 400);
    };
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 0 });
    const seen: Batch[] = [];
    for await (const b of client.batches.list()) seen.push(b);
    expect(seen).toEqual(pages.flatMap((p) => p.items));
    expect(requests).toBe(pages.length);
  },
);
