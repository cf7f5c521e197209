import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getSpec } from "@llama-batches/spec";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { INVARIANTS, WRITE_BUDGET_EXHAUSTED, WRITES_NOT_ALLOWED } from "../src/index.js";
import { createProgram } from "../src/internal/program.js";
import { specServer, type TestServer } from "./servers.js";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const { version: VERSION } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, LLAMA_CLOUD_API_KEY: "", ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr, stdout, stderr });
    });
  });
}

/** Bad usage: exit 2, nothing on stdout, and on stderr one line with the reason, then where the usage is. */
function expectBadUsage({ code, stdout, stderr }: { code: number; stdout: string; stderr: string }, reason: RegExp) {
  expect(code, stderr).toBe(2);
  expect(stdout).toBe("");
  const lines = stderr.split("\n");
  expect(lines, stderr).toHaveLength(3);
  expect(lines[0]).toMatch(/^batches-contract: \S/);
  expect(lines[0]).toMatch(reason);
  expect(lines[1]).toBe('Run "batches-contract --help" for usage.');
  expect(lines[2]).toBe("");
}

/**
 * A server that breaks one decided rule only: it refuses unknown query parameters (C7) with a
 * FastAPI 422, where the spec decided they are ignored.
 */
async function strictAboutUnknowns(): Promise<{ url: string; server: Server }> {
  const known = new Set(
    getSpec()
      .operation("listBatches")
      .query.map((p) => p.name),
  );
  const server = createServer((req, res) => {
    const names = [...new URL(req.url ?? "/", "http://x").searchParams.keys()];
    const unknown = names.find((n) => !known.has(n));
    const status = !/^Bearer \S+$/.test(req.headers.authorization ?? "") ? 401 : unknown ? 422 : 200;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        status === 200
          ? { items: [] }
          : status === 401
            ? { detail: "Not authenticated" }
            : { detail: [{ loc: ["query", unknown], msg: "Extra inputs are not permitted", type: "extra_forbidden" }] },
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let good: TestServer;
let bad: TestServer;
let drifting: { url: string; server: Server };
beforeAll(async () => {
  good = await specServer({ items: [] });
  bad = await specServer({ items: [{ id: 7, status: "DONE" }] });
  drifting = await strictAboutUnknowns();
});
afterAll(async () => {
  await good?.stop();
  await bad?.stop();
  drifting?.server.close();
});

describe("batches-contract CLI", () => {
  test("bad usage exits 2 with a one-line reason and no usage dump", async () => {
    const cases: [string[], RegExp][] = [
      [[], /required option '--base-url <url>' not specified/],
      [["--base-url", "not a url"], /'--base-url <url>' argument 'not a url' is invalid\. Expected a URL/],
      [["--base-url", good.url, "--profile", "huge"], /'--profile <name>' argument 'huge' is invalid\. Allowed choices are contract, full/],
      [["--base-url", good.url, "--runs", "0"], /'--runs <n>' argument '0' is invalid\. Expected an integer ≥ 1/],
      [["--base-url", good.url, "--runs", "2.5"], /'--runs <n>' argument '2\.5' is invalid/],
      [["--base-url", good.url, "--seed", "x"], /'--seed <s>' argument 'x' is invalid\. Expected an integer/],
      [["--base-url", good.url, "--concurrency", "0"], /'--concurrency <n>' argument '0' is invalid/],
      [["--base-url", good.url, "--budget", "-3"], /'--budget <n>' argument '-3' is invalid/],
      [["--base-url", good.url, "--path", "not-a-path"], /'--path <p>' argument 'not-a-path' is invalid/],
      [["--base-url", good.url, "--bogus"], /unknown option '--bogus'/],
      [["--base-url", good.url, "--junit"], /option '--junit <file>' argument missing/],
      [["--base-url", good.url, "extra"], /too many arguments/],
      [["--base-url", good.url, "--max-writes", "-1", "--allow-writes"], /'--max-writes <n>' argument '-1' is invalid/],
      [["--base-url", good.url, "--max-writes", "3"], /--max-writes caps writes, which need --allow-writes/],
      [
        ["--base-url", "https://api.cloud.llamaindex.ai", "--allow-writes"],
        /--allow-writes against api\.cloud\.llamaindex\.ai, not this machine, needs --max-writes N/,
      ],
      [
        ["--base-url", "https://api.cloud.llamaindex.ai", "--allow-writes", "--max-writes", "5"],
        /--allow-writes against api\.cloud\.llamaindex\.ai, not this machine, needs --source-directory-id and --configuration-id \(with --job-type\) that exist there/,
      ],
      [
        [
          "--base-url",
          "https://api.cloud.llamaindex.ai",
          "--allow-writes",
          "--max-writes",
          "5",
          "--configuration-id",
          "cfg-a",
          "--job-type",
          "parse_v2",
        ],
        /needs --source-directory-id and --configuration-id/,
      ],
      [
        ["--base-url", good.url, "--allow-writes", "--source-directory-id", "dir-a", "--configuration-id", "cfg-a"],
        /--configuration-id and --job-type go together: a configuration is for one job type/,
      ],
      [["--base-url", good.url, "--source-directory-id", "dir-a"], /shape creates, which need --allow-writes/],
      [
        ["--base-url", good.url, "--allow-writes", "--job-type", "parse"],
        /'--job-type <type>' argument 'parse' is invalid\. Allowed choices are parse_v2, extract_v2/,
      ],
      [["--base-url", good.url, "--allow-writes", "--source-directory-id", " "], /'--source-directory-id <id>' argument ' ' is invalid/],
    ];
    const results = await Promise.all(cases.map(async ([args, reason]) => ({ result: await run(args), reason })));
    for (const { result, reason } of results) expectBadUsage(result, reason);
  });

  test("--help exits 0 on stdout, names the bin and documents every flag, its default and the exit codes", async () => {
    const { code, stdout, stderr } = await run(["--help"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toMatch(/^Usage: batches-contract /);
    expect(stdout).not.toMatch(/pnpm /);
    const program = createProgram();
    expect(program.options.length).toBeGreaterThan(10);
    for (const option of program.options) {
      expect(option.long, option.flags).toMatch(/^--/);
      expect(stdout).toContain(`${option.long} `);
    }
    expect(stdout).toContain("-h, --help");
    // Commander wraps descriptions at 80 columns.
    const flat = stdout.replace(/\s+/g, " ");
    expect(flat).toMatch(/--runs <n> .*?\(default: 25\) --seed /);
    expect(flat).toMatch(/--api-key <key> .*?\(env: LLAMA_CLOUD_API_KEY\) --profile /);
    expect(stdout).toMatch(/Exit codes:\n +0 .*\n +1 .*\n +2 /);
    expect(flat).toMatch(/--allow-writes .*without it only GETs are sent/);
    expect(flat).toMatch(/--max-writes <n> .*Required with --allow-writes unless the base URL is loopback/);
    expect(flat).toMatch(/--source-directory-id <id> .*Required with --allow-writes unless the base URL is loopback/);
    expect(flat).toMatch(/--configuration-id <id> .*Required with --allow-writes unless the base URL is loopback; needs --job-type/);
    expect(flat).toMatch(/--job-type <type> .*\(choices: "parse_v2", "extract_v2"\)/);
    expect(flat).toMatch(/each batch the run created and did not see final is cancelled, outside --max-writes and --budget/);
    for (const id of INVARIANTS.filter((i) => i.writes).map((i) => i.id)) expect(stdout).toMatch(new RegExp(`^ {2}${id} +`, "m"));
  });

  test("without --allow-writes the write invariants SKIP with the reason, in the table, --json and --junit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "contract-"));
    const writers = INVARIANTS.filter((i) => i.writes && i.profile === "contract").map((i) => i.id);
    const args = ["--base-url", good.url, "--api-key", "k", "--only", `C1,${writers.join(",")}`, "--runs", "3"];
    const { code, out } = await run([...args, "--json", join(dir, "r.json"), "--junit", join(dir, "r.xml")]);
    expect(code, out).toBe(0);
    expect(out).toMatch(/\(profile contract, no writes\)/);
    for (const id of writers) {
      expect(out).toMatch(new RegExp(`^SKIP +${id} .*\\(${WRITES_NOT_ALLOWED}\\)$`, "m"));
      expect(out).toMatch(new RegExp(`\\| ${id} +\\| \\w+ +\\| 0 +\\| 0 +\\| SKIP +\\| ${WRITES_NOT_ALLOWED} \\|`));
    }
    const json = JSON.parse(readFileSync(join(dir, "r.json"), "utf8")) as {
      writes: number;
      results: { id: string; outcome: string; reason?: string }[];
    };
    expect(json.writes).toBe(0);
    expect(json.results.filter((r) => r.outcome === "skip").map((r) => [r.id, r.reason])).toEqual(
      writers.map((id) => [id, WRITES_NOT_ALLOWED]),
    );
    const xml = readFileSync(join(dir, "r.xml"), "utf8");
    expect(xml.match(new RegExp(`<skipped message="${WRITES_NOT_ALLOWED}"/>`, "g"))).toHaveLength(writers.length);
    expect(good.requests.filter((r) => r.method !== "GET")).toEqual([]);

    const allowed = await run([...args, "--allow-writes", "--max-writes", "4"]);
    expect(allowed.code, allowed.out).toBe(0);
    expect(allowed.out).toMatch(/writes allowed \(at most 4\)/);
    expect(allowed.out).toMatch(/requests \(4 writes\)/);
    expect(allowed.out).toMatch(new RegExp(`SKIP .*\\(${WRITE_BUDGET_EXHAUSTED}\\)`));
    // The cleanup's cancels of the batches the run created come on top of the cap, and are reported.
    const cleanup = /^cleanup: (\d+) batch(?:es)? created by the run; (\d+) cancelled now, .* (\d+) failed to cancel/m.exec(allowed.out);
    expect(cleanup, allowed.out).not.toBeNull();
    expect(Number(cleanup?.[3])).toBe(0);
    const writes = good.requests.filter((r) => r.method !== "GET");
    expect(writes).toHaveLength(4 + Number(cleanup?.[2]));
    for (const w of writes.slice(4)) expect(w.url).toMatch(/^\/api\/v2\/batches\/[^/]+\/cancel$/);
  });

  test("--version prints the package's version", async () => {
    const { code, stdout } = await run(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(VERSION);
  });

  test("an unknown invariant id is bad usage", async () => {
    expectBadUsage(await run(["--base-url", good.url, "--api-key", "k", "--only", "C1,Z9"]), /unknown invariant Z9; known: C1, /i);
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
    expect(out).toMatch(/\| C3 +\| documented +\| 5 +\| \d+ +\| PASS +\|/);
    expect(readFileSync(join(dir, "r.xml"), "utf8")).toMatch(/<testsuite name="batches-contract[^"]*" tests="2" failures="0"/);
  });

  test("a violation exits 1 with the counterexample, the offending response and a replay command that reproduces it", async () => {
    const first = await run(["--base-url", bad.url, "--api-key", "secret-key-123", "--only", "C1", "--runs", "5", "--seed", "123"]);
    expect(first.code, first.out).toBe(1);
    expect(first.out).toMatch(/✖ C1 every response body validates against the spec/);
    expect(first.out).toMatch(/counterexample: /);
    expect(first.out).toMatch(/breaks the spec's schema: \/items\/0/);
    expect(first.out).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/api\/v2\/batches.* → 200/);
    const replay = /replay: batches-contract (.*)$/m.exec(first.out)?.[1];
    expect(replay).toMatch(/--api-key <key> .*--only C1 --seed 123 --path \S+/);
    expect(first.out).not.toContain("secret-key-123");
    // Pasted with the real key in place of the placeholder, it reproduces the counterexample.
    const args = (replay ?? "").replace("<key>", "secret-key-123").split(" ");
    const again = await run(args);
    expect(again.code).toBe(1);
    const counterexample = (out: string) => /counterexample: (.*)$/m.exec(out)?.[1];
    expect(counterexample(again.out)).toBe(counterexample(first.out));
  });

  test("without credentials the key-needing invariants fail loudly rather than pass", async () => {
    const { code, out } = await run(["--base-url", good.url, "--only", "C5", "--runs", "3"]);
    expect(code).toBe(2);
    expect(out).toMatch(/cannot read the server's data: .* → 401/);
  });

  test("a broken decided rule is drift by default: exit 0, reported with its evidence; --strict fails on it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "contract-"));
    const args = ["--base-url", drifting.url, "--api-key", "k", "--only", "C5,C7", "--runs", "5", "--seed", "9"];
    const lax = await run([...args, "--json", join(dir, "lax.json"), "--junit", join(dir, "lax.xml")]);
    expect(lax.code, lax.out).toBe(0);
    expect(lax.out).toMatch(/^DRIFT +C7 +\[decided\]/m);
    expect(lax.out).toMatch(/\| C7 +\| decided +\| \d+ +\| \d+ +\| DRIFT +\|/);
    expect(lax.out).toMatch(/0 documented or strict failures, 1 drift from decided rules \(--strict fails on them\)/);
    expect(lax.out).toMatch(/≈ C7 unknown query parameters are ignored\n {2}drift from a decided rule \(unknown-parameters-ignored\)/);
    expect(lax.out).toMatch(/changed the answer/);
    const json = JSON.parse(readFileSync(join(dir, "lax.json"), "utf8")) as {
      strict: boolean;
      ok: boolean;
      results: { id: string; tier: string; outcome: string }[];
    };
    expect(json.strict).toBe(false);
    expect(json.ok).toBe(true);
    expect(json.results.map((r) => [r.id, r.tier, r.outcome])).toEqual([
      ["C5", "documented", "pass"],
      ["C7", "decided", "drift"],
    ]);
    const xml = readFileSync(join(dir, "lax.xml"), "utf8");
    expect(xml).toMatch(/failures="0"/);
    expect(xml).toMatch(/<property name="tier" value="decided"\/>/);
    expect(xml).toMatch(/name="C7 unknown query parameters are ignored \[DRIFT\]"/);

    const strict = await run([...args, "--strict", "--json", join(dir, "strict.json"), "--junit", join(dir, "strict.xml")]);
    expect(strict.code, strict.out).toBe(1);
    expect(strict.out).toMatch(/^FAIL +C7 +\[decided\]/m);
    expect(strict.out).toMatch(/✖ C7 unknown query parameters are ignored\n {2}rule unknown-parameters-ignored \(decided\)/);
    expect(strict.out).toMatch(/replay: batches-contract .* --strict --only C7 --seed/);
    expect((JSON.parse(readFileSync(join(dir, "strict.json"), "utf8")) as { ok: boolean }).ok).toBe(false);
    expect(readFileSync(join(dir, "strict.xml"), "utf8")).toMatch(/failures="1"/);
  });

  test("Ctrl-C stops the run, cancels the batches it created, prints the cleanup and exits 130", async () => {
    const before = good.requests.length;
    const child = spawn(
      process.execPath,
      [CLI, "--base-url", good.url, "--api-key", "k", "--allow-writes", "--only", "W5,W9,W4", "--profile", "full", "--runs", "100000"],
      {
        env: { ...process.env, LLAMA_CLOUD_API_KEY: "" },
      },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    let done = false;
    void exited.then(() => {
      done = true;
    });
    // Interrupted once the first create has been answered.
    while (!done && !good.requests.slice(before).some((r) => r.method === "POST" && r.status === 200)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(done, out).toBe(false);
    child.kill("SIGINT");
    const code = await exited;
    expect(code, out).toBe(130);
    expect(out).toMatch(/^interrupted: finishing the requests in flight/m);
    const created = good.requests.slice(before).filter((r) => r.method === "POST" && r.url === "/api/v2/batches" && r.status === 200);
    const cancelled = good.requests.slice(before).filter((r) => /\/cancel$/.test(r.url));
    expect(created.length).toBeGreaterThan(0);
    expect(new Set(cancelled.map((r) => r.url))).toEqual(
      new Set(created.map((r) => `/api/v2/batches/${(r.response as { id: string }).id}/cancel`)),
    );
    expect(out).toMatch(
      new RegExp(
        `^cleanup: ${created.length} batch(es)? created by the run; ${created.length} cancelled now, 0 cancelled by the invariants, 0 already final, 0 failed to cancel`,
        "m",
      ),
    );
    expect(out).toMatch(/^interrupted: the invariants not run have no verdict$/m);
  });
});
