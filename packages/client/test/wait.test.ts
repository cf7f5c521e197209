import { getSpec } from "@llama-batches/spec";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import {
  APIUserAbortError,
  type Batch,
  BatchesError,
  type BatchStatus,
  createBatchesClient,
  FINAL_STATUSES,
  NotFoundError,
  WaitForTimeoutError,
} from "../src/index.js";
import { batch, type Call, fakeFetch, json, TEST_KEY } from "./helpers/fake-fetch.js";

const statuses = getSpec().enumOf("BatchStatus") as BatchStatus[];
const finals = new Set(getSpec().finalStatuses);
const unfinished = statuses.filter((s) => !finals.has(s));
const [firstUnfinished, secondUnfinished] = unfinished as [BatchStatus, BatchStatus];
const [firstFinal] = getSpec().finalStatuses as [BatchStatus];

/** A server whose batch goes through `steps`, one per poll (the last repeated); `seen` keeps when each poll came. */
function server(...steps: (BatchStatus | Response)[]) {
  const at: number[] = [];
  const { fetch, calls } = fakeFetch((_call: Call) => {
    at.push(Date.now());
    const step = steps[Math.min(at.length - 1, steps.length - 1)] as BatchStatus | Response;
    return typeof step === "string" ? json(batch({ id: "bat-1", status: step })) : step;
  });
  return { client: createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 0 }), calls, at };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("waitFor", () => {
  test("the generated final statuses are the spec's", () => {
    expect([...FINAL_STATUSES]).toEqual(getSpec().finalStatuses);
  });

  test.each(getSpec().finalStatuses)("polls until the batch is final (%s) and returns it", async (final) => {
    const { client, calls } = server(firstUnfinished, secondUnfinished, final as BatchStatus, firstUnfinished);
    const pending = client.batches.waitFor("bat-1", { interval: 10 });
    await vi.runAllTimersAsync();
    expect((await pending).status).toBe(final);
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.url.pathname === "/api/v2/batches/bat-1")).toBe(true);
  });

  test("stops at a status named in `until`, and always at a final one", async () => {
    const named = server(firstUnfinished, secondUnfinished, firstFinal);
    const pending = named.client.batches.waitFor("bat-1", { interval: 10, until: [secondUnfinished] });
    await vi.runAllTimersAsync();
    expect((await pending).status).toBe(secondUnfinished);
    const skipped = server(firstUnfinished, firstFinal, secondUnfinished);
    const final = skipped.client.batches.waitFor("bat-1", { interval: 10, until: [secondUnfinished] });
    await vi.runAllTimersAsync();
    expect((await final).status).toBe(firstFinal);
  });

  test("the pause grows by 1.5× per poll up to maxInterval", async () => {
    const { client, at } = server(firstUnfinished, firstUnfinished, firstUnfinished, firstUnfinished, firstUnfinished, firstFinal);
    const pending = client.batches.waitFor("bat-1", { interval: 100, maxInterval: 300 });
    await vi.runAllTimersAsync();
    await pending;
    const gaps = at.slice(1).map((t, i) => t - (at[i] as number));
    expect(gaps).toEqual([100, 150, 225, 300, 300]);
  });

  test("expand and the scope are sent with every poll", async () => {
    const { client, calls } = server(firstUnfinished, firstFinal);
    const pending = client.batches.waitFor("bat-1", { interval: 1, expand: ["results"], project_id: "p-1" });
    await vi.runAllTimersAsync();
    await pending;
    for (const c of calls) {
      expect(c.url.searchParams.getAll("expand")).toEqual(["results"]);
      expect(c.url.searchParams.get("project_id")).toBe("p-1");
    }
  });

  test.each([429, 503])("a %i waits at least the Retry-After, then polls on", async (status) => {
    const { client, at } = server(firstUnfinished, json({ detail: "slow down" }, status, { "retry-after": "7" }), firstFinal);
    const pending = client.batches.waitFor("bat-1", { interval: 10 });
    await vi.runAllTimersAsync();
    expect((await pending).status).toBe(firstFinal);
    expect(at).toEqual([0, 10, 7_010]);
  });

  test("any other error ends the wait", async () => {
    const { client } = server(firstUnfinished, json({ detail: "Batch not found" }, 404));
    const pending = client.batches.waitFor("bat-1", { interval: 10 }).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await pending).toBeInstanceOf(NotFoundError);
  });

  test("the timeout throws WaitForTimeoutError carrying the id and the last batch seen", async () => {
    const { client, calls } = server(firstUnfinished, secondUnfinished);
    const pending = client.batches.waitFor("bat-1", { interval: 100, maxInterval: 100, timeout: 1_050 }).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    const error = (await pending) as WaitForTimeoutError;
    expect(error).toBeInstanceOf(WaitForTimeoutError);
    expect(error).toBeInstanceOf(BatchesError);
    expect(error.batchId).toBe("bat-1");
    expect(error.lastBatch?.status).toBe(secondUnfinished);
    expect(calls).toHaveLength(11);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("a timeout before any poll answered carries no batch", async () => {
    const { fetch } = fakeFetch(() => new Promise<Response>(() => undefined));
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 0 });
    const pending = client.batches.waitFor("bat-1", { timeout: 50 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    const error = (await pending) as WaitForTimeoutError;
    expect(error).toBeInstanceOf(WaitForTimeoutError);
    expect(error.lastBatch).toBeUndefined();
  });

  test("the signal aborts a pause at once with APIUserAbortError, and leaves no timer behind", async () => {
    const { client, calls } = server(firstUnfinished);
    const controller = new AbortController();
    const pending = client.batches.waitFor("bat-1", { interval: 60_000, signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    controller.abort();
    expect(await pending).toBeInstanceOf(APIUserAbortError);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("the signal aborts a poll in flight, and an aborted signal sends nothing", async () => {
    const { fetch, calls } = fakeFetch(() => new Promise<Response>(() => undefined));
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 0 });
    const controller = new AbortController();
    const pending = client.batches.waitFor("bat-1", { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1);
    controller.abort();
    expect(await pending).toBeInstanceOf(APIUserAbortError);
    const before = calls.length;
    expect(await client.batches.waitFor("bat-1", { signal: AbortSignal.abort() }).catch((e: unknown) => e)).toBeInstanceOf(
      APIUserAbortError,
    );
    expect(calls.length).toBe(before);
  });

  test.each([{ interval: 0 }, { interval: -1 }, { maxInterval: 0 }, { timeout: -1 }, { interval: Number.NaN }])(
    "%o is refused before any request",
    async (options) => {
      const { client, calls } = server(firstFinal);
      await expect(client.batches.waitFor("bat-1", options)).rejects.toBeInstanceOf(BatchesError);
      expect(calls).toHaveLength(0);
    },
  );

  test("a batch seen final is returned as the server sent it", async () => {
    const done: Batch = batch({ id: "bat-1", status: firstFinal, results: [] });
    const { fetch } = fakeFetch(json(done));
    const client = createBatchesClient({ apiKey: TEST_KEY, fetch });
    await expect(client.batches.waitFor("bat-1")).resolves.toEqual(done);
  });
});
