import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { type RunningMock, startMock } from "../src/index.js";

const auth = { authorization: "Bearer test" };
const started: RunningMock[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((m) => m.stop()));
});
async function start(options: Parameters<typeof startMock>[0] = {}) {
  const mock = await startMock(options);
  started.push(mock);
  return mock;
}

describe("startMock", () => {
  test("listens on a free loopback port, answers, and stops", async () => {
    const mock = await start();
    const url = new URL(mock.url);
    expect(url.hostname).toBe("127.0.0.1");
    expect(Number(url.port)).toBeGreaterThan(0);
    const res = await fetch(`${mock.url}/api/v2/batches`, { headers: auth });
    expect(res.status).toBe(200);
    await mock.stop();
    await expect(fetch(`${mock.url}/api/v2/batches`, { headers: auth })).rejects.toThrow();
    await mock.stop(); // idempotent
  });

  test("two mocks run at once, on different ports, independently", async () => {
    const [a, b] = await Promise.all([start(), start({ dynamic: true, seed: 7 })]);
    expect(a.url).not.toBe(b.url);
    const [ra, rb] = await Promise.all([
      fetch(`${a.url}/api/v2/batches`, { headers: auth }).then((r) => r.json()),
      fetch(`${b.url}/api/v2/batches`, { headers: auth }).then((r) => r.json()),
    ]);
    expect(ra).not.toEqual(rb);
    await a.stop();
    expect((await fetch(`${b.url}/api/v2/batches`, { headers: auth })).status).toBe(200);
  });

  test("a port that is taken rejects with a clear message", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const { port } = blocker.address() as { port: number };
    try {
      await expect(startMock({ port })).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });

  test("a broken spec rejects with Prism's reason, instead of hanging", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mock-spec-"));
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "openapi: 3.1.0\ninfo: {title: x\npaths: [\n");
    await expect(startMock({ spec: broken })).rejects.toThrow(/Prism exited before listening[\s\S]*Error parsing/);
    const empty = join(dir, "empty.yaml");
    writeFileSync(empty, "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n");
    await expect(startMock({ spec: empty })).rejects.toThrow(/No operations found/);
    await expect(startMock({ spec: join(dir, "missing.yaml") })).rejects.toThrow(/Error opening file[\s\S]*no such file/);
  });

  test("a spec given explicitly is served", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mock-spec-"));
    const spec = join(dir, "ping.yaml");
    writeFileSync(
      spec,
      `openapi: 3.1.0
info: {title: ping, version: '1'}
paths:
  /ping:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              example: {pong: true}
`,
    );
    const mock = await start({ spec });
    expect(await (await fetch(`${mock.url}/ping`)).json()).toEqual({ pong: true });
  });
});

// Real processes, as they run downstream: a script that calls startMock, and the CLI behind a
// wrapper the way npx runs it. Whatever ends the owner, Prism must not outlive it.
const INDEX = new URL("../dist/index.js", import.meta.url).href;
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

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

function childrenOf(pid: number): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
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

/** Polls until connections to every URL are refused; throws naming the ones that still accept after `timeoutMs`. */
async function waitRefused(urls: string[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const accepting = (await Promise.all(urls.map(async (url) => ((await refused(url)) ? [] : [url])))).flat();
    if (accepting.length === 0) return;
    if (Date.now() > deadline) throw new Error(`still accepting connections after ${timeoutMs} ms: ${accepting.join(", ")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads stdout until `pattern` matches; rejects with what was printed if the process ends first. */
function waitFor(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
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

// An owner with no handlers of its own: SIGTERM and SIGINT end it without an "exit" event, as SIGKILL does.
const OWNER = `
import { startMock } from ${JSON.stringify(INDEX)};
let prism = "";
const mock = await startMock({ onLog: (line) => { prism = /Prism is listening on (http:\\S+)/.exec(line)?.[1] ?? prism; } });
console.log("owner " + process.pid + " mock " + mock.url + " prism " + prism);
process.stdin.once("data", () => { throw new Error("the owner crashed"); });
`;

describe.concurrent("nothing outlives its owner", () => {
  for (const how of ["SIGTERM", "SIGINT", "SIGKILL", "uncaught error"] as const) {
    test(`startMock's owner ends by ${how}: its Prism exits and both URLs refuse connections`, async ({ expect }) => {
      const owner = spawn(process.execPath, ["--input-type=module", "-e", OWNER], { stdio: ["pipe", "pipe", "pipe"] });
      const pids = new Set<number | undefined>([owner.pid]);
      try {
        const [, pid, mockUrl = "", prismUrl = ""] = await waitFor(owner, /owner (\d+) mock (\S+) prism (\S+)\n/);
        expect(Number(pid)).toBe(owner.pid);
        const prism = childrenOf(Number(pid));
        expect(prism).toHaveLength(1);
        for (const p of prism) pids.add(p);
        expect(await refused(prismUrl)).toBe(false);

        const exited = exitOf(owner);
        if (how === "uncaught error") owner.stdin.write("crash\n");
        else owner.kill(how);
        const { code, signal } = await exited;
        if (how === "uncaught error") expect(code).not.toBe(0);
        else expect(signal).toBe(how);

        await waitGone(prism);
        await waitRefused([mockUrl, prismUrl]);
      } finally {
        killAll(pids);
      }
    });
  }

  // npx runs the bin through a shell or a node of its own, and `kill $!` signals that, not the CLI.
  test("the CLI behind a wrapper that is SIGKILLed: the CLI and its Prism exit", async ({ expect }) => {
    const wrapper = spawn(
      process.execPath,
      [
        "-e",
        `const child = require("node:child_process").spawn(process.execPath, process.argv.slice(1), { stdio: "inherit" });
         console.log("cli " + child.pid);`,
        CLI,
        "--port",
        "0",
        "--quiet",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const pids = new Set<number | undefined>([wrapper.pid]);
    try {
      const [, cli, url = ""] = await waitFor(wrapper, /cli (\d+)\n[\s\S]*ready: (http:\S+)\n/);
      pids.add(Number(cli));
      const prism = childrenOf(Number(cli));
      expect(prism).toHaveLength(1);
      for (const p of prism) pids.add(p);
      expect(await refused(url)).toBe(false);

      wrapper.kill("SIGKILL");
      await waitGone([Number(cli), ...prism]);
      await waitRefused([url]);
    } finally {
      killAll(pids);
    }
  });
});
