import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { prismLogFilter } from "../src/internal/cli-prism-log.js";
import { createProgram } from "../src/internal/program.js";

const BIN = "llama-batches-mock";
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const { version: VERSION } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end; for the flags that exit before the mock would start. */
function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 10_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Bad usage: exit 2, nothing on stdout, and on stderr one line with the reason, then where the usage is. */
function expectBadUsage({ code, stdout, stderr }: Run, reason: RegExp) {
  expect(code, stderr).toBe(2);
  expect(stdout).toBe("");
  const lines = stderr.split("\n");
  expect(lines, stderr).toHaveLength(3);
  expect(lines[0]).toMatch(new RegExp(`^${BIN}: \\S`));
  expect(lines[0]).toMatch(reason);
  expect(lines[1]).toBe(`Run "${BIN} --help" for usage.`);
  expect(lines[2]).toBe("");
}

/** Resolves with the first match of `pattern` in stdout; rejects if the process ends first. */
function waitFor(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${out}${err}`)), timeoutMs);
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited (${signal ?? code}) before ${pattern}:\n${out}${err}`));
    });
  });
}

describe(`${BIN} CLI`, () => {
  test("bad usage exits 2 with a one-line reason and no usage dump", async () => {
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [["--port", "99999"], /'-p, --port <n>' argument '99999' is invalid\. Expected an integer from 0 to 65535\./],
      [[], /'-p, --port <n>' value '4010x' from env 'PORT' is invalid/, { PORT: "4010x" }],
      [["--seed", "abc", "--dynamic"], /'--seed <n>' argument 'abc' is invalid\. Expected an integer\./],
      [["--proxy", "localhost:4020"], /'--proxy <url>' argument 'localhost:4020' is invalid\. Expected an http:\/\/ or https:\/\/ URL\./],
      [["--spec", "/no/such/openapi.yaml"], /'--spec <path>' argument '\/no\/such\/openapi\.yaml' is invalid\. No such file\./],
      [["--dynamc"], /unknown option '--dynamc' \(Did you mean --dynamic\?\)/],
      [["--port"], /option '-p, --port <n>' argument missing/],
      [["mock"], /too many arguments/],
    ];
    const results = await Promise.all(cases.map(async ([args, reason, env]) => ({ result: await run(args, env), reason })));
    for (const { result, reason } of results) expectBadUsage(result, reason);
  });

  test("--help exits 0 on stdout, names the bin and documents every flag, its default and PORT", async () => {
    const { code, stdout, stderr } = await run(["--help"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toMatch(new RegExp(`^Usage: ${BIN} `));
    expect(stdout).not.toMatch(/pnpm /);
    const program = createProgram();
    expect(program.options.length).toBeGreaterThan(8);
    for (const option of program.options) {
      expect(option.long, option.flags).toMatch(/^--/);
      expect(stdout).toContain(`${option.long} `);
    }
    expect(stdout).toContain("-h, --help");
    // Commander wraps descriptions at 80 columns.
    const flat = stdout.replace(/\s+/g, " ");
    expect(flat).toMatch(/--port <n> [^()]*\(default: 4010, env: PORT\)/);
    expect(flat).toMatch(/--host <addr> [^()]*\(default: 127\.0\.0\.1\)/);
  });

  test("--version prints the package's version", async () => {
    const { code, stdout } = await run(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(VERSION);
  });

  test("starts, prints one URL only (not Prism's internal one), answers, and exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, [CLI, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      const ready = await waitFor(child, /ready: (http:\/\/127\.0\.0\.1:\d+)\n(?:.*\n)*Ctrl-C stops it\.\n/, 30_000);
      const url = ready[1];
      const res = await fetch(`${url}/api/v2/batches`, { headers: { authorization: "Bearer test" } });
      expect(res.status).toBe(200);
      await res.body?.cancel();
      // Prism's request log still comes through.
      for (let i = 0; i < 50 && !/Request received/.test(stdout); i++) await new Promise((r) => setTimeout(r, 100));
      expect(stdout).toMatch(/Request received/);
      // Every URL printed is the mock's own (the ready line and the curl hint), none of Prism's.
      const urls = stdout.match(/https?:\/\/[^\s'"]+/g) ?? [];
      expect(urls.length).toBeGreaterThan(0);
      expect(new Set(urls.map((u) => new URL(u).origin))).toEqual(new Set([url]));
      expect(stdout).not.toMatch(/Prism is listening/);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);
});

describe("prismLogFilter", () => {
  const startup = [
    "[CLI] …  awaiting  Starting Prism…",
    "[CLI] ℹ  info      GET        http://127.0.0.1:42763/api/v2/batches",
    "[CLI] ▶  start     Prism is listening on http://127.0.0.1:42763",
  ];

  test("drops the lines that name Prism's internal URL, the ones before it listens too, and keeps the rest", () => {
    const printed: string[] = [];
    const { onLog } = prismLogFilter((line) => printed.push(line));
    for (const line of startup) onLog(line);
    onLog("[HTTP SERVER] get /api/v2/batches ℹ  info      Request received");
    onLog("proxying to http://127.0.0.1:4020/api/v2/batches");
    onLog("again http://127.0.0.1:42763/api/v2/batches");
    onLog("another port http://127.0.0.1:4276/x");
    expect(printed).toEqual([
      "[CLI] …  awaiting  Starting Prism…",
      "[HTTP SERVER] get /api/v2/batches ℹ  info      Request received",
      "proxying to http://127.0.0.1:4020/api/v2/batches",
      "another port http://127.0.0.1:4276/x",
    ]);
  });

  test("flush prints what it held when Prism never listened", () => {
    const printed: string[] = [];
    const { onLog, flush } = prismLogFilter((line) => printed.push(line));
    for (const line of startup.slice(0, 2)) onLog(line);
    expect(printed).toEqual([]);
    flush();
    expect(printed).toEqual(startup.slice(0, 2));
  });
});
