import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { getSpec } from "../src/index.js";

const spec = getSpec();
const files = readdirSync(fileURLToPath(new URL("../../../spec/examples/", import.meta.url))).filter((f) => f.endsWith(".yaml"));

/** Every named example of every response and request body, with the schema it must match. */
function allExamples(): { where: string; name: string; schema: string; summary?: string | undefined; value: unknown }[] {
  const out = [];
  for (const op of spec.operations) {
    for (const [status, schema] of op.responseSchemas) {
      for (const [name, ex] of Object.entries(spec.responseExamples(op.id, status))) {
        out.push({ where: `${op.id} ${status}`, name, schema, summary: ex.summary, value: ex.value });
      }
    }
  }
  return out;
}

describe("spec/examples", () => {
  test("there are examples, and every file is used by the spec", () => {
    const used = Object.keys(spec.document.components.examples ?? {}).length;
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(used).toBe(files.length);
  });

  test.each(allExamples().map((e) => [`${e.where} ${e.name}`, e] as const))("%s validates against its response schema", (_, e) => {
    expect(spec.validateSchema(e.schema, e.value)).toEqual([]);
  });

  test("named examples have a summary", () => {
    for (const e of allExamples().filter((x) => x.name !== "default")) expect(e.summary, `${e.where} ${e.name}`).toBeTruthy();
  });

  test("the default (first) 200 example of every operation lets a client's happy path end: no next page", () => {
    for (const op of spec.operations) {
      const [first] = Object.values(spec.responseExamples(op.id, 200));
      if (!first) continue;
      expect((first.value as { next_page_token?: unknown }).next_page_token ?? null, op.id).toBeNull();
    }
  });

  test("a multi-page example exists under another name", () => {
    const pages = spec.responseExamples("listBatches", 200);
    expect(Object.keys(pages)[0]).toBe("final-page");
    expect((pages["middle-page"]?.value as { next_page_token?: unknown } | undefined)?.next_page_token).toEqual(expect.any(String));
  });

  test("the validator bites: broken pages are rejected, naming what is wrong", () => {
    const page = (value: unknown) => spec.validateSchema("BatchListResponse", value);
    expect(page({ items: [{ id: "x" }] }).join()).toMatch(/required property 'config'/);
    expect(page({ items: [], total_size: -1 }).join()).toMatch(/total_size/);
    const batch = {
      id: "b",
      config: { job: { configuration_id: "c", type: "parse_v2" } },
      project_id: "p",
      source_directory_id: "d",
      status: "DONE",
    };
    expect(page({ items: [batch] }).join()).toMatch(/status.*PENDING/);
    expect(page({ items: [{ ...batch, status: "RUNNING", created_at: "yesterday" }] }).join()).toMatch(/date-time/);
    expect(page({ items: [], next_page_token: null, total_size: 3 })).toEqual([]);
  });
});

describe("request and webhook examples", () => {
  test("every request body example validates against its body schema", () => {
    const bodies = spec.operations.filter((op) => op.requestBody);
    expect(bodies.length).toBeGreaterThan(0);
    for (const op of bodies) {
      const examples = Object.entries(spec.requestExamples(op.id));
      expect(examples.length, op.id).toBeGreaterThan(0);
      for (const [name, ex] of examples)
        expect(spec.validateSchema(op.requestBody?.schema ?? "", ex.value), `${op.id} ${name}`).toEqual([]);
    }
  });

  test("every webhook example validates against its payload schema, read through spec.webhookExamples", () => {
    const webhooks = (spec.document as { webhooks?: Record<string, { post?: { requestBody?: unknown } }> }).webhooks ?? {};
    expect(Object.keys(webhooks).length).toBeGreaterThan(0);
    for (const [name, item] of Object.entries(webhooks)) {
      const media = (item.post?.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> })?.content?.["application/json"];
      const schema = media?.schema?.$ref?.split("/").pop() ?? "";
      const examples = Object.entries(spec.webhookExamples(name));
      expect(examples.length, name).toBeGreaterThan(0);
      for (const [exampleName, ex] of examples) expect(spec.validateSchema(schema, ex.value), `${name} ${exampleName}`).toEqual([]);
    }
    expect(() => spec.webhookExamples("nope")).toThrow(/no webhook nope; it has batchEvent/);
  });
});
