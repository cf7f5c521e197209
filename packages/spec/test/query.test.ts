import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { expectedList, getSpec } from "../src/index.js";

const spec = getSpec();
const list = spec.operation("listBatches");
const parse = (query: string) => spec.parseQuery("listBatches", new URLSearchParams(query));
const seed = Number(process.env.FAST_CHECK_SEED ?? 1);

describe("query parsing as FastAPI does it", () => {
  test("valid values come back typed; UUIDs in one spelling; unknown and differently-cased names are ignored", () => {
    const size = list.pageSize?.maximum ?? 0;
    const status = spec.enumOf("BatchStatus")[0];
    const parsed = parse(`page_size=${size}&status=${status}&project_id=URN:UUID:9B2F1C3E-5A4D-4E8F-9C1B-2D3E4F5A6B7C&Page_Size=0&foo=bar`);
    expect(parsed).toEqual({ ok: true, query: { page_size: size, status, project_id: "9b2f1c3e-5a4d-4e8f-9c1b-2d3e4f5a6b7c" } });
  });

  test("the last value of a repeated parameter wins", () => {
    expect(parse("page_size=abc&page_size=3")).toEqual({ ok: true, query: { page_size: 3 } });
    expect(parse("page_size=3&page_size=abc").ok).toBe(false);
  });

  test("every invalid parameter is named, in the order the spec lists them, with pydantic's type and words", () => {
    const parsed = parse("status=nope&page_size=x&created_at_on_or_after=2026-01-01");
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((i) => [i.loc, i.type])).toEqual([
      [["query", "created_at_on_or_after"], "timezone_aware"],
      [["query", "page_size"], "int_parsing"],
      [["query", "status"], "enum"],
    ]);
    expect(parsed.issues[2]).toEqual({
      type: "enum",
      loc: ["query", "status"],
      msg: `Input should be ${expectedList(spec.enumOf("BatchStatus"))}`,
      input: "nope",
      ctx: { expected: expectedList(spec.enumOf("BatchStatus")) },
    });
  });

  test("page_size bounds come from the spec", () => {
    const { minimum, maximum } = list.pageSize ?? { minimum: 0, maximum: 0 };
    expect(parse(`page_size=${minimum}`).ok).toBe(true);
    expect(parse(`page_size=${minimum - 1}`)).toMatchObject({ ok: false, issues: [{ type: "greater_than_equal", ctx: { ge: minimum } }] });
    const above = parse(`page_size=${maximum + 1}`);
    const page = list.query.find((p) => p.name === "page_size");
    // Either refused (a schema maximum) or accepted to be coerced (x-coerce-maximum): the spec says which.
    expect(above.ok).toBe(page?.maximum === undefined);
  });

  test("any string is parsed without throwing, and an issue always names a parameter that was sent", () => {
    const names = list.query.map((p) => p.name);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), fc.string()), fc.string({ unit: "binary" })), { maxLength: 8 }),
        (pairs) => {
          const params = new URLSearchParams(pairs);
          const parsed = spec.parseQuery("listBatches", params);
          if (!parsed.ok) {
            for (const i of parsed.issues) {
              expect(i.loc[0]).toBe("query");
              expect(params.has(String(i.loc[1]))).toBe(true);
              expect(i.msg).toBeTruthy();
            }
          }
        },
      ),
      { seed, numRuns: 500 },
    );
  });
});

describe("schema issues as FastAPI reports body errors", () => {
  test("missing fields, wrong types and enums are located from the body's root", () => {
    const issues = spec.schemaIssues("Batch", { id: 7, config: { job: { type: "parse_v3" } } }, ["body"]);
    expect(issues.map((i) => [i.loc.join("."), i.type])).toEqual(
      expect.arrayContaining([
        ["body.project_id", "missing"],
        ["body.id", "string_type"],
        ["body.config.job.configuration_id", "missing"],
        ["body.config.job.type", "enum"],
      ]),
    );
  });

  test("a valid value has no issues and no problems", () => {
    const [example] = Object.values(spec.responseExamples("listBatches", 200));
    const batch = (example?.value as { items: unknown[] } | undefined)?.items[0];
    expect(spec.schemaIssues("Batch", batch, ["body"])).toEqual([]);
    expect(spec.validateSchema("Batch", batch)).toEqual([]);
  });
});
