import type fc from "fast-check";
import { WriteBudgetExhausted } from "./writes.js";

/**
 * A property whose write budget may run out while fast-check shrinks a counterexample it found.
 * Once a run has failed for a reason of its own, a run stopped by the budget counts as holding:
 * shrinking then ends at the smallest counterexample the budget paid for, and the violation is
 * reported, not lost behind "write budget exhausted". Before any failure, the budget error stays
 * what it is (the runner reports the invariant as skipped).
 */
export function shrinkWithinBudget<T>(inner: fc.IAsyncPropertyWithHooks<T>): fc.IAsyncProperty<T> {
  let failed = false;
  return {
    isAsync: () => true,
    generate: (mrng, runId) => inner.generate(mrng, runId),
    shrink: (value) => inner.shrink(value),
    runBeforeEach: () => inner.runBeforeEach(),
    runAfterEach: () => inner.runAfterEach(),
    run: async (value) => {
      const out = await inner.run(value);
      if (out === null || !("error" in out)) return out;
      if (out.error instanceof WriteBudgetExhausted) return failed ? null : out;
      failed = true;
      return out;
    },
  };
}
