import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { getSpec } from "@llama-batches/spec";
import { describe, expect, test } from "vitest";
import { FAULTS } from "../src/faults/index.js";
import { createProgram } from "../src/internal/program.js";

const BIN = "llama-batches-reference";
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const { version: VERSION } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end; for the flags that exit before the server would start. */
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

/** Resolves with the first stdout line that matches `pattern`; rejects if the process ends first. */
function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
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
    const known = Object.keys(FAULTS).join(", ");
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [["--fault", "bogus"], new RegExp(`'--fault <names>' argument 'bogus' is invalid\\. Unknown fault "bogus"; known: ${known}\\.$`)],
      [["--fault", "drop-last-item,nope"], /Unknown fault "nope"; known: drop-last-item, /],
      [["--port", "99999"], /'-p, --port <n>' argument '99999' is invalid\. Expected an integer from 0 to 65535\./],
      [[], /'-p, --port <n>' value 'http' from env 'PORT' is invalid/, { PORT: "http" }],
      [["--seed", "-1"], /'--seed <n>' argument '-1' is invalid\. Expected an integer ≥ 0\./],
      [["--size", "many"], /'--size <n>' argument 'many' is invalid/],
      [["--fixture", "/no/such/fixture.json"], /'--fixture <file>' argument '\/no\/such\/fixture\.json' is invalid\. No such file\./],
      [["--prot", "4020"], /unknown option '--prot' \(Did you mean --port\?\)/],
      [["--host"], /option '--host <addr>' argument missing/],
      [["serve"], /too many arguments/],
      [["--step-ms", "0"], /'--step-ms <ms>' argument '0' is invalid\. Expected an integer ≥ 1\./],
      [["--step-ms", "fast"], /'--step-ms <ms>' argument 'fast' is invalid/],
    ];
    const results = await Promise.all(cases.map(async ([args, reason, env]) => ({ result: await run(args, env), reason })));
    for (const { result, reason } of results) expectBadUsage(result, reason);
  });

  test("--help exits 0 on stdout, names the bin and documents every flag, its default, PORT and every fault", async () => {
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
    expect(flat).toMatch(/--port <n> [^()]*\(default: 4020, env: PORT\)/);
    expect(flat).toMatch(/--size <n> [^()]*\(default: 2000\)/);
    for (const [name, what] of Object.entries(FAULTS))
      expect(stdout).toMatch(new RegExp(`^ +${name} +${what.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
  });

  test("--version prints the package's version", async () => {
    const { code, stdout } = await run(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(VERSION);
  });

  test("starts, prints only the ready line with --quiet, answers, and exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, [CLI, "--port", "0", "--quiet", "--size", "50"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      const ready = await waitForLine(child, /ready in \d+ ms: (http:\/\/127\.0\.0\.1:\d+)\n/, 15_000);
      const url = ready[1];
      const res = await fetch(`${url}/api/v2/batches`);
      expect(res.status).toBe(401);
      await res.body?.cancel();
      expect(stdout).toMatch(/^Batches reference API ready in \d+ ms: http:\/\/127\.0\.0\.1:\d+\n$/);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  }, 30_000);
});

describe(`${BIN} --step-ms`, () => {
  test("batches created through the API move to a final status on their own", async () => {
    const child = spawn(process.execPath, [CLI, "--port", "0", "--size", "20", "--step-ms", "5"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const ready = await waitForLine(child, /ready in \d+ ms: (http:\/\/127\.0\.0\.1:\d+)\n[\s\S]*?(llx-ref-org0-prj0-\S+)/, 15_000);
      const [, url, key] = ready;
      const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
      const body = JSON.stringify(Object.values(getSpec().requestExamples("createBatch"))[0]?.value);
      const created = (await (await fetch(`${url}/api/v2/batches`, { method: "POST", headers, body })).json()) as {
        id: string;
        status: string;
      };
      let status = created.status;
      // Polls until final; bounded in polls, not time.
      for (let i = 0; i < 2_000 && !getSpec().finalStatuses.includes(status); i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        status = ((await (await fetch(`${url}/api/v2/batches/${created.id}`, { headers })).json()) as { status: string }).status;
      }
      expect(getSpec().finalStatuses).toContain(status);
    } finally {
      child.kill("SIGKILL");
    }
  }, 30_000);
});
