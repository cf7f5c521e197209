import { parseDateTime } from "@llama-batches/spec";

/**
 * An instant at the backend's precision: whole seconds since the epoch and microseconds. Two
 * numbers rather than one: microseconds since the epoch lose exactness beyond ±285 years, and
 * RFC 3339 spans years 0000 to 9999.
 */
export interface At {
  s: number;
  us: number;
}

/** Where a batch without created_at stands: after every date, and never inside a date bound. */
export const NO_DATE: At = { s: Number.NEGATIVE_INFINITY, us: 0 };

export function compareAt(a: At, b: At): number {
  if (a.s !== b.s) return a.s < b.s ? -1 : 1;
  return a.us - b.us;
}

/**
 * The instant a valid RFC 3339 date-time names, to the microsecond. Digits below the microsecond
 * are cut for an upper bound ("floor") and rounded up for a lower bound ("ceil"), so that a bound
 * never lets in a batch created outside it.
 */
export function atOf(text: string, rounding: "floor" | "ceil" = "floor"): At {
  const parsed = parseDateTime(text);
  if (!parsed.ok) throw new RangeError(`not a date-time: ${text}`);
  const { seconds, fraction } = parsed.instant;
  const at = { s: seconds, us: Number(fraction.slice(0, 6).padEnd(6, "0")) };
  return rounding === "ceil" && /[1-9]/.test(fraction.slice(6)) ? shiftAt(at, 1) : at;
}

/** `at` moved by `us` microseconds (either way). */
export function shiftAt(at: At, us: number): At {
  const total = at.us + us;
  const carry = Math.floor(total / 1_000_000);
  return { s: at.s + carry, us: total - carry * 1_000_000 };
}
