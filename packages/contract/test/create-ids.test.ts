/**
 * Live write runs: the creates meant to succeed are made from the existing resources the run is
 * given (`--source-directory-id`, `--configuration-id`, `--job-type`), a non-loopback target needs
 * them, and the batches the run created are cancelled after it, and only those.
 */
import { getSpec } from "@llama-batches/spec";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createIdsProblem, runContract, WEBHOOK_FIELDS, withCreateIds } from "../src/index.js";
import { type Recorded, specServer, type TestServer } from "./servers.js";

const seed = Number(process.env.FAST_CHECK_SEED ?? 1);
const spec = getSpec();
const IDS = { sourceDirectoryId: "dir-live-existing", configurationId: "cfg-PARSE_AGENTIC", jobType: "parse_v2" } as const;
/** The write invariants whose creates are meant to succeed, and that this stateless server can honour. */
const SUCCEEDING = ["W1", "W2", "W4", "W5", "W6", "W9", "W10", "W11"];

interface CreateBody {
  source_directory_id?: unknown;
  config?: { job?: { configuration_id?: unknown; type?: unknown } };
  [k: string]: unknown;
}

const creates = (requests: Recorded[]) => requests.filter((r) => r.method === "POST" && /^\/api\/v2\/batches(\?|$)/.test(r.url));
/** Create bodies a conforming server must accept: the ones the suite means to succeed. */
const validCreates = (requests: Recorded[]) =>
  creates(requests).flatMap((r) => {
    const parsed = spec.parseBody<CreateBody>("createBatch", r.body, "application/json");
    return parsed.ok && parsed.body ? [parsed.body] : [];
  });

let server: TestServer;
beforeAll(async () => {
  server = await specServer();
});
afterAll(() => server?.stop());

