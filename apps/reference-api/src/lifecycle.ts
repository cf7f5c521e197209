import type { Batch, BatchStatus } from "@llama-batches/client";
import type { Clock } from "./clock.js";
import { type BatchResult, directoryFiles, MAX_FILES, resultsOf } from "./results.js";
import type { BatchStore } from "./store.js";

// The statuses the lifecycle moves a batch through, typed by the client's generated BatchStatus
// (a name the spec drops fails to compile); which statuses are final comes from the spec.
const RUNNING: BatchStatus = "RUNNING";
const COMPLETED: BatchStatus = "COMPLETED";
const FAILED: BatchStatus = "FAILED";
const CANCELLED: BatchStatus = "CANCELLED";

/**
 * Decided here: a batch over a source directory whose id ends with this fails (batch-level, after
 * its files are processed), so that a test can ask for a FAILED batch through the public API.
 */
export const FAILING_DIRECTORY_SUFFIX = "-fail";

/** Steps a batch created through the API takes at most to reach a final status: RUNNING, then one per file. */
export const MAX_STEPS_TO_FINAL = 1 + MAX_FILES;

interface Progress {
  /** Files of the directory processed so far, in the directory's order. */
  finished: number;
  /** A cancel was asked for: the next step makes the batch CANCELLED. */
  cancelling: boolean;
}

/**
 * A minimal, deterministic processing model. Each step moves every batch created through the API
 * one stage: PENDING (or THROTTLED) → RUNNING, then one file per step, and once every file is
 * processed COMPLETED (FAILED for a failing directory). A cancel marks a batch; the next step makes
 * it CANCELLED, and the files it processed keep their results. Batches the API did not create
 * (generated or inserted data) stand still unless cancelled. Nothing moves between steps: who
 * owns the lifecycle decides when a step happens (a timer with `stepMs`, or `step()`).
 */
export class Lifecycle {
  readonly #store: BatchStore;
  readonly #clock: Clock;
  readonly #final: ReadonlySet<string>;
  /** Batches whose processing is modelled here, still moving or not. */
  readonly #progress = new Map<string, Progress>();
  /** Those that are not final yet: what a step visits. */
  readonly #active = new Set<string>();

  constructor(store: BatchStore, clock: Clock, finalStatuses: readonly string[]) {
    this.#store = store;
    this.#clock = clock;
    this.#final = new Set(finalStatuses);
  }

  isFinal(status: string): boolean {
    return this.#final.has(status);
  }

  /** A batch created through the API: it moves from now on. */
  track(id: string): void {
    this.#progress.set(id, { finished: 0, cancelling: false });
    this.#active.add(id);
  }

  /** Asks to cancel a batch that is not final; asking again changes nothing. */
  cancel(batch: Batch): void {
    let progress = this.#progress.get(batch.id);
    if (!progress) {
      progress = { finished: this.#finishedOf(batch), cancelling: false };
      this.#progress.set(batch.id, progress);
    }
    progress.cancelling = true;
    this.#active.add(batch.id);
  }

  /** One step of every moving batch. Returns how many changed. */
  step(): number {
    let changed = 0;
    for (const id of [...this.#active]) {
      const batch = this.#store.get(id);
      const progress = this.#progress.get(id);
      if (!batch || !progress || this.#final.has(batch.status)) {
        // Gone, or made final from outside (an admin PATCH): nothing left to do.
        this.#active.delete(id);
        continue;
      }
      const status = this.#next(batch, progress);
      this.#store.update(id, { status, updated_at: this.#clock() });
      if (this.#final.has(status)) this.#active.delete(id);
      changed += 1;
    }
    return changed;
  }

  /** `results` of a batch read with expand=results: one entry per file of its directory. */
  results(batch: Batch): BatchResult[] {
    if (batch.results != null) return batch.results;
    return resultsOf(batch, this.#progress.get(batch.id)?.finished ?? this.#finishedOf(batch));
  }

  #next(batch: Batch, progress: Progress): BatchStatus {
    if (progress.cancelling) return CANCELLED;
    if (batch.status !== RUNNING) return RUNNING;
    progress.finished += 1;
    if (progress.finished < directoryFiles(batch.source_directory_id).length) return RUNNING;
    return batch.source_directory_id.endsWith(FAILING_DIRECTORY_SUFFIX) ? FAILED : COMPLETED;
  }

  /**
   * How far a batch the lifecycle did not drive got, read from its status: every file when it
   * completed, none before it ran, half of them (rounded down) when it runs or stopped midway.
   */
  #finishedOf(batch: Batch): number {
    const files = directoryFiles(batch.source_directory_id).length;
    if (batch.status === COMPLETED) return files;
    if (batch.status === RUNNING || this.#final.has(batch.status)) return Math.floor(files / 2);
    return 0;
  }
}
