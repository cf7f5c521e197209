import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  INVARIANTS,
  isLoopback,
  runContract,
  Target,
  WRITE_BUDGET_EXHAUSTED,
  WRITES_NOT_ALLOWED,
  WriteBudgetExhausted,
  WritesNotAllowed,
  writePolicyProblem,
} from "../src/index.js";
import { specServer, type TestServer } from "./servers.js";

const seed = Number(process.env.FAST_CHECK_SEED ?? 1);
const WRITERS = INVARIANTS.filter((i) => i.writes).map((i) => i.id);
const sentWrites = (s: TestServer) => s.requests.filter((r) => r.method !== "GET" && r.method !== "HEAD");

let server: TestServer;
beforeAll(async () => {
  server = await specServer();
});
afterAll(() => server?.stop());

describe("the write gate", () => {
  test("the suite has write invariants in both profiles", () => {
    expect(WRITERS.length).toBeGreaterThan(0);
    expect(new Set(INVARIANTS.filter((i) => i.writes).map((i) => i.profile))).toEqual(new Set(["contract", "full"]));
  });

  test("without allowWrites no write leaves, whatever method is asked for, and the refusal names the flag", async () => {
    const target = new Target({ baseUrl: server.url, apiKey: "k" });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("POST", "PUT", "PATCH", "DELETE", "post", "OPTIONS"), async (method) => {
        const before = server.requests.length;
        await expect(target.request({ method, path: "/api/v2/batches", json: {} })).rejects.toBeInstanceOf(WritesNotAllowed);
        expect(server.requests.length).toBe(before);
      }),
      { seed, numRuns: 20 },
    );
    expect(target.writes).toBe(0);
    expect(target.requests).toBe(0);
    // Reads still go.
    expect((await target.request({ method: "GET" })).status).toBe(200);
    expect(server.requests.at(-1)?.method).toBe("GET");
  });

  test("a full run without --allow-writes sends only GETs and reports every write invariant as SKIP with the reason", async () => {
    const before = server.requests.length;
    const report = await runContract({ baseUrl: server.url, apiKey: "k", profile: "full", runs: 3, seed });
    const sent = server.requests.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((r) => r.method !== "GET")).toEqual([]);
    const writers = report.results.filter((r) => WRITERS.includes(r.id));
    expect(writers.map((r) => r.id)).toEqual(WRITERS);
    for (const r of writers) expect([r.outcome, r.reason, r.requests]).toEqual(["skip", WRITES_NOT_ALLOWED, 0]);
    expect(report.writes).toBe(0);
    expect(report.allowWrites).toBe(false);
  });

  test("with allowWrites the write invariants send writes, and the target counts each one", async () => {
    const before = sentWrites(server).length;
    const report = await runContract({ baseUrl: server.url, apiKey: "k", profile: "contract", runs: 3, seed, allowWrites: true });
    // The server answers as the spec says: every write invariant of the profile is judged, and holds.
    expect(report.results.filter((r) => WRITERS.includes(r.id)).map((r) => [r.id, r.outcome])).toEqual(
      report.results.filter((r) => WRITERS.includes(r.id)).map((r) => [r.id, "pass"]),
    );
    expect(report.results.filter((r) => WRITERS.includes(r.id)).length).toBeGreaterThan(0);
    expect(report.writes).toBeGreaterThan(0);
    // Plus the cleanup's cancels (this server accepts every cancel: no re-reads), outside the count.
    expect(sentWrites(server).length - before).toBe(report.writes + (report.cleanup?.requests ?? 0));
  });
});

