import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { createSchemaValidator, defaultSpecPath, loadExamples, loadSpec } from "../src/index.js";

const specPath = defaultSpecPath();
const spec = loadSpec(specPath);
const files = readdirSync(join(dirname(specPath), "examples")).filter((f) => f.endsWith(".yaml"));
const examples = loadExamples(specPath);
const validate = createSchemaValidator(spec);
const validatePage = (value: unknown) => validate("BatchListResponse", value);

type Responses = Record<string, { content: Record<string, { examples?: Record<string, { $ref: string }> }> }>;
const ok = (spec.paths["/api/v2/batches"]?.get as { responses: Responses } | undefined)?.responses["200"]?.content[
  "application/json"
];
const exampleValue = (name: string) => (examples[name]?.value ?? {}) as { next_page_token?: unknown };

describe("spec/examples", () => {
  test("there are examples, and every file is used by the spec", () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(Object.keys(examples).sort()).toEqual(files.map((f) => f.replace(/\.yaml$/, "")).sort());
  });

  test.each(files.map((f) => f.replace(/\.yaml$/, "")))("%s has a summary and validates against BatchListResponse", (name) => {
    expect(examples[name]?.summary).toBeTruthy();
    expect(validatePage(examples[name]?.value)).toEqual([]);
  });

  test("the default (first) 200 example is a final page, so paging a static mock ends", () => {
    const [first] = Object.keys(ok?.examples ?? {});
    expect(first).toBe("final-page");
    expect(exampleValue("final-page").next_page_token ?? null).toBeNull();
  });

  test("a multi-page example exists under another name", () => {
    expect(Object.keys(ok?.examples ?? {})).toContain("middle-page");
    expect(exampleValue("middle-page").next_page_token).toEqual(expect.any(String));
  });

  test("the validator bites: broken pages are rejected, naming what is wrong", () => {
    expect(validatePage({ items: [{ id: "x" }] }).join()).toMatch(/required property 'config'/);
    expect(validatePage({ items: [], total_size: -1 }).join()).toMatch(/total_size/);
    const batch = {
      id: "b",
      config: { job: { configuration_id: "c", type: "parse_v2" } },
      project_id: "p",
      source_directory_id: "d",
      status: "DONE",
    };
    expect(validatePage({ items: [batch] }).join()).toMatch(/status.*PENDING/);
    expect(validatePage({ items: [{ ...batch, status: "RUNNING", created_at: "yesterday" }] }).join()).toMatch(/date-time/);
    expect(validatePage({ items: [], next_page_token: null, total_size: 3 })).toEqual([]);
  });
});
