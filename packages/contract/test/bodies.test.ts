import { getSpec } from "@llama-batches/spec";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { bodyWithExtras, invalidBodies, invalidBody, validBody } from "../src/bodies.js";

const spec = getSpec();
const seed = Number(process.env.FAST_CHECK_SEED ?? 1);
const op = spec.operation("createBatch");
const schema = op.requestBody?.schema as string;

/** The body as the spec's own FastAPI reader (the one both servers use) reads it. */
const parse = (text: string) => spec.parseBody("createBatch", text, "application/json");

describe("createBatch bodies derived from the spec", () => {
  test("the create operation takes a BatchCreateRequest", () => {
    expect(schema).toBe("BatchCreateRequest");
    expect(op.requestBody?.required).toBe(true);
  });

  test("valid bodies are valid", () => {
    fc.assert(
      fc.property(validBody(spec, schema), (body) => {
        const parsed = parse(JSON.stringify(body));
        expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
      }),
      { seed, numRuns: 300 },
    );
  });

  test("bodies with unknown fields are valid, the unknown fields are not the schema's, and the spec keeps them", () => {
    const known = Object.keys((spec.document.components?.schemas?.[schema] as { properties?: object } | undefined)?.properties ?? {});
    fc.assert(
      fc.property(bodyWithExtras(spec, schema), ({ body, extra }) => {
        expect(extra.length).toBeGreaterThan(0);
        for (const k of extra) expect(known).not.toContain(k);
        const parsed = parse(JSON.stringify(body));
        expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
      }),
      { seed, numRuns: 200 },
    );
  });

  test("invalid bodies are refused, and every issue's loc starts where the arbitrary says", () => {
    const kinds = new Set<string>();
    fc.assert(
      fc.property(invalidBody(spec, schema), (bad) => {
        kinds.add(bad.kind);
        const parsed = parse(bad.raw ?? JSON.stringify(bad.json));
        expect(parsed.ok, JSON.stringify(bad)).toBe(false);
        if (parsed.ok) return;
        const expected = ["body", ...bad.at];
        expect(
          parsed.issues.some((i) => JSON.stringify(i.loc.slice(0, expected.length)) === JSON.stringify(expected)),
          `${JSON.stringify(bad)} → ${JSON.stringify(parsed.issues)}`,
        ).toBe(true);
      }),
      { seed, numRuns: 500 },
    );
    expect([...kinds].sort()).toEqual(["enum", "json", "missing", "not-an-object", "type"]);
  });

  test("the required fields of every depth can go missing: source_directory_id, config, config.job.type", () => {
    const missing = new Set<string>();
    fc.assert(
      fc.property(invalidBody(spec, schema), (bad) => {
        if (bad.kind === "missing") missing.add(bad.at.join("."));
      }),
      { seed, numRuns: 500 },
    );
    for (const at of ["source_directory_id", "config", "config.job", "config.job.type", "config.job.configuration_id"]) {
      expect(missing).toContain(at);
    }
  });

  test("one draw of invalidBodies leaves out every required field in turn, each refused where it says", () => {
    // Read from the spec, so that a new required field is covered without touching this test.
    const required = (name: string): string[] => {
      const node = spec.document.components?.schemas?.[name] as { required?: string[] } | undefined;
      return node?.required ?? [];
    };
    fc.assert(
      fc.property(invalidBodies(spec, schema), (bodies) => {
        const missing = bodies.filter((b) => b.kind === "missing" && b.raw === undefined).map((b) => b.at.join("."));
        for (const field of required(schema)) expect(missing).toContain(field);
        expect(missing).toContain("config.job.type");
        for (const bad of bodies) expect(parse(bad.raw ?? JSON.stringify(bad.json)).ok).toBe(false);
      }),
      { seed, numRuns: 100 },
    );
  });
});
