/**
 * Proof from tarballs: the publishable packages, packed as they would be published, installed into
 * a plain npm project (no workspace links), and used there as the READMEs say: the fixture folder is
 * that project's own code (a Prism mock in a vitest globalSetup, MSW with a typed 503, the reference
 * API paged with a filter, the installed bins, the spec fed to openapi-typescript), then `tsc` over a
 * consumer file under moduleResolution bundler and nodenext.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { packAll } from "../src/pack.mjs";

const fixture = fileURLToPath(new URL("../fixture", import.meta.url));
const catalog = (
  parse(readFileSync(fileURLToPath(new URL("../../../pnpm-workspace.yaml", import.meta.url)), "utf8")) as {
    catalog: Record<string, string>;
  }
).catalog;
/** What the downstream project itself installs beside the tarballs, at the versions this repository uses. */
const TOOLS = ["msw", "openapi-msw", "vitest", "typescript", "openapi-typescript", "@types/node"];

const work = mkdtempSync(join(tmpdir(), "llama-batches-downstream-"));
const project = join(work, "project");
const started = performance.now();

function sh(cmd: string, args: string[], timeout = 240_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: project, timeout, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CI: "true", LLAMA_CLOUD_API_KEY: "" } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

beforeAll(async () => {
  const tarballs = packAll(join(work, "tarballs"));
  cpSync(fixture, project, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as Record<string, unknown>;
  manifest.dependencies = Object.fromEntries(tarballs.map((t) => [t.name, `file:${t.tarball}`]));
  manifest.devDependencies = Object.fromEntries(TOOLS.map((name) => [name, catalog[name] ?? "latest"]));
  writeFileSync(join(project, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  // A warm npm cache makes this quick; --prefer-offline uses it before the registry.
  const install = await sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"]);
  if (install.code !== 0) throw new Error(`npm install failed:\n${install.out}`);
  console.info(`tarballs: ${tarballs.map((t) => `${t.name} ${(t.bytes / 1024).toFixed(1)} kB`).join(", ")}`);
}, 300_000);

afterAll(() => {
  console.info(`tarball suite: ${((performance.now() - started) / 1000).toFixed(1)} s wall`);
  rmSync(work, { recursive: true, force: true });
});

/** The files a manifest's exports, bin and types point at (their values, never the subpath keys). */
function pointedAt(node: unknown): string[] {
  if (typeof node === "string") return node.startsWith("./") ? [node] : [];
  if (node && typeof node === "object") return Object.values(node).flatMap(pointedAt);
  return [];
}

describe("the packages, installed from their tarballs in a plain npm project", () => {
  test("the project's own test suite passes (mock, MSW, reference API, webhooks, bins, spec)", async () => {
    const files = readdirSync(join(fixture, "test")).filter((f) => f.endsWith(".test.ts")).length;
    const { code, out } = await sh(join(project, "node_modules", ".bin", "vitest"), ["run"]);
    expect(code, out).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: vitest colours its summary.
    expect(out.replace(/\u001b\[[0-9;]*m/g, "")).toMatch(new RegExp(`Test Files\\s+${files} passed`));
  }, 240_000);

  test.each(["tsconfig.bundler.json", "tsconfig.nodenext.json"])(
    "a consumer file type-checks under %s",
    async (config) => {
      const { code, out } = await sh(join(project, "node_modules", ".bin", "tsc"), ["-p", config]);
      expect(code, out).toBe(0);
    },
    120_000,
  );

  test("published manifests carry no monorepo scripts or dev dependencies, and every file they point at exists", () => {
    for (const name of [
      "@llama-batches/spec",
      "@llama-batches/client",
      "@llama-batches/contract",
      "@llama-batches/mock",
      "@llama-batches/reference-api",
    ]) {
      const dir = join(project, "node_modules", name);
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
      expect(manifest.scripts, name).toBeUndefined();
      expect(manifest.devDependencies, name).toBeUndefined();
      expect(manifest.publishConfig, name).toEqual({ access: "public" });
      expect(readFileSync(join(dir, "LICENSE"), "utf8")).toMatch(/MIT License/);
      for (const target of pointedAt([manifest.exports, manifest.bin, manifest.types])) {
        expect(() => readFileSync(join(dir, target)), `${name} ${target}`).not.toThrow();
      }
    }
  });
});
