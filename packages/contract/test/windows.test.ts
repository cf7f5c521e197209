import type { Batch } from "@llama-batches/client";
import { compareInstants, formatInstant, instantOf } from "@llama-batches/spec";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Observed } from "../src/observe.js";
import { windowSource } from "../src/windows.js";

const seed = Number(process.env.FAST_CHECK_SEED ?? 1);

/** Batches at instants with many ties and sub-millisecond neighbours, some written with +00:00. */
const dataArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 999_999 }), fc.boolean()), { minLength: 3, maxLength: 60 })
  .map((rows) =>
    rows.map(([second, micros, python], i): Batch => {
      const text = formatInstant({
        seconds: 1_800_000_000 + second,
        fraction: String(micros % 3 === 0 ? 0 : micros)
          .padStart(6, "0")
          .replace(/0+$/, ""),
      });
      return {
        id: `bat-${String(i).padStart(3, "0")}`,
        config: { job: { configuration_id: "cfg-1", type: "parse_v2" } },
        project_id: "p",
        source_directory_id: "d",
        status: "COMPLETED",
        created_at: python ? text.replace(/Z$/, "+00:00") : text,
      };
    }),
  );

const newestFirst = (a: Batch, b: Batch) =>
  compareInstants(instantOf(b.created_at as string), instantOf(a.created_at as string)) || (a.id < b.id ? 1 : -1);

function observedOf(order: Batch[], prefix: number): Observed {
  const batches = order.slice(0, prefix);
  const ascending = order[0] && order[1] ? newestFirst(order[0], order[1]) > 0 : false;
  return {
    batches,
    complete: prefix >= order.length,
    statuses: ["COMPLETED"],
    projectIds: ["p"],
    directoryIds: ["d"],
    timestamps: [...new Set(batches.map((b) => b.created_at as string))],
    horizon: { seconds: 2_000_000_000, fraction: "" },
    horizonText: "2033-05-18T03:33:20Z",
    monotone: ascending ? "ascending" : "descending",
  };
}

describe("windows are computed from what the server returned, in any direction", () => {
  test("newest first or oldest first, complete or a prefix: an exact window holds every batch between its bounds, no other", () => {
    fc.assert(
      fc.property(dataArb, fc.boolean(), fc.nat(), fc.nat(), fc.nat(), (data, oldestFirst, cut, from, span) => {
        const order = [...data].sort(newestFirst);
        if (oldestFirst) order.reverse();
        const observed = observedOf(order, 2 + (cut % (order.length - 1)));
        const source = windowSource(observed);
        if (!source) return;
        const w = source.window(from % source.usable.length, (from % source.usable.length) + (span % 12));
        const lo = instantOf(w.after);
        const hi = instantOf(w.before);
        expect(compareInstants(lo, hi)).toBeLessThanOrEqual(0);
        const truth = data.filter((b) => {
          const t = instantOf(b.created_at as string);
          return compareInstants(t, lo) >= 0 && compareInstants(t, hi) <= 0;
        });
        expect(w.exact).toBe(true);
        expect(new Set(w.expected.map((b) => b.id))).toEqual(new Set(truth.map((b) => b.id)));
        // In the server's own order.
        const position = new Map(order.map((b, i) => [b.id, i]));
        expect(w.expected.map((b) => position.get(b.id))).toEqual(
          [...w.expected.map((b) => position.get(b.id))].sort((a, b) => (a ?? 0) - (b ?? 0)),
        );
      }),
      { seed, numRuns: 500 },
    );
  });

  test("batches created after the horizon are never a window's bound", () => {
    const data = Array.from(
      { length: 6 },
      (_, i): Batch => ({
        id: `bat-${i}`,
        config: { job: { configuration_id: "c", type: "parse_v2" } },
        project_id: "p",
        source_directory_id: "d",
        status: "RUNNING",
        created_at: formatInstant({ seconds: 1_000 * (6 - i), fraction: "" }),
      }),
    );
    const observed = { ...observedOf(data, 6), horizon: { seconds: 3_500, fraction: "" } };
    const source = windowSource(observed);
    expect(source?.usable.map((b) => b.id)).toEqual(["bat-3", "bat-4", "bat-5"]);
  });
});
