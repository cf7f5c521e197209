/**
 * The contract suite with writes allowed, against the reference API: the clean server holds every
 * invariant strictly (creates and cancels included), and each fault mode of create, retrieve and
 * cancel is caught by an invariant it breaks by design. Without --allow-writes, nothing is written.
 * After a run with writes, no batch it created is left to run on, and no other batch is touched.
 */
import { INVARIANTS, runContract, table, WRITES_NOT_ALLOWED } from "@llama-batches/contract";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FAULTS, type FaultName, type RunningReferenceApi, startReferenceApi } from "../src/index.js";
import { catches, OPERATION_FAULTS, orgKey, printTable, WRITE_BREAKS } from "./mutation.js";

const seed = Number(process.env.FAST_CHECK_SEED ?? 1);
const RUNS = 20;
const SERVER = { seed: 3, size: 2_000 } as const;
const WRITERS = INVARIANTS.filter((i) => i.writes).map((i) => i.id);

/** The full profile, strict, writes allowed, with the organization-wide key unless `options` say otherwise. */
const runWrites = (api: RunningReferenceApi, options: Partial<Parameters<typeof runContract>[0]> = {}) =>
  runContract({ baseUrl: api.url, apiKey: orgKey(api), profile: "full", strict: true, runs: RUNS, seed, allowWrites: true, ...options });

const notPassed = (report: Awaited<ReturnType<typeof runContract>>) =>
  report.results.filter((r) => r.outcome !== "pass").map((r) => `${r.id} ${r.outcome}: ${r.reason}`);

describe("the full profile with writes allowed, strict, against the clean reference API", () => {
  let api: RunningReferenceApi;
  beforeAll(async () => {
    api = await startReferenceApi(SERVER);
  });
  afterAll(() => api?.stop());

  test.each([
    ["an organization-wide key", (a: RunningReferenceApi) => a.apiKeys.find((k) => k.project_id === null)],
    ["a project key", (a: RunningReferenceApi) => a.apiKeys.find((k) => k.project_id !== null)],
  ])("holds with %s, every write invariant judged", async (name, pick) => {
    const report = await runWrites(api, { apiKey: pick(api)?.key });
    console.log(
      `full profile, writes allowed, vs reference API (${name}): ${report.requests} requests, ${report.writes} writes\n${table(report)}`,
    );
    expect(notPassed(report)).toEqual([]);
    expect(report.results.filter((r) => WRITERS.includes(r.id)).map((r) => r.id)).toEqual(WRITERS);
    expect(report.writes).toBeGreaterThan(0);
  });

  test("holds with the ids of a live run: every create meant to succeed in one existing directory and configuration", async () => {
    // A directory that already holds batches (W8 must find its batch among them), and a preset.
    const directory = api.store.all()[0]?.source_directory_id as string;
    const ids = { sourceDirectoryId: directory, configurationId: "cfg-PARSE_AGENTIC", jobType: "parse_v2" };
    const before = new Set(api.store.all().map((b) => b.id));
    const report = await runWrites(api, ids);
    expect(notPassed(report)).toEqual([]);
    expect(report.results.filter((r) => WRITERS.includes(r.id)).map((r) => r.id)).toEqual(WRITERS);
    // Every batch the run made (only creates meant to succeed make one here) is made from the ids.
    const made = api.store.all().filter((b) => !before.has(b.id));
    expect(made.length).toBe(report.cleanup?.created);
    expect(made.length).toBeGreaterThan(0);
    expect(new Set(made.map((b) => `${b.source_directory_id} ${b.config.job.configuration_id} ${b.config.job.type}`))).toEqual(
      new Set([`${directory} ${ids.configurationId} ${ids.jobType}`]),
    );
  });

  test("without --allow-writes nothing is written: every write invariant is a SKIP that says why", async () => {
    const before = api.store.all().length;
    const report = await runContract({ baseUrl: api.url, apiKey: orgKey(api), profile: "full", strict: true, runs: 3, seed });
    expect(report.writes).toBe(0);
    expect(api.store.all().length).toBe(before);
    expect(report.results.filter((r) => r.outcome !== "pass").map((r) => [r.id, r.outcome, r.reason])).toEqual(
      WRITERS.map((id) => [id, "skip", WRITES_NOT_ALLOWED]),
    );
  });

  test("--max-writes caps what the run writes on the server", async () => {
    const before = api.store.all().length;
    const report = await runContract({
      baseUrl: api.url,
      apiKey: orgKey(api),
      profile: "full",
      runs: RUNS,
      seed,
      allowWrites: true,
      maxWrites: 3,
    });
    expect(report.writes).toBeLessThanOrEqual(3);
    expect(api.store.all().length - before).toBeLessThanOrEqual(3);
    expect(report.results.some((r) => r.outcome === "skip" && r.reason === "write budget exhausted")).toBe(true);
  });
});

