import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadYaml, schemaValidator, specPath } from "./helpers/spec.js";

const examplesDir = join(dirname(specPath), "examples");
const files = readdirSync(examplesDir).filter((f) => f.endsWith(".yaml"));
const validatePage = schemaValidator("BatchListResponse");

type Spec = {
  paths: Record<string, { get: { responses: Record<string, { content: Record<string, { examples: Record<string, { $ref: string }> }> }> } }>;
  components: { examples: Record<string, { $ref: string }> };
};
const spec = loadYaml(specPath) as Spec;
const ok = spec.paths["/api/v2/batches"]?.get.responses["200"]?.content["application/json"];

describe("spec/examples", () => {
  test("there are examples, and every file is used by the spec", () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    const referenced = Object.values(spec.components.examples).map((e) => e.$ref.replace("./examples/", ""));
    expect(referenced.sort()).toEqual([...files].sort());
  });

  test.each(files)("%s validates against BatchListResponse", (file) => {
    const example = loadYaml(join(examplesDir, file)) as { summary?: string; value: unknown };
    expect(example.summary).toBeTruthy();
    expect(validatePage(example.value)).toEqual([]);
  });

  test("the default (first) 200 example is a final page, so paging a static mock ends", () => {
    const [name, ref] = Object.entries(ok?.examples ?? {})[0] ?? [];
    expect(name).toBe("final-page");
    const file = spec.components.examples[ref?.$ref.split("/").pop() ?? ""]?.$ref ?? "";
    const example = loadYaml(join(dirname(specPath), file)) as { value: { next_page_token?: unknown } };
    expect(example.value.next_page_token ?? null).toBeNull();
  });

  test("a multi-page example exists under another name", () => {
    expect(Object.keys(ok?.examples ?? {})).toContain("middle-page");
  });

  test("the validator bites: a broken page is rejected", () => {
    expect(validatePage({ items: [{ id: "x" }] })).not.toEqual([]);
    expect(validatePage({ items: [], total_size: -1 })).not.toEqual([]);
    expect(
      validatePage({
        items: [
          {
            id: "b",
            config: { job: { configuration_id: "c", type: "parse_v2" } },
            project_id: "p",
            source_directory_id: "d",
            status: "DONE",
          },
        ],
      }),
    ).not.toEqual([]);
    expect(validatePage({ items: [], next_page_token: null, total_size: 3 })).toEqual([]);
  });
});
