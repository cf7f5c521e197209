import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { loadSpec, specJsonPath, specPath } from "../src/index.js";

const source = fileURLToPath(new URL("../../../spec/openapi.yaml", import.meta.url));
const exampleFiles = readdirSync(fileURLToPath(new URL("../../../spec/examples/", import.meta.url))).filter((f) => f.endsWith(".yaml"));

describe("the bundled contract", () => {
  test("is the hand-authored spec with every example file inlined, as YAML and JSON alike", () => {
    const bundled = loadSpec();
    const yaml = parse(readFileSync(specPath, "utf8"));
    expect(JSON.parse(readFileSync(specJsonPath, "utf8"))).toEqual(yaml);
    expect(bundled).toEqual(yaml);
    expect(JSON.stringify(bundled)).not.toMatch(/"\$ref":"(?!#)/);
    // Everything but the inlined references is the source, untouched.
    const raw = parse(readFileSync(source, "utf8"));
    expect(bundled.paths).toEqual(raw.paths);
    expect(Object.keys(bundled.components.examples ?? {}).length).toBe(exampleFiles.length);
    for (const file of exampleFiles) {
      const content = parse(readFileSync(fileURLToPath(new URL(`../../../spec/examples/${file}`, import.meta.url)), "utf8"));
      expect(Object.values(bundled.components.examples ?? {})).toContainEqual(content);
    }
  });

  test("is read once and frozen: no caller can change what the others see", () => {
    const a = loadSpec();
    expect(loadSpec()).toBe(a);
    expect(Object.isFrozen(a.paths)).toBe(true);
  });

  test("another document is bundled on demand from its path", () => {
    const again = loadSpec(source);
    expect(again).toEqual(loadSpec());
    expect(again).not.toBe(loadSpec());
  });
});