describe("cleanup: a run with writes leaves no batch it created running, and touches no other", () => {
  let api: RunningReferenceApi;
  beforeAll(async () => {
    api = await startReferenceApi(SERVER);
  });
  afterAll(() => api?.stop());

  /** Every batch of the store, as JSON, by id: what the run must leave as it was. */
  const snapshot = () => new Map(api.store.all().map((b) => [b.id, JSON.stringify(b)]));

  test.each([
    ["the full profile", {}],
    ["a write budget that runs out", { maxWrites: 12 }],
  ])("%s: each created batch is CANCELLED at the next step; the others are untouched", async (_name, cap) => {
    const before = snapshot();
    const nonFinalBefore = api.store.all().filter((b) => !["COMPLETED", "FAILED", "CANCELLED"].includes(b.status)).length;
    expect(nonFinalBefore, "the data has batches the suite must not cancel").toBeGreaterThan(0);
    const report = await runWrites(api, cap);
    expect(report.results.filter((r) => r.outcome === "fail").map((r) => r.id)).toEqual([]);
    const made = api.store.all().filter((b) => !before.has(b.id));
    expect(made.length).toBeGreaterThan(0);
    const cleanup = report.cleanup;
    expect(cleanup?.created).toBe(made.length);
    expect([cleanup?.failed, cleanup?.alreadyFinal]).toEqual([0, 0]);
    expect((cleanup?.cancelled ?? 0) + (cleanup?.cancelledByInvariants ?? 0)).toBe(made.length);
    expect(cleanup?.cancelled).toBeGreaterThan(0);
    // Cancel answers at once; the batch becomes CANCELLED at the next step (nothing moves without one).
    expect(new Set(made.map((b) => api.store.get(b.id)?.status))).toEqual(new Set(["PENDING"]));
    api.step();
    expect(made.map((b) => [b.id, api.store.get(b.id)?.status])).toEqual(made.map((b) => [b.id, "CANCELLED"]));
    // Batches that were there before the run are as they were, the non-final ones included.
    const after = snapshot();
    for (const [id, json] of before) expect(after.get(id), id).toBe(json);
    if ("maxWrites" in cap) {
      expect(report.writes).toBeLessThanOrEqual(cap.maxWrites);
      expect(report.results.some((r) => r.reason === "write budget exhausted")).toBe(true);
    }
  });
});

describe("mutation table of create, retrieve and cancel: every fault is caught, on an invariant it breaks", () => {
  const caught = new Map<FaultName, string[]>();
  afterAll(() => printTable(`mutation table (full profile, strict, writes allowed, ${RUNS} runs per invariant, seed ${seed})`, caught));

  test("every fault of those operations has an expectation here, and is a fault of the server", () => {
    expect(Object.keys(WRITE_BREAKS).sort()).toEqual([...OPERATION_FAULTS].sort());
    for (const fault of OPERATION_FAULTS) expect(Object.keys(FAULTS)).toContain(fault);
  });

  test.each(Object.keys(WRITE_BREAKS) as (keyof typeof WRITE_BREAKS)[])("%s", async (fault) => {
    caught.set(fault, await catches(fault, { server: SERVER, runs: RUNS, seed, allowWrites: true }));
  });
});
