// Packs every publishable package of the workspace as it would be published: `pnpm pack` (which
// turns `workspace:` and `catalog:` into versions and adds the LICENSE), then the manifest cleaned
// of what only makes sense in this repository (scripts, devDependencies). Usage:
//   node src/pack.mjs [DEST]   → one .tgz per package in DEST (default: ./tarballs), paths printed.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(readFileSync(join(here, "../package.json"), "utf8"));

/** The publishable packages: the workspace packages this one depends on that are not private. */
export function publishable() {
  return Object.keys(manifest.devDependencies)
    .filter((name) => manifest.devDependencies[name].startsWith("workspace:"))
    .map((name) => ({ name, dir: realpathSync(join(here, "../node_modules", name)) }))
    .filter(({ dir }) => !JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).private);
}

/** Packs them all into `dest`; returns `{ name, tarball, bytes }` per package. */
export function packAll(dest) {
  mkdirSync(dest, { recursive: true });
  return publishable().map(({ name, dir }) => {
    const work = mkdtempSync(join(tmpdir(), "llama-batches-pack-"));
    try {
      const out = execFileSync("npx", ["--yes", "pnpm@12.4.2", "pack", "--pack-destination", work], { cwd: dir, encoding: "utf8" });
      const packed = out
        .trim()
        .split("\n")
        .reverse()
        .find((line) => line.endsWith(".tgz"))
        ?.trim();
      if (!packed) throw new Error(`pnpm pack printed no tarball for ${name}:\n${out}`);
      execFileSync("tar", ["xzf", packed, "-C", work]);
      const path = join(work, "package", "package.json");
      const published = JSON.parse(readFileSync(path, "utf8"));
      // Scripts and devDependencies are this repository's (builds from ../../spec, tests): not the user's.
      delete published.scripts;
      delete published.devDependencies;
      writeFileSync(path, `${JSON.stringify(published, null, 2)}\n`);
      const tarball = join(resolve(dest), basename(packed));
      execFileSync("tar", ["czf", tarball, "-C", work, "package"]);
      return { name, tarball, bytes: readFileSync(tarball).length };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { tarball, bytes } of packAll(process.argv[2] ?? "tarballs")) console.log(`${tarball} (${bytes} bytes)`);
}
