import type { Batch } from "@llama-batches/client";
import { compareInstants, type Instant } from "@llama-batches/spec";
import fc from "fast-check";
import { createdAt, type Observed } from "./observe.js";

/**
 * A window of the observed data: `[created_at_on_or_after, created_at_on_or_before]`, both bounds
 * existing created_at values (as the server wrote them, whole fraction and offset), and the batches
 * the observation saw inside it. Computed from what the server returned, in its order: nothing here
 * assumes a direction.
 */
export interface Window {
  /** The earlier bound. */
  after: string;
  /** The later bound. */
  before: string;
  /** Observed batches inside the window, in the server's order. */
  expected: Batch[];
  /**
   * True when `expected` is all the window holds: the observation saw all the data, or the server
   * orders by created_at and the window lies strictly inside what it saw. Otherwise `expected` is
   * only what the window holds at least.
   */
  exact: boolean;
}

interface Source {
  /** Observed batches with a created_at at or before the horizon, in the server's order. */
  usable: Batch[];
  /** Indices in `usable` whose created_at equals their predecessor's: where keyset paging slips. */
  ties: number[];
  window(from: number, to: number): Window;
}

/** Where windows come from, or undefined when the observation has too few stable batches. */
export function windowSource(observed: Observed): Source | undefined {
  const stable = observed.batches.filter((b) => {
    const at = createdAt(b);
    return at !== undefined && compareInstants(at, observed.horizon) <= 0;
  });
  let usable = stable;
  let exact = observed.complete;
  if (!observed.complete && observed.monotone) {
    // Batches tied with the last one seen may go on beyond the sample: stay strictly inside it.
    const last = createdAt(observed.batches[observed.batches.length - 1] as Batch);
    usable = last ? stable.filter((b) => compareInstants(createdAt(b) as Instant, last) !== 0) : stable;
    exact = true;
  }
  if (usable.length < 2) return undefined;
  const at = usable.map((b) => createdAt(b) as Instant);
  const ties = at.flatMap((t, i) => (i > 0 && compareInstants(at[i - 1] as Instant, t) === 0 ? [i] : []));
  const window = (from: number, to: number): Window => {
    const a = usable[Math.max(0, Math.min(from, usable.length - 1))] as Batch;
    const b = usable[Math.max(0, Math.min(to, usable.length - 1))] as Batch;
    const [lo, hi] = compareInstants(createdAt(a) as Instant, createdAt(b) as Instant) <= 0 ? [a, b] : [b, a];
    const loAt = createdAt(lo) as Instant;
    const hiAt = createdAt(hi) as Instant;
    const expected = observed.batches.filter((x) => {
      const t = createdAt(x);
      return t !== undefined && compareInstants(t, loAt) >= 0 && compareInstants(t, hiAt) <= 0;
    });
    return { after: lo.created_at as string, before: hi.created_at as string, expected, exact };
  };
  return { usable, ties, window };
}

/** Windows of up to `maxSpan` + 1 consecutive observed batches; half of them start near a tie. */
export function windowArb(observed: Observed, maxSpan = 12): fc.Arbitrary<Window> | undefined {
  const w = windowSource(observed);
  if (!w) return undefined;
  const anyStart = fc.integer({ min: 0, max: w.usable.length - 1 });
  const start =
    w.ties.length > 0
      ? fc.oneof(
          anyStart,
          fc.tuple(fc.constantFrom(...w.ties), fc.integer({ min: 0, max: 8 })).map(([t, back]) => Math.max(0, t - back)),
        )
      : anyStart;
  return fc.tuple(start, fc.integer({ min: 0, max: maxSpan })).map(([from, span]) => w.window(from, from + span));
}

/**
 * Windows in which a tie on created_at falls inside one page after the first, at `pageSize`: the
 * only place where a server that orders ties differently on later pages can be seen doing it.
 */
export function tieOnLaterPageArb(observed: Observed, pageSize: number): fc.Arbitrary<Window> | undefined {
  const w = windowSource(observed);
  if (!w || w.ties.length === 0) return undefined;
  return fc
    .tuple(fc.constantFrom(...w.ties), fc.integer({ min: pageSize + 1, max: pageSize * 3 }), fc.integer({ min: 0, max: pageSize }))
    .map(([tie, back, extra]) => w.window(Math.max(0, tie - back), tie + 1 + extra));
}
