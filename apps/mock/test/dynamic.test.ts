import type { ListBatchesResponse } from "@llama-batches/client";
import { getSpec } from "@llama-batches/spec";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RunningMock, startMock } from "../src/index.js";

const validate = (schema: string, value: unknown) => getSpec().validateSchema(schema, value);
const auth = { authorization: "Bearer test" };
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

let mock: RunningMock;
beforeAll(async () => {
  mock = await startMock({ dynamic: true });
});
afterAll(() => mock?.stop());

async function page(url: string): Promise<ListBatchesResponse> {
  const res = await fetch(`${url}/api/v2/batches`, { headers: auth });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return (await res.json()) as ListBatchesResponse;
}

describe("dynamic mode", () => {
  test("300 generated responses all validate against the spec, with realistic values", async () => {
    const pages: ListBatchesResponse[] = [];
    for (let i = 0; i < 30; i++) pages.push(...(await Promise.all(Array.from({ length: 10 }, () => page(mock.url)))));
    const problems = pages.flatMap((p, i) => validate("BatchListResponse", p).map((e) => `response ${i}: ${e}`));
    expect(problems).toEqual([]);

    const batches = pages.flatMap((p) => p.items);
    expect(batches.length).toBeGreaterThan(100);
    for (const b of batches) {
      expect(b.id).toMatch(new RegExp(`^bat-${UUID}$`));
      expect(b.project_id).toMatch(new RegExp(`^${UUID}$`));
      expect(b.source_directory_id).toMatch(new RegExp(`^dir-${UUID}$`));
      expect(b.config.job.configuration_id).toMatch(new RegExp(`^cfg-${UUID}$`));
      expect(
        Object.keys(b).every((k) =>
          ["id", "config", "project_id", "source_directory_id", "status", "created_at", "updated_at", "results"].includes(k),
        ),
      ).toBe(true);
      for (const r of b.results ?? []) {
        expect(r.source_directory_file_id).toMatch(new RegExp(`^dfl-${UUID}$`));
        if (r.job_reference) expect(r.job_reference.id).toMatch(new RegExp(`^pjb-${UUID}$`));
      }
    }
    for (const p of pages) if (p.total_size != null) expect(p.total_size).toBeGreaterThanOrEqual(0);
    // Variety, not one canned object: every status shows up across 300 pages.
    expect(new Set(batches.map((b) => b.status)).size).toBe(6);
  });

  test("the same seed gives the same data, another seed other data", async () => {
    const [a, b, c] = await Promise.all([
      startMock({ dynamic: true, seed: 42 }),
      startMock({ dynamic: true, seed: 42 }),
      startMock({ dynamic: true, seed: 43 }),
    ]);
    try {
      const [pa, pb, pc] = await Promise.all([page(a.url), page(b.url), page(c.url)]);
      expect(pa).toEqual(pb);
      expect(pa).not.toEqual(pc);
      expect(validate("BatchListResponse", pa)).toEqual([]);
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });
});
