// Bundles the hand-authored spec (`spec/openapi.yaml` + `spec/examples/`) into one document, as
// YAML and JSON, in dist/: what this package ships and what every other package reads.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { bundleFile } from "../dist/internal/bundle.js";

const source = fileURLToPath(new URL("../../../spec/openapi.yaml", import.meta.url));
const out = new URL("../dist/", import.meta.url);
const document = bundleFile(source);
const header = "# Generated from spec/openapi.yaml and spec/examples/ by @llama-batches/spec: do not edit.\n";
mkdirSync(out, { recursive: true });
writeFileSync(new URL("openapi.yaml", out), header + stringify(document, { lineWidth: 0, aliasDuplicateObjects: false }));
writeFileSync(new URL("openapi.json", out), `${JSON.stringify(document, null, 2)}\n`);
