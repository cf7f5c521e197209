import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

// The same relative path from src/internal and dist/internal.
const LAUNCHER = fileURLToPath(new URL("../../bin/prism-launcher.cjs", import.meta.url));
const READY = /Prism is listening on (http:\/\/\S+)/;
// ANSI colour codes would otherwise end up in the URL and in error messages.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point.
const ANSI = /\u001b\[[0-9;]*m/g;

export interface PrismProcess {
  url: string;
  child: ChildProcess;
  /** Resolves once the process has exited; kills it (TERM, then KILL) if it has not. */
  stop(): Promise<void>;
}

/** Every Prism we started, so none outlives this process, even when a test run is cut short. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts the Prism CLI as a child process on an ephemeral loopback port and resolves with its URL
 * once it listens; rejects with Prism's own fatal message if it exits first.
 */
export function spawnPrism(
  args: readonly string[],
  options: { readyTimeoutMs: number; fakerSeed?: string | undefined; onLine?: ((line: string) => void) | undefined },
): Promise<PrismProcess> {
  // The launcher exits when its stdin ends: we never write to it, and the kernel closes our end
  // when this process goes, however it goes (SIGKILL, a signal without a handler, a crash), which
  // the "exit" handler above cannot see.
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", LLAMA_BATCHES_EXIT_WITH_STDIN: "1" };
  if (options.fakerSeed !== undefined) env.LLAMA_BATCHES_FAKER_SEED = options.fakerSeed;
  const child = spawn(process.execPath, [LAUNCHER, ...args, "--host", "127.0.0.1", "--port", "0"], {
    stdio: ["pipe", "pipe", "pipe"],
    env,
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  exited.then(() => running.delete(child));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(timer);
    }
  };

  return new Promise<PrismProcess>((resolve, reject) => {
    const tail: string[] = [];
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Prism's reason is its "fatal" line and what follows it (the cause), not its usage text.
      const fatalAt = tail.findIndex((l) => /\bfatal\b/.test(l));
      const why = (fatalAt >= 0 ? tail.slice(fatalAt, fatalAt + 3) : tail.slice(-5)).join("\n");
      void stop().then(() => reject(new Error(`Prism ${reason}${why ? `:\n${why}` : ""}`)));
    };
    const timer = setTimeout(() => fail(`did not start within ${options.readyTimeoutMs} ms`), options.readyTimeoutMs);

    const onLine = (raw: string) => {
      const line = raw.replace(ANSI, "");
      options.onLine?.(line);
      if (settled) return;
      tail.push(line);
      if (tail.length > 200) tail.shift();
      const ready = READY.exec(line);
      if (ready?.[1]) {
        settled = true;
        clearTimeout(timer);
        resolve({ url: ready[1], child, stop });
      }
    };
    for (const stream of [child.stdout, child.stderr]) if (stream) createInterface({ input: stream }).on("line", onLine);
    child.once("error", (error) => fail(`could not be started (${error.message})`));
    child.once("exit", (code, signal) => fail(`exited before listening (${signal ?? `code ${code}`})`));
  });
}
