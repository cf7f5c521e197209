// Shipped size of the client (with openapi-fetch), and of its webhooks entry, vs the official SDK (@llamaindex/llama-cloud): each
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
    // A webhook receiver's import: no HTTP client in it.
    "@llama-batches/client/webhooks": await shippedSize(`export * from "@llama-batches/client/webhooks";`),
    "both entries together": await shippedSize(`export * from "@llama-batches/client"; export * from "@llama-batches/client/webhooks";`),
    "official SDK (@llamaindex/llama-cloud)": await shippedSize(`export { default } from "@llamaindex/llama-cloud";`),
  };
  // The whole client: both entries in one bundle, as an app that calls the API and receives its webhooks ships it.
  const ours = sizes["both entries together"].gzipped;
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
  targets.push({
    target: "whole client (both entries) min+gz ≤ 8 kB",
    measured: `${fmt(ours / 1000, 2)} kB (${ours} B)`,
    result: verdict(ours <= 8_000),
  });
});
