/**
 * The processing model: batches created through the API move one stage per step (PENDING →
 * RUNNING → one file per step → COMPLETED, or FAILED for a failing directory), a cancel makes a
 * batch CANCELLED at the next step with the files it processed kept, and nothing moves between
 * steps. `step()` drives it deterministically; `stepMs` drives it by a timer that stops with the
 * server.
 */
import { randomUUID } from "node:crypto";
import type { Batch } from "@llama-batches/client";
import { compareInstants, getSpec, instantOf } from "@llama-batches/spec";
import { describe, expect, test } from "vitest";
import { FAILING_DIRECTORY_SUFFIX, MAX_STEPS_TO_FINAL, startReferenceApi } from "../src/index.js";
import { bodyFor, CREATED_STATUS, cancel, created, FINAL_STATUSES, keysOf, read } from "./batches.js";
import { useReferenceApi } from "./helpers.js";

const spec = getSpec();
const ref = useReferenceApi({ seed: 19, size: 100 });
const key = () => {
  const [k] = keysOf(ref.api).project;
  if (!k) throw new Error("no project key");
  return k;
};
const isFinal = (b: Batch) => FINAL_STATUSES.includes(b.status);
/** A file of the results that was processed: it has a job or its own error. */
const processed = (b: Batch) => (b.results ?? []).filter((r) => r.job_reference != null || r.error_message != null);

/** Every state a batch goes through, read with expand=results after each step, until final. */
async function history(id: string): Promise<Batch[]> {
  const seen = [await read(ref.api, key(), id, true)];
  for (let i = 0; i < MAX_STEPS_TO_FINAL + 1 && !isFinal(seen[seen.length - 1] as Batch); i++) {
    ref.api.step();
    seen.push(await read(ref.api, key(), id, true));
  }
  return seen;
}

describe("step by step", () => {
  test("PENDING, RUNNING while files are processed one per step, then COMPLETED with every file processed", async () => {
    const batch = await created(ref.api, key(), bodyFor(`dir-${randomUUID()}`));
    const states = await history(batch.id);
    const statuses = states.map((b) => b.status);
    expect(statuses[0]).toBe(CREATED_STATUS);
    expect(statuses.at(-1)).toBe("COMPLETED");
    expect(statuses.slice(1, -1).every((s) => s === "RUNNING")).toBe(true);
    expect(states.length).toBeLessThanOrEqual(MAX_STEPS_TO_FINAL + 1);
    const files = states[0]?.results?.length ?? 0;
    expect(files).toBeGreaterThan(0);
    // One more file processed per step once running, each kept as it was, and all of them at the end.
    expect(states.map((b) => processed(b).length)).toEqual(
      [0, ...Array.from({ length: files }, (_, i) => i), files].slice(0, states.length),
    );
    for (let i = 1; i < states.length; i++) {
      const before = states[i - 1] as Batch;
      const now = states[i] as Batch;
      expect(processed(now).slice(0, processed(before).length)).toEqual(processed(before));
      expect(compareInstants(instantOf(now.updated_at ?? ""), instantOf(before.updated_at ?? ""))).toBeGreaterThan(0);
      expect(now.created_at).toBe(batch.created_at);
      expect(spec.validateSchema("Batch", now)).toEqual([]);
    }
    // Final: another step changes nothing.
    ref.api.step();
    expect(await read(ref.api, key(), batch.id, true)).toEqual(states.at(-1));
  });

  test(`a directory whose id ends with ${FAILING_DIRECTORY_SUFFIX} ends FAILED`, async () => {
    const batch = await created(ref.api, key(), bodyFor(`dir-${randomUUID()}${FAILING_DIRECTORY_SUFFIX}`));
    expect((await history(batch.id)).at(-1)?.status).toBe("FAILED");
  });

  test("nothing moves without a step; generated batches never move on their own", async () => {
    const generated = ref.api.store.all().filter((b) => ref.data.some((d) => d.id === b.id));
    const batch = await created(ref.api, key(), bodyFor(`dir-${randomUUID()}`));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await read(ref.api, key(), batch.id)).toEqual(batch);
    for (let i = 0; i < MAX_STEPS_TO_FINAL; i++) ref.api.step();
    for (const b of generated) expect(ref.api.store.get(b.id)).toEqual(b);
  });

  test("a cancel mid-run: CANCELLED at the next step, the processed files kept, the rest never processed", async () => {
    // A directory with at least two files, so that the batch is cancelled with one processed.
    let batch: Batch | undefined;
    for (let i = 0; i < 20 && !batch; i++) {
      const candidate = await created(ref.api, key(), bodyFor(`dir-${randomUUID()}`));
      if (((await read(ref.api, key(), candidate.id, true)).results?.length ?? 0) >= 2) batch = candidate;
    }
    if (!batch) throw new Error("no directory with two files in 20 tries");
    ref.api.step();
    ref.api.step();
    const running = await read(ref.api, key(), batch.id, true);
    expect([running.status, processed(running).length]).toEqual(["RUNNING", 1]);
    const answer = await cancel(ref.api, key(), batch.id);
    expect(answer.status).toBe(200);
    expect((answer.body as Batch).status).toBe("RUNNING");
    ref.api.step();
    const cancelled = await read(ref.api, key(), batch.id, true);
    expect(cancelled.status).toBe("CANCELLED");
    expect(cancelled.results).toEqual(running.results);
    ref.api.step();
    expect(await read(ref.api, key(), batch.id, true)).toEqual(cancelled);
  });
});

describe("stepMs", () => {
  test("a timer moves created batches to a final status; it stops with the server", async () => {
    const api = await startReferenceApi({ seed: 19, size: 20, stepMs: 5 });
    try {
      const [k] = keysOf(api).project;
      if (!k) throw new Error("no project key");
      const batch = await created(api, k, bodyFor(`dir-${randomUUID()}`));
      let now = batch;
      // Polls until final; the bound is in polls, not time, and is generous for a loaded machine.
      for (let i = 0; i < 2_000 && !isFinal(now); i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        now = await read(api, k, batch.id);
      }
      expect(now.status).toBe("COMPLETED");
      const moving = await created(api, k, bodyFor(`dir-${randomUUID()}`));
      await api.stop();
      const frozen = api.store.get(moving.id);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(api.store.get(moving.id)).toBe(frozen);
    } finally {
      await api.stop();
    }
  });

  test("stepMs must be a whole number above 0", async () => {
    for (const stepMs of [0, -1, 1.5, Number.NaN]) {
      await expect(startReferenceApi({ size: 1, stepMs })).rejects.toThrow(/stepMs/);
    }
  });
});
