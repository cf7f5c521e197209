import { describe, expect, test } from "vitest";
import { getSpec, loadSpec } from "../src/index.js";

const spec = getSpec();

/** Every object of the document under paths and components, with its JSON pointer. */
function* nodes(node: unknown, pointer: string): Generator<[string, Record<string, unknown>]> {
  if (node === null || typeof node !== "object") return;
  if (!Array.isArray(node)) yield [pointer, node as Record<string, unknown>];
  for (const [key, child] of Object.entries(node)) yield* nodes(child, `${pointer}/${key}`);
}

describe("provenance: every rule of the spec has a tier", () => {
  test("the spec states documented and decided rules, each with a text", () => {
    const tiers = new Set([...spec.rules.values()].map((r) => r.tier));
    expect(tiers).toEqual(new Set(["documented", "decided"]));
    for (const r of spec.rules.values()) expect(r.text.length, r.id).toBeGreaterThan(10);
  });

  test('every "Decided here" text stands next to a decided rule (x-rules)', () => {
    const document = loadSpec();
    const unruled: string[] = [];
    for (const root of ["paths", "components"] as const) {
      for (const [pointer, node] of nodes(document[root], `#/${root}`)) {
        if (typeof node.description !== "string" || !/decided here/i.test(node.description)) continue;
        const rules = Object.values((node["x-rules"] ?? {}) as Record<string, { tier: string }>);
        if (!rules.some((r) => r.tier === "decided")) unruled.push(pointer);
      }
    }
    expect(unruled).toEqual([]);
  });

  test("a rule stated in several places says the same everywhere, and is found by id", () => {
    const repeated = [...spec.rules.values()].filter((r) => r.where.length > 1);
    expect(repeated.length).toBeGreaterThan(0);
    expect(spec.rule("order").tier).toBe("decided");
    expect(() => spec.rule("nope")).toThrow(/states no rule nope/);
  });
});
