import fc from "fast-check";
import { SaxesParser } from "saxes";
import { describe, expect, test } from "vitest";
import { jsonReport, junit, type RunReport, table, xmlText } from "../src/index.js";

const seed = Number(process.env.FAST_CHECK_SEED ?? 1);

function report(reason: string, counterexample: string): RunReport {
  const base = { rule: "order", runs: 5, plannedRuns: 5, requests: 9, ms: 12, seed: 7, path: "1:0" };
  return {
    profile: "full",
    strict: false,
    seed: 7,
    runs: 5,
    observed: { batches: 3, complete: true, horizonText: "2026-01-01T00:00:00Z" },
    requests: 30,
    writes: 0,
    allowWrites: false,
    ms: 40,
    ok: false,
    results: [
      { ...base, id: "C1", title: "schema", rule: "response-schema", tier: "documented", outcome: "fail", reason, counterexample },
      { ...base, id: "O1", title: "order", tier: "decided", outcome: "drift", reason, counterexample },
      { ...base, id: "F5", title: "empty", rule: "empty-results", tier: "decided", outcome: "pass" },
      { ...base, id: "P3", title: "pages", rule: "exactly-once", tier: "documented", outcome: "skip", reason: `needs data ${reason}` },
    ],
  };
}

/** Parses with a strict XML 1.0 parser: throws on anything that is not well-formed. */
function parse(xml: string): { testcases: number; properties: Record<string, string>[] } {
  const parser = new SaxesParser();
  let testcases = 0;
  const properties: Record<string, string>[] = [];
  parser.on("opentag", (tag) => {
    if (tag.name === "testcase") testcases += 1;
    if (tag.name === "property") properties.push(tag.attributes as Record<string, string>);
  });
  parser.on("error", (e) => {
    throw e;
  });
  parser.write(xml).close();
  return { testcases, properties };
}

describe("reports", () => {
  test("any counterexample text, control characters and lone surrogates included, gives a well-formed JUnit report", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }),
        fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) }),
        (text, controls) => {
          const xml = junit(report(`${text}${controls}`, `${controls}"<&>${text}`), `http://x/${text}`);
          const parsed = parse(xml);
          expect(parsed.testcases).toBe(4);
        },
      ),
      { seed, numRuns: 300 },
    );
  });

  test("the evidence survives: illegal characters are written as \\u escapes, not dropped", () => {
    expect(xmlText("a\u0000b\u001bc\uD800d<")).toBe("a\\u0000b\\u001bc\\ud800d&lt;");
    expect(xmlText("tab\tnewline\n")).toBe("tab\tnewline\n");
  });

  test("the tier is in the table, in JUnit (a property and the class name) and in the JSON report", () => {
    const r = report("items are not newest-first", "[1]");
    expect(table(r)).toMatch(/\| O1 +\| decided +\| 5 +\| 9 +\| DRIFT +\|/);
    expect(table(r)).toMatch(/\| C1 +\| documented +\| .* FAIL +\|/);
    const xml = junit(r, "http://x");
    expect(parse(xml).properties).toContainEqual({ name: "tier", value: "decided" });
    expect(xml).toMatch(/classname="batches-contract.decided" name="O1 order \[DRIFT\]"/);
    expect(xml).toMatch(/<failure message="items are not newest-first">/);
    const json = JSON.parse(jsonReport(r, "http://x")) as {
      target: string;
      results: { id: string; tier: string; rule: string; outcome: string }[];
    };
    expect(json.target).toBe("http://x");
    expect(json.results.map((x) => [x.id, x.tier, x.outcome])).toEqual([
      ["C1", "documented", "fail"],
      ["O1", "decided", "drift"],
      ["F5", "decided", "pass"],
      ["P3", "documented", "skip"],
    ]);
  });
});
