import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { DEEPER_INPUT, getSpec, INPUT_DEPTH, truncateDepth, validationError } from "../src/index.js";

const spec = getSpec();
const seed = Number(process.env.FAST_CHECK_SEED ?? 1);
const [example] = Object.values(spec.requestExamples("createBatch"));
const valid = example?.value as Record<string, unknown>;
const create = (text: string | undefined, contentType?: string) => spec.parseBody("createBatch", text, contentType);
const locs = (parsed: ReturnType<typeof create>) => (parsed.ok ? [] : parsed.issues.map((i) => [i.loc, i.type]));

describe("request bodies as FastAPI reads them", () => {
  test("the spec's own example is a valid body, and comes back as sent", () => {
    expect(create(JSON.stringify(valid), "application/json")).toEqual({ ok: true, body: valid });
  });

  test("no body, an empty one and JSON null are a missing body", () => {
    for (const text of [undefined, "", "null"]) expect(locs(create(text, "application/json"))).toEqual([[["body"], "missing"]]);
  });

  test("a missing required field is named under body; the input is the object it is missing from", () => {
    const { source_directory_id: _, ...rest } = valid;
    const parsed = create(JSON.stringify(rest));
    expect(parsed).toEqual({
      ok: false,
      issues: [{ type: "missing", loc: ["body", "source_directory_id"], msg: "Field required", input: rest }],
    });
  });

  test("a wrong job type, wrong types and a wrong event are each named at their path", () => {
    const body = {
      ...valid,
      config: { job: { configuration_id: 7, type: "parse_v9" } },
      webhook_configuration_ids: "wh-1",
      webhook_configurations: [{ webhook_events: ["batch.nope"], webhook_headers: { a: 1 } }],
    };
    expect(locs(create(JSON.stringify(body))).sort()).toEqual(
      [
        [["body", "config", "job", "configuration_id"], "string_type"],
        [["body", "config", "job", "type"], "enum"],
        [["body", "webhook_configuration_ids"], "list_type"],
        [["body", "webhook_configurations", 0, "webhook_events", 0], "enum"],
        [["body", "webhook_configurations", 0, "webhook_headers", "a"], "string_type"],
      ].sort(),
    );
  });

  test("unknown fields are ignored (decided, as pydantic's default)", () => {
    expect(spec.rule("extra-fields-ignored").tier).toBe("decided");
    const body = { ...valid, priority: "high", config: { job: { configuration_id: "cfg-x", type: "extract_v2", extra: 1 } } };
    expect(create(JSON.stringify(body)).ok).toBe(true);
  });

  test("not JSON is json_invalid at a position, in Python's words", () => {
    expect(create('{"config":', "application/json")).toEqual({
      ok: false,
      issues: [{ type: "json_invalid", loc: ["body", 10], msg: "JSON decode error", input: {}, ctx: { error: "Expecting value" } }],
    });
    const parsed = create("{'a': 1}");
    expect(parsed.ok || parsed.issues[0]?.ctx).toEqual({ error: "Expecting property name enclosed in double quotes" });
  });

  test("a JSON array or scalar is not an object; a non-JSON content type hands the text to the model", () => {
    expect(locs(create("[]"))).toEqual([[["body"], "model_attributes_type"]]);
    expect(locs(create(JSON.stringify(valid), "text/plain"))).toEqual([[["body"], "model_attributes_type"]]);
    expect(create(JSON.stringify(valid), "application/vnd.api+json; charset=utf-8").ok).toBe(true);
  });

  test("an operation without a body ignores whatever is sent", () => {
    expect(spec.parseBody("cancelBatch", "not json", "application/json")).toEqual({ ok: true, body: undefined });
  });

  test("whatever the bytes, the answer is a body or issues under body, never a throw", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        fc.constantFrom(undefined, "application/json", "text/plain"),
        (text, type) => {
          const parsed = create(text, type);
          if (!parsed.ok) for (const i of parsed.issues) expect(i.loc[0]).toBe("body");
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});

describe("regions", () => {
  test("the spec names a default region and the EU region, each with its own server", () => {
    expect(spec.regions.map((r) => r.region)).toEqual(["na", "eu"]);
    expect(spec.regions[0]?.url).toBe((spec.document.servers as { url: string }[])[0]?.url);
    expect(new Set(spec.regions.map((r) => r.url)).size).toBe(spec.regions.length);
  });
});

describe("echoed input is bounded", () => {
  test("a value nested deeper than INPUT_DEPTH is echoed cut there, so that any serialiser can take the 422", () => {
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    const parsed = spec.parseBody(
      "createBatch",
      `{"source_directory_id":${deep},"config":{"job":{"type":"parse_v2","configuration_id":"c"}}}`,
      "application/json",
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const body = validationError(parsed.issues);
    const text = JSON.stringify(body);
    expect(text).toContain(`${"[".repeat(INPUT_DEPTH)}${JSON.stringify(DEEPER_INPUT)}${"]".repeat(INPUT_DEPTH)}`);
    expect(body.detail[0]?.loc).toEqual(["body", "source_directory_id"]);
  });

  test("shallow inputs are echoed as they are", () => {
    const input = { a: [1, { b: "c" }] };
    expect(truncateDepth(input, INPUT_DEPTH)).toEqual(input);
    expect(truncateDepth({ a: { b: {} } }, 2)).toEqual({ a: { b: DEEPER_INPUT } });
  });
});
