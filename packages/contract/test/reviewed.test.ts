/**
 * Verdicts on servers we did not write: creates meant to succeed carry no drawn webhook fields
 * when ids are pinned, C4 leaves `expand` to G4, a capped write invariant is not shrunk, a create
 * that times out is an error (and its batch is found and cancelled), G1 and G5 judge one half of
 * the results rule each, and W8 waits a moment for a lagging index.
 */
import { getSpec } from "@llama-batches/spec";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { invalidGet } from "../src/calls.js";
import { type Cleanup, runContract } from "../src/index.js";
import type { Context } from "../src/invariants/support.js";
import { specServer, storeServer } from "./servers.js";

const seed = Number(process.env.FAST_CHECK_SEED ?? 1);
const spec = getSpec();
const IDS = { sourceDirectoryId: "dir-live-existing", configurationId: "cfg-PARSE_AGENTIC", jobType: "parse_v2" } as const;
const example = (op: string, name?: string) => {
  const all = spec.responseExamples(op, 200);
  return (name ? all[name] : Object.values(all)[0])?.value as Record<string, unknown>;
};

test("C4 never draws expand: an unknown expand value is the decided rule expand-values, G4's", () => {
  const ctx = { spec, observed: { batches: [] } } as unknown as Context;
  const drawn = fc.sample(invalidGet(ctx, "typed-input"), { seed, numRuns: 500 });
  expect(drawn.filter((d) => d.param === "expand" || "expand" in (d.call.query ?? {}))).toEqual([]);
  expect(new Set(drawn.map((d) => d.param)).size).toBeGreaterThan(0);
});

