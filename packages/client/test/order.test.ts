import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { type Batch, compareBatches } from "../src/index.js";
import { batch } from "./helpers/fake-fetch.js";

const at = (created_at: string | null | undefined, id: string): Batch => {
  const b = { ...batch(), id };
  if (created_at === undefined) delete (b as Partial<Batch>).created_at;
  else b.created_at = created_at;
  return b;
};
const order = (xs: Batch[]) => [...xs].sort(compareBatches).map((b) => b.id);

describe("compareBatches: the list's decided order", () => {
  test("newest first, to the microsecond, in any offset; ties by id descending; undated last", () => {
    expect(
      order([
        at("2026-03-03T11:00:00.123001Z", "bat-b"),
        at(null, "bat-n"),
        at("2026-03-03T11:00:00.123999+00:00", "bat-a"),
        at("2026-03-03T12:00:00.123999+01:00", "bat-c"),
        at(undefined, "bat-u"),
        at("2026-03-03T11:00:01Z", "bat-z"),
      ]),
    ).toEqual(["bat-z", "bat-c", "bat-a", "bat-b", "bat-u", "bat-n"]);
  });

  test.prop([
    fc.array(
      fc.tuple(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.integer({ min: 0, max: 999 }), fc.stringMatching(/^[0-9a-f]{1,4}$/)),
    ),
  ])("agrees with the microsecond instant it is given, whatever the spelling", (rows) => {
    const batches = rows.map(([ms, us, id]) =>
      at(`${new Date(ms).toISOString().slice(0, -1)}${String(us).padStart(3, "0")}Z`, `bat-${id}`),
    );
    const sorted = [...batches].sort(compareBatches);
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1] as Batch;
      const b = sorted[i] as Batch;
      const key = (x: Batch) => (x.created_at as string).replace(/[-:TZ.]/g, "");
      expect(key(a) > key(b) || (key(a) === key(b) && a.id >= b.id)).toBe(true);
    }
  });
});