describe("--source-directory-id, --configuration-id, --job-type", () => {
  test("every create meant to succeed is made from them, without webhook fields; the rest of the body is still drawn", async () => {
    const before = server.requests.length;
    const report = await runContract({ baseUrl: server.url, apiKey: "k", only: SUCCEEDING, runs: 10, seed, allowWrites: true, ...IDS });
    expect(report.results.filter((r) => r.outcome !== "pass").map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    const bodies = validCreates(server.requests.slice(before));
    expect(bodies.length).toBeGreaterThan(20);
    for (const b of bodies) {
      expect([b.source_directory_id, b.config?.job?.configuration_id, b.config?.job?.type]).toEqual([
        IDS.sourceDirectoryId,
        IDS.configurationId,
        IDS.jobType,
      ]);
    }
    // No webhook fields (drawn ones would be refused by a live server, or delivered to); unknown
    // fields (W4's bodies always have one at the top) are still drawn.
    expect(bodies.filter((b) => WEBHOOK_FIELDS.some((f) => f in b))).toEqual([]);
    const known = new Set(["config", "source_directory_id"]);
    expect(bodies.some((b) => Object.keys(b).some((k) => !known.has(k)))).toBe(true);
  });

  test("the webhook fields left out are the spec's: every property of the create body named webhook_*", () => {
    const schema = spec.document.components?.schemas?.BatchCreateRequest as { properties?: Record<string, unknown> };
    expect(Object.keys(schema.properties ?? {}).filter((k) => k.startsWith("webhook"))).toEqual([...WEBHOOK_FIELDS]);
  });

  test("withCreateIds sets the three fields, leaves out the webhook fields, and keeps every other one, unknown nested ones included", () => {
    const drawn = {
      source_directory_id: "dir-drawn",
      config: { job: { configuration_id: "cfg-drawn", type: "extract_v2", extra_job: 1 }, extra_config: [2] },
      webhook_configurations: [{ webhook_url: "https://example.com/h" }],
      extra_top: { a: null },
    };
    expect(withCreateIds(drawn, IDS)).toEqual({
      source_directory_id: IDS.sourceDirectoryId,
      config: { job: { configuration_id: IDS.configurationId, type: IDS.jobType, extra_job: 1 }, extra_config: [2] },
      extra_top: { a: null },
    });
    expect(withCreateIds({ ...drawn, webhook_configuration_ids: ["whc-x"] }, { sourceDirectoryId: "dir-a" })).not.toHaveProperty(
      "webhook_configuration_ids",
    );
    expect(drawn.config.job.configuration_id).toBe("cfg-drawn");
    expect(withCreateIds(drawn, {})).toBe(drawn);
  });

  test("without them, on loopback, the ids and the webhook fields are drawn", async () => {
    const before = server.requests.length;
    await runContract({ baseUrl: server.url, apiKey: "k", only: ["W5"], runs: 20, seed, allowWrites: true });
    const bodies = validCreates(server.requests.slice(before));
    expect(new Set(bodies.map((b) => b.source_directory_id)).size).toBeGreaterThan(1);
    expect(bodies.some((b) => WEBHOOK_FIELDS.some((f) => f in b))).toBe(true);
  });

  test("only the directory may be given alone, on loopback; the configuration keeps being drawn", async () => {
    const before = server.requests.length;
    await runContract({ baseUrl: server.url, apiKey: "k", only: ["W5"], runs: 10, seed, allowWrites: true, sourceDirectoryId: "dir-x" });
    const bodies = validCreates(server.requests.slice(before));
    expect(new Set(bodies.map((b) => b.source_directory_id))).toEqual(new Set(["dir-x"]));
    expect(new Set(bodies.map((b) => b.config?.job?.configuration_id)).size).toBeGreaterThan(1);
  });

  test("negative bodies (W3) are refused whatever ids they carry", async () => {
    const report = await runContract({ baseUrl: server.url, apiKey: "k", only: ["W3"], runs: 5, seed, allowWrites: true, ...IDS });
    expect(report.results.map((r) => [r.id, r.outcome])).toEqual([["W3", "pass"]]);
  });
});

describe("the non-loopback rule", () => {
  const live = "https://api.cloud.llamaindex.ai";

  test("writes to another machine need both ids; a configuration needs its job type; the ids need writes", () => {
    expect(createIdsProblem(live, true, {})).toMatch(
      /^--allow-writes against api\.cloud\.llamaindex\.ai, .*needs --source-directory-id and --configuration-id/,
    );
    expect(createIdsProblem(live, true, { sourceDirectoryId: "dir-a" })).toMatch(/needs --source-directory-id and --configuration-id/);
    expect(createIdsProblem(live, true, { configurationId: "cfg-a", jobType: "parse_v2" })).toMatch(/needs --source-directory-id/);
    expect(createIdsProblem(live, true, IDS)).toBeUndefined();
    expect(createIdsProblem(live, false, {})).toBeUndefined();
    expect(createIdsProblem("http://127.0.0.1:4020", true, {})).toBeUndefined();
    expect(createIdsProblem("http://127.0.0.1:4020", true, { configurationId: "cfg-a" })).toMatch(/go together/);
    expect(createIdsProblem("http://127.0.0.1:4020", true, { jobType: "parse_v2" })).toMatch(/go together/);
    expect(createIdsProblem("http://127.0.0.1:4020", false, { sourceDirectoryId: "dir-a" })).toMatch(/need --allow-writes/);
    for (const problem of [createIdsProblem(live, true, {}), createIdsProblem(live, false, IDS)]) expect(problem).not.toContain("\n");
  });

  test("runContract refuses such a run before sending anything", async () => {
    let sent = 0;
    const fetch = (async () => {
      sent += 1;
      return new Response("{}");
    }) as typeof globalThis.fetch;
    await expect(runContract({ baseUrl: live, apiKey: "k", allowWrites: true, maxWrites: 5, fetch })).rejects.toThrow(
      /needs --source-directory-id and --configuration-id/,
    );
    await expect(
      runContract({ baseUrl: server.url, apiKey: "k", allowWrites: true, configurationId: "cfg-a", jobType: "nope" }),
    ).rejects.toThrow(/job type nope is not one of the spec's: parse_v2, extract_v2/);
    expect(sent).toBe(0);
  });

  test("given both, a non-loopback run writes, from them, within its cap", async () => {
    const before = server.requests.length;
    const fetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(String(input).replace(live, server.url), init);
    const report = await runContract({
      baseUrl: live,
      apiKey: "k",
      only: ["W5"],
      runs: 10,
      seed,
      allowWrites: true,
      maxWrites: 3,
      fetch,
      ...IDS,
    });
    expect(report.writes).toBe(3);
    const bodies = validCreates(server.requests.slice(before));
    expect(bodies.map((b) => b.source_directory_id)).toEqual(Array(3).fill(IDS.sourceDirectoryId));
    expect(bodies.filter((b) => WEBHOOK_FIELDS.some((f) => f in b))).toEqual([]);
  });
});

describe("cleanup", () => {
  test("after the run every batch it created and did not see final or cancelled is cancelled once; no other batch", async () => {
    const before = server.requests.length;
    // A cap that runs out mid-run: the cleanup still goes, outside it.
    const report = await runContract({
      baseUrl: server.url,
      apiKey: "k",
      profile: "full",
      only: SUCCEEDING,
      runs: 10,
      seed,
      allowWrites: true,
      maxWrites: 40,
    });
    const sent = server.requests.slice(before);
    const created = creates(sent)
      .filter((r) => r.status === 200)
      .map((r) => (r.response as { id: string }).id);
    const cleanup = report.cleanup;
    expect(cleanup).toBeDefined();
    expect(cleanup?.created).toBe(created.length);
    expect(report.results.some((r) => r.reason === "write budget exhausted")).toBe(true);
    // The cleanup's requests are the last ones: one cancel per created batch not cancelled during the run.
    const tail = sent.slice(sent.length - (cleanup?.requests ?? 0));
    const cancelled = tail.map((r) => /^\/api\/v2\/batches\/([^/]+)\/cancel$/.exec(r.url)?.[1]);
    const earlier = new Set(
      sent.slice(0, sent.length - tail.length).flatMap((r) => (r.status === 200 ? [/\/batches\/([^/]+)\/cancel$/.exec(r.url)?.[1]] : [])),
    );
    expect(cancelled.every((id) => id !== undefined && created.includes(id))).toBe(true);
    expect(new Set(cancelled).size).toBe(cancelled.length);
    expect(new Set([...cancelled, ...created.filter((id) => earlier.has(id))])).toEqual(new Set(created));
    expect(cleanup?.cancelled).toBe(cancelled.length);
    expect(cleanup?.cancelledByInvariants).toBe(created.filter((id) => earlier.has(id)).length);
    expect([cleanup?.alreadyFinal, cleanup?.failed]).toEqual([0, 0]);
    expect(report.writes).toBeLessThanOrEqual(40);
  });

  test("without writes there is nothing to clean up, and no cleanup is reported", async () => {
    const report = await runContract({ baseUrl: server.url, apiKey: "k", only: ["C1"], runs: 2, seed });
    expect(report.cleanup).toBeUndefined();
  });

  test("an interrupted run stops sending, then cancels what it created", async () => {
    const controller = new AbortController();
    const before = server.requests.length;
    const report = await runContract({
      baseUrl: server.url,
      apiKey: "k",
      only: ["W5", "W9"],
      profile: "full",
      runs: 10,
      seed,
      allowWrites: true,
      signal: controller.signal,
      onResult: () => controller.abort(),
    });
    expect(report.interrupted).toBe(true);
    expect(report.ok).toBe(false);
    expect(report.results.map((r) => r.id)).toEqual(["W5"]);
    const sent = server.requests.slice(before);
    expect(creates(sent).length).toBe(report.cleanup?.created);
    expect(report.cleanup?.cancelled).toBe(report.cleanup?.created);
  });
});
