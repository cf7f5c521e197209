import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { parse } from "yaml";

export const specPath = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../spec/openapi.yaml");

export function loadYaml(path: string): unknown {
  return parse(readFileSync(path, "utf8"));
}

/** Validates values against a named schema of the spec (JSON Schema 2020-12, formats checked). */
export function schemaValidator(name: string) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(loadYaml(specPath) as object, "openapi.yaml");
  const validate = ajv.getSchema(`openapi.yaml#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name} in the spec`);
  return (value: unknown) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}
