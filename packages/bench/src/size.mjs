import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { fmt, printTable, verdict } from "./harness.mjs";

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

export async function benchSize() {
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
  return [{ target: "client min+gz ≤ 10 kB", measured: `${fmt(ours / 1000, 1)} kB`, result: verdict(ours <= 10_000) }];
}
