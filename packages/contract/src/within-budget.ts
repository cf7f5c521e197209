import type fc from "fast-check";
import { BudgetExhausted } from "./target.js";
import { WriteBudgetExhausted } from "./writes.js";

/** An error that says nothing of the rule: the budget ran out, or the server could not be reached. */
const isBudget = (e: unknown) => e instanceof WriteBudgetExhausted || e instanceof BudgetExhausted;
const isTransport = (e: unknown) => e instanceof Error && e.name === "Unreachable";

/**
 * A property whose budgets may run out, or whose server may drop or time out a request, while
 * fast-check shrinks a counterexample it found. Once a run has failed for a reason of its own, a
 * run stopped by a budget or by a transport error counts as holding: shrinking then ends at the
 * smallest counterexample that was really judged, and the violation is reported, not lost behind
 * "write budget exhausted" or a timeout. Before any failure, those errors stay what they are (the
 * runner reports a skip, a budget, or an unreachable server); after a transport error nothing more
 * is sent (every later run holds at once), so fast-check does not shrink a timeout into a verdict.
 */
export function shrinkWithinBudget<T>(inner: fc.IAsyncPropertyWithHooks<T>): fc.IAsyncProperty<T> {
  let failed = false;
  let unreachable = false;
  return {
    isAsync: () => true,
    generate: (mrng, runId) => inner.generate(mrng, runId),
    shrink: (value) => inner.shrink(value),
    runBeforeEach: () => inner.runBeforeEach(),
    runAfterEach: () => inner.runAfterEach(),
    run: async (value) => {
      if (unreachable) return null;
      const out = await inner.run(value);
      if (out === null || !("error" in out)) return out;
      if (isBudget(out.error)) return failed ? null : out;
      if (isTransport(out.error)) {
        if (failed) return null;
        unreachable = true;
        return out;
      }
      failed = true;
      return out;
    },
  };
}
