import { parseDateTime } from "@llama-batches/spec";

/**
 * The instant a valid RFC 3339 date-time names, in ms since the epoch. Digits below the
 * millisecond are cut for an upper bound ("floor") and rounded up for a lower bound ("ceil"), so
 * that a bound never lets in a batch created outside it.
 */
export function instant(text: string, rounding: "floor" | "ceil"): number {
  const parsed = parseDateTime(text);
  if (!parsed.ok) throw new RangeError(`not a date-time: ${text}`);
  const { seconds, fraction } = parsed.instant;
  const ms = seconds * 1000 + Number(fraction.slice(0, 3).padEnd(3, "0"));
  return rounding === "ceil" && /[1-9]/.test(fraction.slice(3)) ? ms + 1 : ms;
}
