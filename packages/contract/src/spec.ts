import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { defaultSpecPath } from "./internal/spec-path.js";

export { defaultSpecPath };

/** The parsed OpenAPI document; `$ref`s to other files are left as they are. */
export type OpenApiDocument = {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown>; examples?: Record<string, { $ref?: string }> } & Record<string, unknown>;
} & Record<string, unknown>;

export function loadSpec(path: string = defaultSpecPath()): OpenApiDocument {
  return parse(readFileSync(path, "utf8")) as OpenApiDocument;
}

/** Named examples of the spec (`components.examples`), their `$ref`ed files read, by file name. */
export function loadExamples(path: string = defaultSpecPath()): Record<string, { summary?: string; value: unknown }> {
  const spec = loadSpec(path);
  const out: Record<string, { summary?: string; value: unknown }> = {};
  for (const example of Object.values(spec.components.examples ?? {})) {
    if (!example.$ref) continue;
    const file = resolve(dirname(path), example.$ref);
    const name = file.replace(/^.*\//, "").replace(/\.ya?ml$/, "");
    out[name] = parse(readFileSync(file, "utf8"));
  }
  return out;
}

export type SchemaErrors = string[];

/**
 * Validates values against the spec's component schemas with JSON Schema 2020-12 (OpenAPI 3.1's
 * dialect), formats included. Compiled once per schema name.
 */
export function createSchemaValidator(spec: OpenApiDocument = loadSpec()) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(spec, "openapi.yaml");
  return (schemaName: string, value: unknown): SchemaErrors => {
    const validate = ajv.getSchema(`openapi.yaml#/components/schemas/${schemaName}`);
    if (!validate) throw new Error(`the spec has no schema named ${schemaName}`);
    return validate(value) ? [] : (validate.errors ?? []).map(describeError);
  };
}

function describeError(e: ErrorObject): string {
  return `${e.instancePath || "/"} ${e.message ?? e.keyword}${e.params && "allowedValues" in e.params ? ` (${(e.params.allowedValues as unknown[]).join(", ")})` : ""}`;
}
