// Servers under test run in their own child process, never in the load generator's: a server sharing
// the load generator's event loop reads ~30% low. Two halves:
//
//   startProcess(entry, …)   in the bench: spawns `node entry`, waits for its ready line, returns a
//                            handle with `stop()`; every child is killed with its whole process group
//                            on stop(), on SIGINT/SIGTERM of the bench and on `process.on("exit")`.
//   runServerEntry(start)    in the entry file: reads its input, starts the server, prints the ready
//                            line, stops the server on SIGTERM/SIGINT or when the bench goes away.
//
// The protocol: the parent writes one JSON line on the child's stdin (the input, `null` if none) and
// keeps stdin open; the child answers one JSON line `{ "url": …, …info }` on stdout once it listens.
// stdin closing means the parent is gone (even killed with SIGKILL): the child stops and exits.

import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/**
 * @typedef {object} ServerProcess
 * @property {string} name
 * @property {number} pid the entry process (leader of its own process group)
 * @property {string} url from the ready line
 * @property {Record<string, unknown>} info the whole ready line (url included)
 * @property {() => Promise<void>} stop kills the process group (TERM, then KILL); safe to call twice
 * @property {() => string[]} log the last lines the child wrote (stderr, and stdout besides the ready line)
 * @property {() => number | undefined} rss resident set size of the entry and its descendants, bytes
 * @property {() => number | undefined} cpu CPU time (user + system) of the entry and its descendants so far, seconds
 * @property {() => boolean} alive false once the entry process has exited
 */

/** @type {Set<{ pid: number, stop: () => Promise<void> }>} children alive, for the exit hooks */
const running = new Set();
let hooked = false;

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

function installHooks() {
  if (hooked) return;
  hooked = true;
  // Last resort, synchronous: whatever is still running when this process exits, for any reason
  // (uncaught exception, process.exit) is killed with its descendants.
  process.on("exit", () => {
    for (const child of running) killGroup(child.pid, "SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping ${running.size} server process(es)\n`);
      stopAllProcesses().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    });
  }
}

/** Stops every child started by startProcess that is still running. */
export function stopAllProcesses() {
  return Promise.allSettled([...running].map((child) => child.stop()));
}

/**
 * Starts `node [nodeArgs] entry [args]` as the leader of its own process group and resolves once it
 * printed its ready line; rejects (and kills it) if it exits first or does not get ready in time.
 * @param {string | URL} entry path or file: URL of a script that calls runServerEntry
 * @param {{ name?: string, args?: string[], nodeArgs?: string[], input?: unknown, env?: Record<string, string>,
 *   readyTimeoutMs?: number, stopTimeoutMs?: number }} [options]
 * @returns {Promise<ServerProcess>}
 */
export function startProcess(entry, options = {}) {
  installHooks();
  const file = entry instanceof URL ? fileURLToPath(entry) : entry;
  const name = options.name ?? file;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), file, ...(options.args ?? [])], {
    stdio: ["pipe", "pipe", "pipe"],
    detached: true, // its own process group: stop() reaches the grandchildren (Prism) too
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", ...options.env },
  });
  const pid = child.pid;
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const closed = new Promise((resolve) => child.once("close", resolve));
  child.stdin.on("error", () => {}); // EPIPE when the child died first: reported through "exit"
  if (pid !== undefined) child.stdin.write(`${JSON.stringify(options.input ?? null)}\n`);

  const tail = [];
  const remember = (line) => {
    tail.push(line);
    if (tail.length > 50) tail.shift();
  };

  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      if (pid === undefined) return;
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(pid, "SIGTERM");
        const timer = setTimeout(() => killGroup(pid, "SIGKILL"), stopTimeoutMs);
        await exited;
        clearTimeout(timer);
      }
      killGroup(pid, "SIGKILL"); // anything the entry left behind in its group
      child.stdin.destroy();
      // Its last words (stderr written while stopping) are read before stop() resolves.
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
      running.delete(handle);
    })();
    return stopping;
  };
  const handle = { pid, stop };
  if (pid !== undefined) running.add(handle);

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (reason) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => {
        const why = tail.slice(-15).join("\n  ");
        reject(new Error(`${name} ${reason}${why ? `:\n  ${why}` : ""}`));
      });
    };
    const timer = setTimeout(() => fail(`did not print its ready line within ${readyTimeoutMs} ms`), readyTimeoutMs);
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (!settled && line.startsWith("{")) {
        let info;
        try {
          info = JSON.parse(line);
        } catch {
          info = undefined;
        }
        if (info && typeof info.url === "string") {
          settled = true;
          clearTimeout(timer);
          resolve({
            name,
            pid,
            url: info.url,
            info,
            stop,
            log: () => [...tail],
            rss: () => rssOfTree(pid),
            cpu: () => cpuTimeOfTree(pid),
            alive: () => child.exitCode === null && child.signalCode === null,
          });
          return;
        }
      }
      remember(line);
    });
    createInterface({ input: child.stderr }).on("line", remember);
    child.once("error", (error) => fail(`could not be started (${error.message})`));
    exited.then(({ code, signal }) => fail(`exited before it was ready (${signal ?? `code ${code}`})`));
  });
}

