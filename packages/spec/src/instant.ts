/**
 * RFC 3339 date-times at the precision they arrive. `Date.parse` keeps milliseconds, but a Python
 * backend sends microseconds (`…T11:00:00.123456+00:00`), and several batches can be created inside
 * one millisecond: ordering, ties and bounds must be decided on the whole fraction.
 *
 * The grammar is the one the spec's `format: date-time` validator (ajv-formats) accepts, with a
 * required offset, except that a leap second (`:60`) is refused, as pydantic refuses it.
 */

/** An instant: whole seconds since the epoch (UTC), and the decimal fraction of the second. */
export interface Instant {
  readonly seconds: number;
  /** Digits after the decimal point, trailing zeros removed: "" for a whole second. */
  readonly fraction: string;
}

export type ParsedDateTime =
  | { ok: true; instant: Instant; offsetMinutes: number }
  /** `naive`: a valid date or date-time without an offset. */
  | { ok: false; error: string; naive?: true };

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Parses an RFC 3339 date-time; on failure, says why in pydantic's words. */
export function parseDateTime(text: string): ParsedDateTime {
  const fail = (error: string): ParsedDateTime => ({ ok: false, error });
  const digits = (from: number, count: number, what: string): number | string => {
    for (let i = from; i < from + count; i++) {
      if (i >= text.length) return "input is too short";
      if (!isDigit(text[i])) return `invalid character in ${what}`;
    }
    return Number(text.slice(from, from + count));
  };
  const year = digits(0, 4, "year");
  if (typeof year === "string") return fail(year);
  if (text[4] !== "-") return fail(text.length <= 4 ? "input is too short" : "invalid date separator, expected `-`");
  const month = digits(5, 2, "month");
  if (typeof month === "string") return fail(month);
  if (text[7] !== "-") return fail(text.length <= 7 ? "input is too short" : "invalid date separator, expected `-`");
  const day = digits(8, 2, "day");
  if (typeof day === "string") return fail(day);
  if (month < 1 || month > 12) return fail("month value is outside expected range of 1-12");
  const monthDays = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day < 1 || day > monthDays) return fail("day value is outside expected range");
  if (text.length === 10) return { ok: false, error: "timezone offset required", naive: true };
  if (!/^[Tt\s]$/.test(text[10] ?? "")) return fail("invalid datetime separator, expected `T`, `t`, `_` or space");
  const hour = digits(11, 2, "hour");
  if (typeof hour === "string") return fail(hour);
  if (text[13] !== ":") return fail(text.length <= 13 ? "input is too short" : "invalid time separator, expected `:`");
  const minute = digits(14, 2, "minute");
  if (typeof minute === "string") return fail(minute);
  if (text[16] !== ":") return fail(text.length <= 16 ? "input is too short" : "invalid time separator, expected `:`");
  const second = digits(17, 2, "second");
  if (typeof second === "string") return fail(second);
  if (hour > 23) return fail("hour value is outside expected range of 0-23");
  if (minute > 59) return fail("minute value is outside expected range of 0-59");
  if (second > 59) return fail("second value is outside expected range of 0-59");
  let at = 19;
  let fraction = "";
  if (text[at] === ".") {
    const start = ++at;
    while (isDigit(text[at])) at++;
    if (at === start) return fail("second fraction value is missing");
    fraction = text.slice(start, at).replace(/0+$/, "");
  }
  let offsetMinutes: number;
  const sign = text[at];
  if (sign === undefined) return { ok: false, error: "timezone offset required", naive: true };
  if (sign === "Z" || sign === "z") {
    offsetMinutes = 0;
    at += 1;
  } else if (sign === "+" || sign === "-") {
    const hours = digits(at + 1, 2, "timezone offset");
    if (typeof hours === "string") return fail(hours);
    at += 3;
    let minutes = 0;
    if (text[at] === ":" || isDigit(text[at])) {
      if (text[at] === ":") at += 1;
      const m = digits(at, 2, "timezone offset");
      if (typeof m === "string") return fail(m);
      minutes = m;
      at += 2;
    }
    if (hours > 23) return fail("timezone offset hour value is outside expected range of 0-23");
    if (minutes > 59) return fail("timezone offset minute value is outside expected range of 0-59");
    offsetMinutes = (sign === "-" ? -1 : 1) * (hours * 60 + minutes);
  } else {
    return fail("invalid timezone sign");
  }
  if (at !== text.length) return fail("unexpected extra characters at the end of the input");
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second - offsetMinutes * 60;
  return { ok: true, instant: { seconds, fraction }, offsetMinutes };
}

/** The instant a valid date-time names; throws on an invalid one. */
export function instantOf(text: string): Instant {
  const parsed = parseDateTime(text);
  if (!parsed.ok) throw new RangeError(`not an RFC 3339 date-time with an offset (${parsed.error}): ${JSON.stringify(text)}`);
  return parsed.instant;
}

/** Negative, zero or positive as `a` is before, at, or after `b`, on the whole fraction. */
export function compareInstants(a: Instant, b: Instant): number {
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  if (a.fraction === b.fraction) return 0;
  const width = Math.max(a.fraction.length, b.fraction.length);
  const fa = a.fraction.padEnd(width, "0");
  const fb = b.fraction.padEnd(width, "0");
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

/** Compares two date-time strings as instants (throws on an invalid one). */
export function compareDateTimes(a: string, b: string): number {
  return compareInstants(instantOf(a), instantOf(b));
}

/**
 * Writes an instant as RFC 3339 with the given offset (`Z` for 0), keeping its whole fraction:
 * the same instant in any offset, to the last digit.
 */
export function formatInstant(instant: Instant, offsetMinutes = 0): string {
  const local = instant.seconds + offsetMinutes * 60;
  const days = Math.floor(local / 86_400);
  const rest = local - days * 86_400;
  const [year, month, day] = civilFromDays(days);
  if (year < 0 || year > 9999) throw new RangeError(`year ${year} cannot be written in RFC 3339`);
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(Math.floor(rest / 3_600))}:${two(Math.floor((rest % 3_600) / 60))}:${two(rest % 60)}`;
  const fraction = instant.fraction ? `.${instant.fraction}` : "";
  const abs = Math.abs(offsetMinutes);
  const offset = offsetMinutes === 0 ? "Z" : `${offsetMinutes < 0 ? "-" : "+"}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
  return `${String(year).padStart(4, "0")}-${two(month)}-${two(day)}T${time}${fraction}${offset}`;
}

/** The instant `microseconds` µs after `instant` (negative: before), fraction kept exact. */
export function addMicroseconds(instant: Instant, microseconds: number): Instant {
  const width = Math.max(6, instant.fraction.length);
  const scale = 10n ** BigInt(width);
  const total =
    BigInt(instant.seconds) * scale + BigInt(instant.fraction.padEnd(width, "0") || "0") + BigInt(microseconds) * 10n ** BigInt(width - 6);
  let seconds = total / scale;
  let rest = total % scale;
  if (rest < 0n) {
    rest += scale;
    seconds -= 1n;
  }
  return { seconds: Number(seconds), fraction: rest.toString().padStart(width, "0").replace(/0+$/, "") };
}

// Howard Hinnant's days_from_civil / civil_from_days: exact for every proleptic Gregorian date.
function daysFromCivil(y: number, m: number, d: number): number {
  const year = m <= 2 ? y - 1 : y;
  const era = Math.floor(year / 400);
  const yoe = year - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function civilFromDays(z: number): [number, number, number] {
  const shifted = z + 719_468;
  const era = Math.floor(shifted / 146_097);
  const doe = shifted - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}
