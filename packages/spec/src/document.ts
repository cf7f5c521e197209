import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { bundleFile } from "./internal/bundle.js";

/** A parsed OpenAPI 3.1 document, loosely typed: code reads it through the operation model. */
export type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
} & Record<string, unknown>;

// `../dist/…` is the same file from `src/` (tests in this repo) and from `dist/` (installed).
/** Path of the bundled contract (YAML): the hand-authored spec with its example files inlined. */
export const specPath: string = fileURLToPath(new URL("../dist/openapi.yaml", import.meta.url));
/** Path of the same bundled contract as JSON. */
export const specJsonPath: string = fileURLToPath(new URL("../dist/openapi.json", import.meta.url));

let bundled: OpenApiDocument | undefined;

/**
 * The parsed contract. Without a path: the bundled Batches contract this package ships (read once,
 * frozen, shared). With a path: that YAML or JSON document, its `$ref`s to other files inlined.
 */
export function loadSpec(path?: string): OpenApiDocument {
  if (path === undefined || path === specPath || path === specJsonPath) {
    bundled ??= deepFreeze(JSON.parse(readFileSync(specJsonPath, "utf8")) as OpenApiDocument);
    return bundled;
  }
  return bundleFile(path) as OpenApiDocument;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
