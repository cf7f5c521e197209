import type { Batch } from "./types.js";

/** Whole seconds since the epoch (in ms) and the fraction's digits of an RFC 3339 date-time. */
function instant(text: string): [number, string] {
  const fraction = /:\d\d\.(\d+)/.exec(text)?.[1] ?? "";
  return [Date.parse(text.replace(/(:\d\d)\.\d+/, "$1")), fraction.replace(/0+$/, "")];
}

/**
 * Orders two RFC 3339 date-times by the instants they name, to the last fraction digit (`Date.parse`
 * keeps milliseconds only): negative when `a` is earlier.
 */
export function compareDateTimes(a: string, b: string): number {
  const [sa, fa] = instant(a);
  const [sb, fb] = instant(b);
  if (sa !== sb) return sa - sb;
  // Fraction digits without trailing zeros compare as strings exactly as the fractions do ("45" < "5").
  return fa === fb ? 0 : fa < fb ? -1 : 1;
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
  const byTime = a.created_at && b.created_at ? compareDateTimes(b.created_at, a.created_at) : a.created_at ? -1 : b.created_at ? 1 : 0;
  return byTime !== 0 ? byTime : a.id === b.id ? 0 : a.id > b.id ? -1 : 1;
}