/**
 * The child's half: reads the input line, calls `start(input)`, prints `{ url, ...info }`, and stops
 * the server on SIGTERM, SIGINT or when stdin closes (the bench is gone), then exits.
 * @param {(input: any) => Promise<{ url: string, info?: Record<string, unknown>, stop: () => Promise<void> }>} start
 */
export function runServerEntry(start) {
  const lines = createInterface({ input: process.stdin });
  /** @type {{ stop: () => Promise<void> } | undefined} */
  let server;
  let stopping;
  const shutdown = (code) => {
    stopping ??= (async () => {
      try {
        await server?.stop();
      } catch (error) {
        process.stderr.write(`stop failed: ${error?.stack ?? error}\n`);
        code = 1;
      }
      process.exit(code);
    })();
    return stopping;
  };
  process.once("SIGTERM", () => shutdown(0));
  process.once("SIGINT", () => shutdown(0));
  lines.once("close", () => shutdown(0));
  lines.once("line", async (line) => {
    try {
      const started = await start(JSON.parse(line));
      server = started;
      if (stopping) return void (await started.stop());
      process.stdout.write(`${JSON.stringify({ ...started.info, url: started.url })}\n`);
    } catch (error) {
      process.stderr.write(`${error?.stack ?? error}\n`);
      await shutdown(1);
    }
  });
}

/**
 * Resident set size of one process, in bytes (Linux: VmRSS of /proc/<pid>/status); undefined where
 * there is no /proc or the process is gone.
 * @param {number} pid
 * @returns {number | undefined}
 */
export function rssOf(pid) {
  return statusKb(pid, "VmRSS");
}

/**
 * Peak resident set size of one process since it started, in bytes (Linux: VmHWM); undefined where
 * rssOf(pid) is.
 * @param {number} pid
 * @returns {number | undefined}
 */
export function peakRssOf(pid) {
  return statusKb(pid, "VmHWM");
}

function statusKb(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Direct children of a process (Linux: /proc/<pid>/task/<tid>/children). */
function childrenOf(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ").filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/**
 * RSS of a process and all its descendants, in bytes (e.g. the mock's front + its Prism child);
 * undefined where rssOf(pid) is.
 * @param {number} pid
 * @returns {number | undefined}
 */
export function rssOfTree(pid) {
  const own = rssOf(pid);
  if (own === undefined) return undefined;
  return childrenOf(pid).reduce((sum, child) => sum + (rssOfTree(child) ?? 0), own);
}

/**
 * CPU time (user + system) used so far by a process and its live descendants, in seconds (Linux:
 * utime + stime of /proc/<pid>/stat, in USER_HZ = 100 ticks); undefined where there is no /proc.
 * Sampled before and after a load run, it tells whether the server was the bottleneck (≈ one core
 * for a single-threaded server) or the load generator.
 * @param {number} pid
 * @returns {number | undefined}
 */
export function cpuTimeOfTree(pid) {
  let own;
  try {
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    own = (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
  return childrenOf(pid).reduce((sum, child) => sum + (cpuTimeOfTree(child) ?? 0), own);
}
