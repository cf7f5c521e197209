/**
 * A writer that makes the reference API's data change the way the live API's does while a client
 * reads it: new batches created "now", and batches that were not finished moving on, to a final
 * status at last. It runs in the test's process, between the server's requests.
 */
import type { Batch, BatchStatus } from "@llama-batches/client";
import { getSpec } from "@llama-batches/spec";
import type { RunningReferenceApi } from "../src/index.js";

export interface Writer {
  /** Batches created and status changes made so far. */
  readonly inserted: number;
  readonly moved: number;
  stop(): void;
}

/** Writes every `everyMs`: one new batch, and one unfinished batch moved one step on. */
export function startWriter(api: RunningReferenceApi, options: { everyMs?: number; micro?: boolean; seed?: number } = {}): Writer {
  const statuses = getSpec().enumOf("BatchStatus") as BatchStatus[];
  const final = new Set(getSpec().finalStatuses);
  const unfinished = statuses.filter((s) => !final.has(s));
  const finals = statuses.filter((s) => final.has(s));
  const all = api.store.all();
  const templates = all.slice(0, 50);
  // Ids that may still move on; a finished one is dropped when drawn.
  const open = all.filter((b) => !final.has(b.status)).map((b) => b.id);
  let random = options.seed ?? 1;
  const next = () => {
    // A small LCG: the writer's choices repeat with the seed, whatever the machine.
    random = (Math.imul(random, 1_103_515_245) + 12_345) >>> 0;
    return random / 2 ** 32;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  let inserted = 0;
  let moved = 0;
  const now = () => {
    const ms = Date.now();
    return options.micro
      ? `${new Date(ms).toISOString().slice(0, -1)}${String(Math.floor(next() * 1000)).padStart(3, "0")}+00:00`
      : new Date(ms).toISOString();
  };
  const timer = setInterval(() => {
    const template = pick(templates);
    const batch: Batch = {
      ...template,
      id: `bat-w${inserted}-${Math.floor(next() * 1e9)}`,
      status: pick(unfinished),
      created_at: now(),
      updated_at: now(),
      results: null,
    };
    api.store.insert(batch);
    open.push(batch.id);
    inserted += 1;
    const at = Math.floor(next() * open.length);
    const victim = api.store.get(open[at] as string);
    if (victim && !final.has(victim.status)) {
      // Mostly straight to a final status, sometimes one step on among the unfinished ones.
      const status = next() < 0.7 ? pick(finals) : pick(unfinished.filter((s) => s !== victim.status));
      api.store.update(victim.id, { status, updated_at: now() });
      moved += 1;
      if (final.has(status)) open.splice(at, 1);
    }
  }, options.everyMs ?? 2);
  return {
    get inserted() {
      return inserted;
    },
    get moved() {
      return moved;
    },
    stop: () => clearInterval(timer),
  };
}
