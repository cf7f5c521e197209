import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, test } from "vitest";

// The CLI as it runs downstream: behind a wrapper the way npx runs it, or stopped by a signal or a
// crash. Whatever ends its owner, the server must not outlive it.
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const ARGS = [CLI, "--port", "0", "--quiet", "--size", "50"];
const READY = /ready in \d+ ms: (http:\/\/127\.0\.0\.1:\d+)\n/;

/**
 * Whether the process still runs. An exited one may linger as a zombie (an orphan's reaper may
 * never reap it, as in some containers), and its main thread turns zombie before its other threads
 * have gone, with its sockets still open: it runs while any of its threads is not a zombie.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    return readdirSync(`/proc/${pid}/task`).some((task) => {
      try {
        return !/^[ZX]/.test(readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8").replace(/^.*\) /s, ""));
      } catch {
        return false; // gone meanwhile
      }
    });
  } catch {
    return !existsSync("/proc/self"); // no procfs: kill(0) is all we have
  }
}

/** Polls until every pid is gone; throws naming the ones still there after `timeoutMs`. */
async function waitGone(pids: number[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive)) {
    if (Date.now() > deadline) throw new Error(`still running after ${timeoutMs} ms: ${pids.filter(alive).join(", ")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether a TCP connection to the URL's port is refused. */
function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

/** Polls until connections to the URL are refused; throws if it still accepts them after `timeoutMs`. */
async function waitRefused(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await refused(url))) {
    if (Date.now() > deadline) throw new Error(`${url} still accepts connections after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads stdout and stderr until `pattern` matches; rejects with what was printed if the process ends first. */
function waitFor(child: ChildProcess, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited (${signal ?? code}) before ${pattern}:\n${out}`));
    });
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** SIGKILLs whatever the test left running. */
function killAll(pids: Iterable<number | undefined>) {
  for (const pid of pids) if (pid !== undefined && alive(pid)) process.kill(pid, "SIGKILL");
}

describe.concurrent("llama-batches-reference lifecycle", () => {
  // npx runs the bin through a shell or a node of its own, and `kill $!` signals that, not the CLI.
  test("behind a wrapper that is SIGKILLed, the CLI exits and its URL refuses connections", async ({ expect }) => {
    const wrapper = spawn(
      process.execPath,
      [
        "-e",
        `const child = require("node:child_process").spawn(process.execPath, process.argv.slice(1), { stdio: "inherit" });
         console.log("cli " + child.pid);`,
        ...ARGS,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const pids = new Set<number | undefined>([wrapper.pid]);
    try {
      const [, cli, url = ""] = await waitFor(wrapper, new RegExp(`cli (\\d+)\\n[\\s\\S]*${READY.source}`));
      pids.add(Number(cli));
      expect(await refused(url)).toBe(false);

      wrapper.kill("SIGKILL");
      await waitGone([Number(cli)]);
      await waitRefused(url);
    } finally {
      killAll(pids);
    }
  });

  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    test(`${signal} stops it and it exits 0`, async ({ expect }) => {
      const cli = spawn(process.execPath, ARGS, { stdio: ["ignore", "pipe", "pipe"] });
      try {
        const [, url = ""] = await waitFor(cli, READY);
        const exited = exitOf(cli);
        cli.kill(signal);
        expect(await exited).toEqual({ code: 0, signal: null });
        await waitRefused(url);
      } finally {
        killAll([cli.pid]);
      }
    });
  }

  // A preload that throws, or rejects a promise nobody handles, on cue, outside any handler of the CLI's.
  for (const [what, crash, message] of [
    ["an uncaught exception", 'process.on("SIGUSR2", () => { throw new Error("thrown on purpose"); });', /Error: thrown on purpose/],
    [
      "an unhandled rejection",
      'process.on("SIGUSR2", () => { Promise.reject(new Error("rejected on purpose")); });',
      /Error: rejected on purpose/,
    ],
  ] as const) {
    test(`${what} stops it, is printed, and it exits 1`, async ({ expect }) => {
      const cli = spawn(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(crash)}`, ...ARGS], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      cli.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      try {
        const [, url = ""] = await waitFor(cli, READY);
        const exited = exitOf(cli);
        cli.kill("SIGUSR2");
        expect(await exited).toEqual({ code: 1, signal: null });
        expect(stderr).toMatch(message);
        await waitRefused(url);
      } finally {
        killAll([cli.pid]);
      }
    });
  }
});
