/**
 * Memory under hostile queries: the memo of token bindings is bounded in bytes, not only in entries.
 * Measured in a child process with --expose-gc, so that a full collection makes the figure exact.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const TOKENS = fileURLToPath(new URL("../dist/tokens.js", import.meta.url));

test("12,000 distinct 15 kB filter values leave the heap within a few MB of where it started", async () => {
  const script = `
    const { PageTokens } = await import(${JSON.stringify(TOKENS)});
    const heap = () => { globalThis.gc(); return process.memoryUsage().heapUsed; };
    const before = heap();
    for (let i = 0; i < 12000; i++) PageTokens.bind(["org", null, null, null, String(i).padStart(15000, "d"), null, null, null, null, null]);
    console.log(JSON.stringify({ grown: heap() - before }));
  `;
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    ),
  );
  const { grown } = JSON.parse(out) as { grown: number };
  // Unbounded, the keys alone would hold 180 MB; the memo forgets at 4 MiB of keys.
  expect(grown).toBeLessThan(16 * 1024 * 1024);
}, 30_000);