describe("the write budget", () => {
  test("the target refuses the write beyond --max-writes before sending it; reads go on", async () => {
    const target = new Target({ baseUrl: server.url, apiKey: "k", allowWrites: true, maxWrites: 2 });
    const before = sentWrites(server).length;
    for (let i = 0; i < 2; i++)
      await target.request({ method: "POST", path: "/api/v2/batches/{batch_id}/cancel", pathParams: { batch_id: "bat-x" } });
    await expect(target.request({ method: "POST", path: "/api/v2/batches", json: {} })).rejects.toBeInstanceOf(WriteBudgetExhausted);
    expect(sentWrites(server).length - before).toBe(2);
    expect(target.writesLeft).toBe(0);
    expect((await target.get({})).status).toBe(200);
  });

  test("a 429 retry of a write is a write of the budget too", async () => {
    let calls = 0;
    const fetch = (async () => {
      calls += 1;
      return calls === 1
        ? new Response('{"detail":"slow down"}', { status: 429, headers: { "retry-after-ms": "1" } })
        : new Response("{}", { status: 200 });
    }) as typeof globalThis.fetch;
    const target = new Target({ baseUrl: "http://127.0.0.1:9", allowWrites: true, maxWrites: 1, fetch });
    await expect(target.request({ method: "POST", json: {} })).rejects.toBeInstanceOf(WriteBudgetExhausted);
    expect(calls).toBe(1);
    expect(target.writes).toBe(1);
  });

  test("a run never sends more writes than the cap; the write invariants past it SKIP as 'write budget exhausted'", async () => {
    for (const cap of [0, 1, 5]) {
      const before = sentWrites(server).length;
      const report = await runContract({
        baseUrl: server.url,
        apiKey: "k",
        profile: "contract",
        runs: 5,
        seed,
        allowWrites: true,
        maxWrites: cap,
      });
      const cleanup = report.cleanup?.requests ?? 0;
      expect(sentWrites(server).length - before - cleanup).toBeLessThanOrEqual(cap);
      expect(report.writes).toBe(sentWrites(server).length - before - cleanup);
      const writers = report.results.filter((r) => WRITERS.includes(r.id));
      const skipped = writers.filter((r) => r.outcome === "skip");
      expect(skipped.length, `cap ${cap}`).toBeGreaterThan(0);
      for (const r of skipped) expect(r.reason).toBe(WRITE_BUDGET_EXHAUSTED);
      if (cap === 0) expect(skipped.length).toBe(writers.length);
    }
  });
});

describe("the write policy", () => {
  test("writes to another machine need a cap; loopback needs none; a cap needs writes", () => {
    expect(writePolicyProblem("http://127.0.0.1:4020", true, undefined)).toBeUndefined();
    expect(writePolicyProblem("http://localhost:4020", true, undefined)).toBeUndefined();
    expect(writePolicyProblem("https://api.cloud.llamaindex.ai", false, undefined)).toBeUndefined();
    expect(writePolicyProblem("https://api.cloud.llamaindex.ai", true, 10)).toBeUndefined();
    expect(writePolicyProblem("https://api.cloud.llamaindex.ai", true, undefined)).toMatch(/needs --max-writes/);
    expect(writePolicyProblem("http://127.0.0.1:4020", false, 3)).toMatch(/need --allow-writes/);
    expect(() => new Target({ baseUrl: "https://api.cloud.eu.llamaindex.ai", allowWrites: true })).toThrow(/--max-writes/);
  });

  test("loopback is this machine only", () => {
    for (const url of ["http://127.0.0.1:1", "http://127.1.2.3", "http://localhost", "http://[::1]:80", "http://a.localhost"]) {
      expect(isLoopback(url), url).toBe(true);
    }
    for (const url of ["https://api.cloud.llamaindex.ai", "http://10.0.0.1", "http://127.0.0.1.example.com", "http://localhost.evil.io"]) {
      expect(isLoopback(url), url).toBe(false);
    }
  });
});

describe("a violation found before the write budget runs out", () => {
  test("is reported as a failure at its first counterexample (not shrunk under a cap), not as a skip", async () => {
    const created201 = await specServer({ items: [] }, 201);
    try {
      const report = await runContract({
        baseUrl: created201.url,
        apiKey: "k",
        only: ["W5"],
        strict: true,
        runs: 10,
        seed,
        allowWrites: true,
        maxWrites: 3,
      });
      // The first failure ends the invariant: shrinking would spend the writes the others are to get.
      expect(report.writes).toBe(1);
      const [w5] = report.results;
      expect([w5?.id, w5?.outcome]).toEqual(["W5", "fail"]);
      expect(w5?.reason).toMatch(/^a valid create was not a 200\nPOST .* → 201/);
      expect(w5?.counterexample).toBeTruthy();
    } finally {
      await created201.stop();
    }
  });

  test("without a cap (loopback) it is shrunk as usual", async () => {
    const created201 = await specServer({ items: [] }, 201);
    try {
      const report = await runContract({
        baseUrl: created201.url,
        apiKey: "k",
        only: ["W5"],
        strict: true,
        runs: 10,
        seed,
        allowWrites: true,
      });
      expect(report.results.map((r) => [r.id, r.outcome])).toEqual([["W5", "fail"]]);
      expect(report.writes).toBeGreaterThan(1);
    } finally {
      await created201.stop();
    }
  });
});

test("a server that takes any query on its writes fails W6, naming the parameter it let through", async () => {
  const lenient = await specServer({ items: [] }, 200, false);
  try {
    const report = await runContract({ baseUrl: lenient.url, apiKey: "k", only: ["W6"], runs: 5, seed, allowWrites: true });
    expect(report.results.map((r) => [r.id, r.outcome])).toEqual([["W6", "fail"]]);
    expect(report.results[0]?.reason).toMatch(/^invalid (project_id|organization_id)=.* was not refused with a 4xx\nPOST /);
  } finally {
    await lenient.stop();
  }
});
