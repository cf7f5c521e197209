import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The spec this package was built with: the copy shipped in `dist/spec/` when installed, else the
 * repository's own `spec/` (when running from source in this monorepo).
 */
export function defaultSpecPath(): string {
  const candidates = [new URL("../spec/openapi.yaml", import.meta.url), new URL("../../../../spec/openapi.yaml", import.meta.url)];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(path)) return path;
  }
  throw new Error("spec/openapi.yaml not found next to this package: was it built (it copies the spec into dist/)?");
}
