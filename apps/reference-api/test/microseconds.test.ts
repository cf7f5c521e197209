/**
 * Instants at the precision a Python backend sends: microseconds, several batches inside one
 * millisecond, written with `Z` and with `+00:00`. The reference API stores and orders them to the
 * microsecond; the suite judges them on the whole fraction.
 */
import { runContract } from "@llama-batches/contract";
import { compareDateTimes } from "@llama-batches/spec";
import { afterAll, describe, expect, test } from "vitest";
import { type FaultName, startReferenceApi } from "../src/index.js";
import { bearer, getList, type Page } from "./helpers.js";
import { BREAKS, catches, orgKey, printTable } from "./mutation.js";

const base = Number(process.env.FAST_CHECK_SEED ?? 1);
const SEEDS = 20;

describe.each(["Z", "+00:00"] as const)("microsecond data written with %s", (utc) => {
  const server = { seed: 6, size: 1_500, precision: "microseconds" as const, utc };

  test("the data has distinct instants inside one millisecond, and the server orders them to the microsecond", async () => {
    const api = await startReferenceApi(server);
    try {
      const all = api.store.all();
      const sameMs = all.filter((b, i) => {
        const next = all[i + 1];
        return next && b.created_at?.slice(0, 23) === next.created_at?.slice(0, 23) && b.created_at !== next.created_at;
      });
      expect(sameMs.length).toBeGreaterThan(20);
      expect(all.every((b) => b.created_at?.endsWith(utc))).toBe(true);
      const page = (await getList(api, bearer(orgKey(api) ?? ""), { page_size: "100" })).body as Page;
      for (let i = 1; i < page.items.length; i++) {
        expect(compareDateTimes(page.items[i - 1]?.created_at as string, page.items[i]?.created_at as string)).toBeGreaterThanOrEqual(0);
      }
    } finally {
      await api.stop();
    }
  });

  // Twenty full runs with writes: about 25 s alone, more when the whole suite shares two cores.
  test(`the full profile passes, strict, over ${SEEDS} seeds`, { timeout: 120_000 }, async () => {
    const api = await startReferenceApi(server);
    try {
      const problems: string[] = [];
      for (let i = 0; i < SEEDS; i++) {
        const report = await runContract({
          baseUrl: api.url,
          apiKey: orgKey(api),
          profile: "full",
          strict: true,
          runs: 10,
          seed: base + i,
          // Loopback: the write invariants run too (creates and cancels among the other writes).
          allowWrites: true,
        });
        problems.push(
          ...report.results.filter((r) => r.outcome !== "pass").map((r) => `seed ${base + i} ${r.id}: ${r.counterexample}\n${r.reason}`),
        );
      }
      expect(problems).toEqual([]);
    } finally {
      await api.stop();
    }
  });

  describe("the mutation table on microsecond data", () => {
    const caught = new Map<FaultName, string[]>();
    afterAll(() => printTable(`mutation table on microsecond data written with ${utc} (strict, 20 runs, seed ${base})`, caught));
    test.each(Object.keys(BREAKS) as FaultName[])("%s", async (fault) => {
      caught.set(fault, await catches(fault, { server, runs: 20, seed: base }));
    });
  });
});

describe("the reference API stores, orders and bounds at the microsecond, keeping created_at as given", () => {
  test("two batches inside one millisecond: newer first, and each is inside a bound at its own instant", async () => {
    const api = await startReferenceApi({ seed: 8, size: 20 });
    try {
      const [template] = api.store.all();
      if (!template) throw new Error("no data");
      const a = { ...template, id: "bat-a", created_at: "2030-01-01T00:00:00.123999Z" };
      const b = { ...template, id: "bat-b", created_at: "2030-01-01T00:00:00.123001+00:00" };
      api.store.insert(a);
      api.store.insert(b);
      const key = bearer(api.apiKeys.find((k) => k.project_id === template.project_id)?.key ?? "");
      const list = async (params: Record<string, string>) =>
        ((await getList(api, key, params)).body as Page).items.map((x) => [x.id, x.created_at]);
      expect(await list({ created_at_on_or_after: "2030-01-01T00:00:00Z" })).toEqual([
        ["bat-a", a.created_at],
        ["bat-b", b.created_at],
      ]);
      expect(await list({ created_at_on_or_after: a.created_at })).toEqual([["bat-a", a.created_at]]);
      expect(await list({ created_at_on_or_after: b.created_at, created_at_on_or_before: b.created_at })).toEqual([
        ["bat-b", b.created_at],
      ]);
      // A bound between them, written with more digits and another offset.
      expect(await list({ created_at_on_or_after: "2030-01-01T01:00:00.1230015+01:00" })).toEqual([["bat-a", a.created_at]]);
      expect(
        await list({ created_at_on_or_after: "2030-01-01T00:00:00Z", created_at_on_or_before: "2030-01-01T00:00:00.1239989Z" }),
      ).toEqual([["bat-b", b.created_at]]);
    } finally {
      await api.stop();
    }
  });
});
