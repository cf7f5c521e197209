// What a user downloads and installs: each publishable package's tarball size, and the size of a
// fresh plain npm project that installs that package alone (with the @llama-batches packages it
// depends on, from their tarballs too: they are not on the registry yet). Checks that installing the
// mock alone brings no msw (its /msw entry is optional), and that nothing prints an install warning.
//
// Run after `pnpm build`: `node bench/install-size.mjs` (part of `pnpm bench`). Uses the npm cache.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fmt, printTable, runBench, verdict } from "@llama-batches/bench-kit";
import { packAll } from "../src/pack.mjs";

await runBench("tarballs and install sizes", async ({ targets, log }) => {
  const work = mkdtempSync(join(tmpdir(), "llama-batches-sizes-"));
  try {
    log("packing…");
    const tarballs = packAll(join(work, "tarballs"));
    const byName = new Map(tarballs.map((t) => [t.name, t]));
    /** The package and every @llama-batches package it needs, transitively. */
    const closure = (name, seen = new Set()) => {
      if (seen.has(name)) return seen;
      seen.add(name);
      const manifest = JSON.parse(
        execFileSync("tar", ["xzf", byName.get(name).tarball, "-O", "package/package.json"], { encoding: "utf8" }),
      );
      for (const dep of Object.keys(manifest.dependencies ?? {})) if (byName.has(dep)) closure(dep, seen);
      return seen;
    };
    const rows = [];
    for (const { name, bytes } of tarballs) {
      log(`installing ${name} alone…`);
      const project = mkdtempSync(join(work, "project-"));
      writeFileSync(join(project, "package.json"), JSON.stringify({ name: "alone", private: true, type: "module" }));
      const needed = [...closure(name)].map((n) => byName.get(n).tarball);
      const out = execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...needed], {
        cwd: project,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
      const size = Number(execFileSync("du", ["-sb", join(project, "node_modules")], { encoding: "utf8" }).split("\t")[0]);
      const lock = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8"));
      const packages = Object.keys(lock.packages ?? {}).filter((p) => p.startsWith("node_modules/"));
      const msw = packages.some((p) => p === "node_modules/msw" || p === "node_modules/graphql");
      rows.push({
        package: name,
        "tarball kB": fmt(bytes / 1024, 1),
        "installed alone MB": fmt(size / 1024 / 1024, 1),
        "packages installed": fmt(packages.length),
        "msw/graphql installed": msw ? "yes" : "no",
        "install warnings": /warn/i.test(out) ? "yes" : "no",
      });
      if (name === "@llama-batches/mock") {
        targets.push({
          target: "the mock alone installs no msw or graphql (its /msw is optional)",
          measured: msw ? "installed" : "absent",
          result: verdict(!msw),
        });
      }
    }
    printTable(
      `Tarballs (pnpm pack, manifests cleaned) and the size of a fresh npm project that installs each package alone (node ${process.version})`,
      rows,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
