import { APIUserAbortError } from "../errors.js";

/** Timers fire at once past this (a 32-bit delay): a longer wait means no timer at all. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The one race against a clock and the caller's signal (a request's attempt, a pause, a whole
 * `waitFor`): settles as `work()` does, unless `signal` aborts first (rejects with
 * `APIUserAbortError`) or `ms` pass first (rejects with what `expired()` returns, or resolves when it
 * returns nothing: a plain pause). Either way `stop` gets the error, to stop `work` early.
 */
export function race<T>(
  ms: number,
  signal: AbortSignal | undefined,
  expired: () => Error | undefined,
  work: () => Promise<T>,
  stop?: (error: Error) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const end = (error?: Error) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (error) stop?.(error);
    };
    const fail = (error: Error | undefined) => {
      end(error);
      // No error: the pause is over (only a pause, `T = void`, has no error to expire with).
      error ? reject(error) : resolve(undefined as T);
    };
    const onAbort = () => fail(new APIUserAbortError());
    const timer = ms <= MAX_TIMER_MS ? setTimeout(() => fail(expired()), ms) : undefined;
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    work().then(
      (value) => {
        end();
        resolve(value);
      },
      (error: unknown) => {
        end();
        reject(error);
      },
    );
  });
}

const never = () => new Promise<void>(() => undefined);

/** Waits `ms`, or rejects at once with {@link APIUserAbortError} when `signal` aborts. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> => race(ms, signal, () => undefined, never);