describe("a create that times out", () => {
  test("is an error of the run, not a violation; the cleanup finds its batch in the pinned directory and cancels it, and only it", async () => {
    const now = Date.now();
    const mine = {
      ...example("createBatch"),
      source_directory_id: IDS.sourceDirectoryId,
      config: { job: { configuration_id: IDS.configurationId, type: IDS.jobType } },
    };
    // There before the run, not final, in the pinned directory, inside the margin: never touched.
    const before = [
      { ...mine, id: "bat-before-same-dir", status: "RUNNING", created_at: new Date(now - 10_000).toISOString() },
      { ...mine, id: "bat-before-other-dir", source_directory_id: "dir-other", status: "PENDING", created_at: new Date(now).toISOString() },
    ];
    const store = await storeServer({ batches: structuredClone(before), delayCreates: 1, delayMs: 1_500 });
    try {
      const error = (await runContract({
        baseUrl: store.url,
        apiKey: "k",
        only: ["W5"],
        runs: 5,
        seed,
        allowWrites: true,
        timeoutMs: 400,
        ...IDS,
      }).catch((e: unknown) => e)) as Error & { cleanup?: Cleanup };
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe("Unreachable");
      expect(error.message).toMatch(/^POST .*\/api\/v2\/batches failed/);
      // The create reached the server: its batch was made, no answer named it.
      const made = [...store.batches.values()].filter((b) => !before.some((p) => p.id === b.id));
      expect(made.length).toBe(1);
      expect(error.cleanup?.created).toBe(0);
      expect(error.cleanup?.recovered).toBe(1);
      expect(made.map((b) => b.status)).toEqual(["CANCELLED"]);
      for (const b of before) expect(store.batches.get(b.id)?.status).toBe(b.status);
      // Nothing was sent after the timeout but the cleanup: no shrinking of a timeout into a verdict.
      const creates = store.requests.filter((r) => r.method === "POST" && /\/batches(\?|$)/.test(r.url));
      expect(creates.length).toBe(1);
    } finally {
      await store.stop();
    }
  });

  test("when someone else creates in the pinned directory meanwhile, nothing is cancelled: the candidates are listed", async () => {
    const store = await storeServer({ delayCreates: 1, delayMs: 1_500 });
    const foreign = {
      ...example("createBatch"),
      id: "bat-someone-else",
      source_directory_id: IDS.sourceDirectoryId,
      config: { job: { configuration_id: IDS.configurationId, type: IDS.jobType } },
      status: "PENDING",
    };
    // Someone else's create lands in the same directory while the run's create is unanswered.
    const fetch: typeof globalThis.fetch = (input, init) => {
      if (init?.method === "POST" && !store.batches.has(foreign.id)) {
        store.batches.set(foreign.id, { ...foreign, created_at: new Date().toISOString() });
      }
      return globalThis.fetch(input, init);
    };
    try {
      const error = (await runContract({
        baseUrl: store.url,
        apiKey: "k",
        only: ["W5"],
        runs: 5,
        seed,
        allowWrites: true,
        timeoutMs: 400,
        fetch,
        ...IDS,
      }).catch((e: unknown) => e)) as Error & { cleanup?: Cleanup };
      expect(error.name).toBe("Unreachable");
      expect(error.cleanup?.recovered).toBe(0);
      expect(error.cleanup?.failures.join("\n")).toMatch(/not cancelled, since they cannot be told from others' batches/);
      expect(store.batches.get(foreign.id)?.status).toBe("PENDING");
      const cancels = store.requests.filter((r) => r.method === "POST" && /\/cancel(\?|$)/.test(r.url));
      expect(cancels).toEqual([]);
    } finally {
      await store.stop();
    }
  });

  test("while shrinking a violation, it counts as holding: the violation is reported, with its counterexample", async () => {
    // 201 (create-status broken); the second create (the first shrink step) times out.
    const store = await storeServer({ createStatus: 201 });
    const late = await storeServer({ createStatus: 201, delayCreates: 2, delayMs: 1_500 });
    try {
      let sent = 0;
      // The first create goes to `store` (a 201 at once), the next to `late` (answered past the timeout).
      const fetch: typeof globalThis.fetch = (input, init) => {
        const url = String(input);
        const isCreate = init?.method === "POST" && /\/batches(\?|$)/.test(url);
        if (isCreate) sent += 1;
        return globalThis.fetch(isCreate && sent === 2 ? url.replace(store.url, late.url) : url, init);
      };
      const report = await runContract({
        baseUrl: store.url,
        apiKey: "k",
        only: ["W5"],
        runs: 5,
        seed,
        strict: true,
        allowWrites: true,
        timeoutMs: 400,
        fetch,
      });
      expect(report.results.map((r) => [r.id, r.outcome])).toEqual([["W5", "fail"]]);
      expect(report.results[0]?.reason).toMatch(/^a valid create was not a 200\nPOST .* → 201/);
      expect(report.results[0]?.counterexample).toBeTruthy();
      expect(sent).toBeGreaterThanOrEqual(2);
    } finally {
      await store.stop();
      await late.stop();
    }
  });
});

describe("W8 and a lagging index", () => {
  test("a batch that is read and listed only a second after its create holds", async () => {
    const store = await storeServer({ lagMs: 1_000 });
    try {
      const report = await runContract({ baseUrl: store.url, apiKey: "k", only: ["W8"], runs: 3, seed, strict: true, allowWrites: true });
      expect(report.results.map((r) => [r.id, r.outcome, r.reason])).toEqual([["W8", "pass", undefined]]);
    } finally {
      await store.stop();
    }
  });

  test("a batch never readable fails after the tries, at the first counterexample under a write cap", async () => {
    const store = await storeServer({ lagMs: Number.POSITIVE_INFINITY });
    try {
      const t0 = Date.now();
      const report = await runContract({
        baseUrl: store.url,
        apiKey: "k",
        only: ["W8"],
        runs: 3,
        seed,
        allowWrites: true,
        maxWrites: 5,
      });
      expect(report.results.map((r) => [r.id, r.outcome])).toEqual([["W8", "fail"]]);
      expect(report.results[0]?.reason).toMatch(/cannot be read by its id \(5 tries over ~3 s\)/);
      // Five reads of it, then the violation; no shrinking under the cap: one create.
      const run = store.requests.slice(0, store.requests.length - (report.cleanup?.requests ?? 0));
      expect(run.filter((r) => r.method === "GET" && /\/batches\/bat-/.test(r.url)).length).toBe(5);
      expect(report.writes).toBe(1);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(2_900);
    } finally {
      await store.stop();
    }
  }, 20_000);
});

describe("G1 and G5: the two halves of the results rules", () => {
  const completed = example("getBatch", "completed-with-results");

  test("G5 is a SKIP with the reason when the list shows no COMPLETED batch", async () => {
    const server = await specServer({ items: [] });
    try {
      const report = await runContract({ baseUrl: server.url, apiKey: "k", only: ["G5"], runs: 3, seed });
      expect(report.results.map((r) => [r.id, r.outcome])).toEqual([["G5", "skip"]]);
      expect(report.results[0]?.reason).toMatch(/^needs a batch in status COMPLETED/);
      expect(server.requests.some((r) => /status=COMPLETED/.test(r.url))).toBe(true);
    } finally {
      await server.stop();
    }
  });

  test("a COMPLETED batch whose expanded read has results: null breaks G5 (decided), not G1 (documented)", async () => {
    expect(completed?.status).toBe("COMPLETED");
    const store = await storeServer({ batches: [{ ...completed, results: null }] });
    try {
      const report = await runContract({ baseUrl: store.url, apiKey: "k", only: ["G1", "G5"], runs: 3, seed });
      expect(report.results.map((r) => [r.id, r.tier, r.outcome])).toEqual([
        ["G1", "documented", "pass"],
        ["G5", "decided", "drift"],
      ]);
      expect(report.results[1]?.rule).toBe("results-on-expand");
      expect(report.results[1]?.reason).toMatch(/^a COMPLETED batch read with expand=results has no results array/);
      expect(report.ok).toBe(true);
    } finally {
      await store.stop();
    }
  });

  test("results filled in without expand break G1 only", async () => {
    const store = await storeServer({ batches: [completed] });
    try {
      const report = await runContract({ baseUrl: store.url, apiKey: "k", only: ["G1", "G5"], runs: 3, seed });
      expect(report.results.map((r) => [r.id, r.outcome])).toEqual([
        ["G1", "fail"],
        ["G5", "pass"],
      ]);
      expect(report.results[0]?.reason).toMatch(/^results is filled in without expand=results/);
    } finally {
      await store.stop();
    }
  });
});
