import { BatchesApiError, BatchesError, WaitForTimeoutError } from "./errors.js";
import { FINAL_STATUSES } from "./generated/constants.js";
import { retryDelayMs } from "./internal/backoff.js";
import { race, sleep } from "./internal/sleep.js";
import type { RequestOptions } from "./pagination.js";
import type { Batch, BatchRetrieveParams, BatchStatus } from "./types.js";

export interface WaitForOptions extends BatchRetrieveParams {
  /** Statuses to stop at besides the final ones (a final status is never left, so it always stops). */
  until?: readonly BatchStatus[] | undefined;
  /** Pause after the first poll, in ms (default 1 000); each next pause is 1.5× longer, up to `maxInterval`. */
  interval?: number | undefined;
  /** Longest pause between polls, in ms (default 30 000). */
  maxInterval?: number | undefined;
  /** The whole wait, in ms (default 3 600 000): then a `WaitForTimeoutError` carrying the last batch seen. */
  timeout?: number | undefined;
  /** Aborts a poll or a pause at once, with `APIUserAbortError`. */
  signal?: AbortSignal | undefined;
}

type Retrieve = (id: string, params: BatchRetrieveParams, options: RequestOptions) => Promise<Batch>;

/**
 * Polls until the batch reaches a final status (the spec's) or one of `until`. A 429 or 503 that
 * outlasts the request's own retries does not end the wait: the next poll waits at least the delay
 * the server asked for. Any other error ends it.
 */
export async function waitFor(retrieve: Retrieve, id: string, options: WaitForOptions = {}): Promise<Batch> {
  const { until = [], interval = 1_000, maxInterval = 30_000, timeout = 3_600_000, signal, ...params } = options;
  if (!(interval > 0 && maxInterval > 0 && timeout >= 0)) {
    throw new BatchesError("waitFor: bad interval, maxInterval or timeout");
  }
  const stops: readonly BatchStatus[] = [...FINAL_STATUSES, ...until];
  // One signal for the poll and the pause, aborted when the caller's signal or our deadline ends the wait.
  const controller = new AbortController();
  let last: Batch | undefined;
  const polls = async (): Promise<Batch> => {
    for (let poll = 0; ; poll++) {
      let pause = Math.min(interval * 1.5 ** poll, maxInterval);
      try {
        last = await retrieve(id, params, { signal: controller.signal });
        if (stops.includes(last.status)) return last;
      } catch (error) {
        if (!(error instanceof BatchesApiError && (error.status === 429 || error.status === 503))) throw error;
        pause = Math.max(pause, retryDelayMs(poll, error.headers));
      }
      await sleep(pause, controller.signal);
    }
  };
  return race(
    timeout,
    signal,
    () => new WaitForTimeoutError(id, last, timeout),
    polls,
    () => controller.abort(),
  );
}
