import { createSpec, getSpec, loadSpec as load, type OpenApiDocument, type Spec, specPath } from "@llama-batches/spec";

export type { OpenApiDocument };

/** @deprecated since the spec package: use `specPath` from `@llama-batches/spec`. The bundled contract's path. */
export function defaultSpecPath(): string {
  return specPath;
}

/** The parsed contract: the bundled one, or the document at `path` (its file references inlined). */
export function loadSpec(path?: string): OpenApiDocument {
  return load(path);
}

/** Named 200 examples of `GET /api/v2/batches`, by name (the file names in `spec/examples/`). */
export function loadExamples(path?: string): Record<string, { summary?: string; value: unknown }> {
  return specOf(path).responseExamples("listBatches", 200) as Record<string, { summary?: string; value: unknown }>;
}

export type SchemaErrors = string[];

/** Validates values against the spec's component schemas (JSON Schema 2020-12, formats included). */
export function createSchemaValidator(spec?: OpenApiDocument): (schemaName: string, value: unknown) => SchemaErrors {
  const compiled = spec === undefined ? getSpec() : createSpec(spec);
  return (schemaName, value) => compiled.validateSchema(schemaName, value);
}

export function specOf(path: string | undefined): Spec {
  return path === undefined ? getSpec() : createSpec(path);
}
