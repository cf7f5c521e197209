import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { pointerGet } from "./pointer.js";

/**
 * Reads an OpenAPI document and inlines every `$ref` that points into another file, so that the
 * result stands alone. References inside the document (`#/…`) are kept as they are.
 */
export function bundleFile(path: string): unknown {
  const file = resolve(path);
  return inline(read(file), file, [file]);
}

function read(file: string): unknown {
  const text = readFileSync(file, "utf8");
  return file.endsWith(".json") ? JSON.parse(text) : parse(text);
}

function inline(node: unknown, file: string, stack: readonly string[]): unknown {
  if (Array.isArray(node)) return node.map((n) => inline(n, file, stack));
  if (node === null || typeof node !== "object") return node;
  const { $ref, ...siblings } = node as Record<string, unknown>;
  if (typeof $ref === "string" && !$ref.startsWith("#")) {
    const [relative = "", fragment] = $ref.split("#");
    const target = resolve(dirname(file), relative);
    if (stack.includes(target)) throw new Error(`${file}: circular $ref ${$ref}`);
    const value = fragment ? pointerGet(read(target), `#${fragment}`) : read(target);
    if (value === undefined) throw new Error(`${file}: $ref ${$ref} points at nothing`);
    if (JSON.stringify(value).includes('"$ref":"#')) {
      // A local reference in another file would mean something else once inlined here.
      throw new Error(`${target}: a file referenced from ${file} may not hold local ($ref: '#/…') references`);
    }
    const inlined = inline(value, target, [...stack, target]);
    // OpenAPI 3.1 lets a reference carry a summary or description that overrides the target's.
    return Object.keys(siblings).length > 0 && inlined && typeof inlined === "object" ? { ...inlined, ...siblings } : inlined;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = inline(value, file, stack);
  return out;
}
