/**
 * Live safety: the live API changes while the suite runs (batches are created, unfinished ones
 * finish). A writer does the same to the reference API during full-profile runs: a correct server
 * shows no violation over many seeds, and every fault is still caught with the writer active.
 */
import { runContract } from "@llama-batches/contract";
import { afterAll, describe, expect, test } from "vitest";
import { type FaultName, startReferenceApi } from "../src/index.js";
import { BREAKS, catches, orgKey, printTable } from "./mutation.js";
import { startWriter } from "./writer.js";

const base = Number(process.env.FAST_CHECK_SEED ?? 1);
const SEEDS = 20;
const RUNS = 10;

describe("while a writer creates batches and finishes unfinished ones", () => {
  test(`a correct server passes the full profile, strict, over ${SEEDS} seeds`, async () => {
    const api = await startReferenceApi({ seed: 4, size: 1_500 });
    const writer = startWriter(api, { everyMs: 2, seed: base });
    try {
      const problems: string[] = [];
      for (let i = 0; i < SEEDS; i++) {
        const report = await runContract({
          baseUrl: api.url,
          apiKey: orgKey(api),
          profile: "full",
          strict: true,
          runs: RUNS,
          seed: base + i,
          // Loopback: the write invariants run too (creates and cancels among the other writes).
          allowWrites: true,
        });
        problems.push(
          ...report.results.filter((r) => r.outcome !== "pass").map((r) => `seed ${base + i} ${r.id}: ${r.counterexample}\n${r.reason}`),
        );
      }
      console.log(`live safety: ${SEEDS} seeds, writer made ${writer.inserted} batches and ${writer.moved} status changes`);
      expect(problems).toEqual([]);
      expect(writer.inserted).toBeGreaterThan(100);
      expect(writer.moved).toBeGreaterThan(100);
    } finally {
      writer.stop();
      await api.stop();
    }
  });

  describe("the mutation table, writer active", () => {
    const caught = new Map<FaultName, string[]>();
    afterAll(() => printTable(`mutation table with the writer active (strict, 20 runs, seed ${base})`, caught));
    test.each(Object.keys(BREAKS) as FaultName[])("%s", async (fault) => {
      caught.set(
        fault,
        await catches(fault, { server: { seed: 4, size: 1_500 }, runs: 20, seed: base, during: (api) => startWriter(api, { seed: base }) }),
      );
    });
  });
});
