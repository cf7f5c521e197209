// Shipped size of the client (with openapi-fetch) vs the official SDK (@llamaindex/llama-cloud): each
// bundled the way an app would ship it (esbuild --bundle --minify, ESM, browser), then gzip -9.
//
// Run after `pnpm build`: `node bench/size.mjs` (part of `pnpm bench`). No env knobs.
// Exit code 0 whether or not a target is met (see the Targets table); 1 when the benchmark itself failed.

import { gzipSync } from "node:zlib";
import { fmt, printTable, runBench, verdict } from "@llama-batches/bench-kit";
import { build } from "esbuild";

/** Bundles an entry the way an app would ship it (minified, for the browser) and gzips it. */
async function shippedSize(contents) {
  const result = await build({
    stdin: { contents, resolveDir: import.meta.dirname ?? new URL(".", import.meta.url).pathname, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}

await runBench("client size", async ({ targets }) => {
  const sizes = {
    "@llama-batches/client (+ openapi-fetch)": await shippedSize(`export * from "@llama-batches/client";`),
    "official SDK (@llamaindex/llama-cloud)": await shippedSize(`export { default } from "@llamaindex/llama-cloud";`),
  };
  const ours = sizes["@llama-batches/client (+ openapi-fetch)"].gzipped;
  const official = sizes["official SDK (@llamaindex/llama-cloud)"].gzipped;
  printTable(
    "Bundle size (esbuild --bundle --minify, then gzip -9)",
    Object.entries(sizes).map(([name, s]) => ({
      package: name,
      "minified (kB)": fmt(s.minified / 1000, 1),
      "min+gz (kB)": fmt(s.gzipped / 1000, 1),
      "× official SDK": fmt(s.gzipped / official, 3),
    })),
  );
  targets.push({ target: "client min+gz ≤ 8 kB", measured: `${fmt(ours / 1000, 1)} kB`, result: verdict(ours <= 8_000) });
});
