import type { Batch } from "./types.js";

/** Whole seconds since the epoch and the fraction's digits of an RFC 3339 date-time. */
function instant(text: string): [number, string] {
  const fraction = /:\d\d\.(\d+)/.exec(text)?.[1] ?? "";
  return [Date.parse(text.replace(/(:\d\d)\.\d+/, "$1")), fraction.replace(/0+$/, "")];
}

/**
 * The list's order (decided by the spec) as a comparator: newest first, `created_at` compared to
 * its last fraction digit (a Python backend sends microseconds), ties broken by `id` descending,
 * batches without `created_at` last. `created_at` may be null or absent: the types keep that truth;
 * sort with this rather than with `Date.parse`, which keeps milliseconds and drops nulls nowhere.
 * @example
 * merged.sort(compareBatches);
 */
export function compareBatches(a: Batch, b: Batch): number {
  if (a.created_at && b.created_at) {
    const [sa, fa] = instant(a.created_at);
    const [sb, fb] = instant(b.created_at);
    if (sa !== sb) return sb - sa;
    if (fa !== fb) {
      const width = Math.max(fa.length, fb.length);
      return fb.padEnd(width, "0") > fa.padEnd(width, "0") ? 1 : -1;
    }
  } else if (a.created_at || b.created_at) {
    return a.created_at ? -1 : 1;
  }
  return a.id === b.id ? 0 : a.id > b.id ? -1 : 1;
}
