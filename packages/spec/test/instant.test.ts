import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { addMicroseconds, compareDateTimes, compareInstants, formatInstant, instantOf, parseDateTime } from "../src/index.js";

const seed = Number(process.env.FAST_CHECK_SEED ?? 1);
const SECONDS = { min: Date.UTC(1, 0, 1) / 1000, max: Date.UTC(9998, 11, 31) / 1000 };
const instantArb = fc.record({
  seconds: fc.integer(SECONDS),
  fraction: fc.stringMatching(/^\d{0,9}$/).map((f) => f.replace(/0+$/, "")),
});
const offsetArb = fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 });

describe("instants at the precision they arrive", () => {
  test("any instant written in any offset reads back as the same instant, fraction and all", () => {
    fc.assert(
      fc.property(instantArb, offsetArb, (instant, offset) => {
        const text = formatInstant(instant, offset);
        const parsed = parseDateTime(text);
        expect(parsed).toEqual({ ok: true, instant, offsetMinutes: offset });
      }),
      { seed, numRuns: 500 },
    );
  });

  test("order agrees with Date.parse wherever milliseconds are enough", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: 0, max: 4_102_444_800_000 }), (a, b) => {
        const ta = new Date(a).toISOString();
        const tb = new Date(b).toISOString();
        expect(Math.sign(compareDateTimes(ta, tb))).toBe(Math.sign(a - b));
      }),
      { seed },
    );
  });

  test("ties and order are decided on the whole fraction, in any notation", () => {
    expect(compareDateTimes("2026-03-03T11:00:00.123999Z", "2026-03-03T11:00:00.123001Z")).toBe(1);
    expect(compareDateTimes("2026-03-03T11:00:00.123456+00:00", "2026-03-03T11:00:00.123456Z")).toBe(0);
    expect(compareDateTimes("2026-03-03T12:00:00.1234560+01:00", "2026-03-03T11:00:00.123456Z")).toBe(0);
    expect(compareDateTimes("2026-03-03T11:00:00.1234561Z", "2026-03-03T11:00:00.123456Z")).toBe(1);
    expect(compareDateTimes("2026-03-03T11:00:00Z", "2026-03-03T11:00:00.000Z")).toBe(0);
  });

  test("microseconds are added exactly, across second boundaries, both ways", () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: -5_000_000, max: 5_000_000 }), (instant, us) => {
        const moved = addMicroseconds(instant, us);
        expect(addMicroseconds(moved, -us)).toEqual(instant);
        expect(Math.sign(compareInstants(moved, instant))).toBe(Math.sign(us));
      }),
      { seed },
    );
    expect(formatInstant(addMicroseconds(instantOf("2026-01-01T00:00:00.999999Z"), 1))).toBe("2026-01-01T00:00:01Z");
  });

  test.each([
    ["2026-01-01", "timezone offset required"],
    ["2026-01-01T00:00:00", "timezone offset required"],
    ["yesterday", "invalid character in year"],
    ["2026", "input is too short"],
    ["2026-13-01T00:00:00Z", "month value is outside expected range of 1-12"],
    ["2026-02-29T00:00:00Z", "day value is outside expected range"],
    ["2026-01-01T25:00:00Z", "hour value is outside expected range of 0-23"],
    ["2026-01-01T23:59:60Z", "second value is outside expected range of 0-59"],
    ["2026-01-01T00:00:00+24:00", "timezone offset hour value is outside expected range of 0-23"],
    ["2026-01-01T00:00:00Zjunk", "unexpected extra characters at the end of the input"],
    ["2026-01-01X00:00:00Z", "invalid datetime separator, expected `T`, `t`, `_` or space"],
  ])("%s is refused: %s", (text, error) => {
    const parsed = parseDateTime(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.error).toBe(error);
  });

  test("what the spec's date-time format accepts is accepted: 2024-02-29, space or t separator, ±hh, ±hhmm", () => {
    for (const text of ["2024-02-29T00:00:00Z", "2026-01-01 00:00:00z", "2026-01-01t00:00:00+01", "2026-01-01T00:00:00-0130"]) {
      expect(parseDateTime(text).ok, text).toBe(true);
    }
    expect(instantOf("2026-01-01T00:00:00-0130")).toEqual(instantOf("2026-01-01T01:30:00Z"));
  });
});
