import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, LLAMA_CLOUD_API_KEY: "", ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

/** A server that answers every authenticated request with `body`, else a 401. */
async function serve(body: unknown): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const ok = /^Bearer \S+$/.test(req.headers.authorization ?? "");
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(JSON.stringify(ok ? body : { detail: "Not authenticated" }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let good: { url: string; server: Server };
let bad: { url: string; server: Server };
beforeAll(async () => {
  good = await serve({ items: [] });
  bad = await serve({ items: [{ id: 7, status: "DONE" }] });
});
afterAll(() => {
  good?.server.close();
  bad?.server.close();
});

describe("batches-contract CLI", () => {
  test("bad usage exits 2 with a message and the usage", async () => {
    for (const args of [
      [],
      ["--base-url", "not a url"],
      ["--base-url", good.url, "--profile", "huge"],
      ["--base-url", good.url, "--runs", "0"],
      ["--bogus"],
    ]) {
      const { code, out } = await run(args);
      expect(code, out).toBe(2);
      expect(out).toMatch(/Usage: batches-contract/);
    }
  });

  test("an unknown invariant id is bad usage", async () => {
    const { code, out } = await run(["--base-url", good.url, "--api-key", "k", "--only", "Z9"]);
    expect(code).toBe(2);
    expect(out).toMatch(/unknown invariant Z9/);
  });

  test("an unreachable server exits 2 and says so", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const { code, out } = await run(["--base-url", `http://127.0.0.1:${port}`, "--api-key", "k"]);
    expect(code).toBe(2);
    expect(out).toMatch(/Cannot check http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });

  test("invariants that hold exit 0, with a progress line each and a table", async () => {
    const dir = mkdtempSync(join(tmpdir(), "contract-"));
    const { code, out } = await run([
      "--base-url",
      good.url,
      "--api-key",
      "k",
      "--only",
      "C1,C3",
      "--runs",
      "5",
      "--junit",
      join(dir, "r.xml"),
    ]);
    expect(code, out).toBe(0);
    expect(out).toMatch(/^PASS {3}C1 /m);
    expect(out).toMatch(/\| C3 +\| 5 +\| \d+ +\| PASS +\|/);
    expect(readFileSync(join(dir, "r.xml"), "utf8")).toMatch(/<testsuite name="batches-contract[^"]*" tests="2" failures="0"/);
  });

  test("a violation exits 1 with the counterexample, the offending response and a replay command that reproduces it", async () => {
    const first = await run(["--base-url", bad.url, "--api-key", "k", "--only", "C1", "--runs", "5", "--seed", "123"]);
    expect(first.code, first.out).toBe(1);
    expect(first.out).toMatch(/✖ C1 every response body validates against the spec/);
    expect(first.out).toMatch(/counterexample: /);
    expect(first.out).toMatch(/breaks the spec's schema: \/items\/0/);
    expect(first.out).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/api\/v2\/batches.* → 200/);
    const replay = /replay: batches-contract (.*)$/m.exec(first.out)?.[1];
    expect(replay).toMatch(/--only C1 --seed 123 --path \S+/);
    const args = (replay ?? "").split(" ");
    const again = await run([...args, "--api-key", "k"]);
    expect(again.code).toBe(1);
    const counterexample = (out: string) => /counterexample: (.*)$/m.exec(out)?.[1];
    expect(counterexample(again.out)).toBe(counterexample(first.out));
  });

  test("without credentials the key-needing invariants fail loudly rather than pass", async () => {
    const { code, out } = await run(["--base-url", good.url, "--only", "C5", "--runs", "3"]);
    expect(code).toBe(2);
    expect(out).toMatch(/cannot read the server's data: .* → 401/);
  });
});
