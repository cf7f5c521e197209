/**
 * The command-line conventions every bin of the kit shares (`llama-batches-mock`,
 * `llama-batches-reference`, `batches-contract`), on commander: the same flag means the same thing
 * everywhere, the options table drives parsing, validation and `--help`, and bad usage of any kind
 * exits 2 with a one-line reason.
 */
import { readFileSync, statSync } from "node:fs";
import { constants } from "node:os";
import { inspect } from "node:util";
import { type Command, CommanderError, InvalidArgumentError, Option, type OptionValues } from "commander";

export { Command, InvalidArgumentError, Option } from "commander";

/** An argParser for an integer from `min` to `max` (both inclusive). */
export function integer(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  let range = "an integer";
  if (max < Number.MAX_SAFE_INTEGER) range += ` from ${min} to ${max}`;
  else if (min > Number.MIN_SAFE_INTEGER) range += ` ≥ ${min}`;
  return (value) => {
    const n = /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`Expected ${range}.`);
    return n;
  };
}

/** An argParser for the path of a file that exists. */
export function existingFile(value: string): string {
  if (!statSync(value, { throwIfNoEntry: false })?.isFile()) throw new InvalidArgumentError("No such file.");
  return value;
}

/** An argParser for a value that is not blank. */
export function nonBlank(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("Expected a value that is not blank.");
  return value;
}

/** An argParser for an http(s) URL; returns it as given. */
export function httpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("Expected a URL such as http://127.0.0.1:4020.");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new InvalidArgumentError("Expected an http:// or https:// URL.");
  return value;
}

/** `-p, --port <n>` (or `PORT`): 0 picks a free port. */
export function portOption(defaultPort: number): Option {
  return new Option("-p, --port <n>", "port to listen on; 0 picks a free one")
    .env("PORT")
    .default(defaultPort)
    .argParser(integer(0, 65535));
}

/** `--host <addr>`: loopback unless told otherwise. */
export function hostOption(): Option {
  return new Option("--host <addr>", "address to listen on").default("127.0.0.1", "127.0.0.1").argParser(nonBlank);
}

/** `-q, --quiet`: a server prints only its ready line. */
export function quietOption(): Option {
  return new Option("-q, --quiet", "print only the ready line with the URL");
}

/** `-V, --version` from the package's own manifest, and `-h, --help`, worded alike in every bin. */
export function withStandardOptions(program: Command, manifest: URL): Command {
  return program.version(packageVersion(manifest), "-V, --version", "print the version").helpOption("-h, --help", "print this help");
}

function packageVersion(manifest: URL): string {
  const parsed: unknown = JSON.parse(readFileSync(manifest, "utf8"));
  const version = typeof parsed === "object" && parsed !== null && "version" in parsed ? parsed.version : undefined;
  if (typeof version !== "string") throw new Error(`${manifest.pathname} has no version`);
  return version;
}

/**
 * Parses `argv` with `program` and returns its options. Help and version exit 0 on stdout; bad usage
 * of any kind exits 2 with two lines on stderr: `<bin>: <reason>`, then where to find the usage.
 */
export function parseCommandLine<T extends OptionValues>(program: Command, argv: readonly string[] = process.argv): T {
  const bin = program.name();
  program
    .exitOverride()
    .showHelpAfterError(`Run "${bin} --help" for usage.`)
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(`${bin}: ${oneLine(text)}\n`),
    });
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    throw error;
  }
  return program.opts<T>();
}

/** The process that started this one, read as early as the CLI loads this module. */
const startedBy = process.ppid;

export interface ExitWithParentOptions {
  /** How often to check that the process that started this one is still there; default 500 ms. */
  pollMs?: number | undefined;
  /** How long `stop` may take before the process exits anyway; default 10 s. */
  graceMs?: number | undefined;
}

/**
 * Ties a running server's life to whoever started it: call it once the server is up, before it
 * prints its ready line (a caller may signal it as soon as it reads that), with what stops it.
 * `stop` runs once, and then the process exits,
 * - on SIGINT, SIGTERM or SIGHUP: exit 0 (a second signal while stopping exits at once, 128 + its number);
 * - when the process that started this one is gone, which a wrapper killed without passing the
 *   signal on (npx, a shell, a test runner killed with SIGKILL) leaves behind: exit 0. An orphan
 *   is adopted by init or a subreaper, so its parent pid changes; that is polled, unref'd;
 * - on an uncaught exception or unhandled rejection, printed to stderr first: exit 1.
 * If `stop` fails, or takes longer than `graceMs`, the process exits 1 regardless.
 */
export function exitWithParent(stop: () => Promise<void>, options: ExitWithParentOptions = {}): void {
  let stopping = false;
  let exitCode = 0;
  const poll = setInterval(() => {
    if (process.ppid !== startedBy) shutdown(0);
  }, options.pollMs ?? 500);
  poll.unref();
  const shutdown = (code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    clearInterval(poll);
    process.exitCode = exitCode;
    setTimeout(() => process.exit(1), options.graceMs ?? 10_000).unref();
    Promise.resolve()
      .then(stop)
      .then(
        () => process.exit(exitCode),
        (error: unknown) => {
          report(error);
          process.exit(1);
        },
      );
  };

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(128 + (constants.signals[signal] ?? 0));
      shutdown(0);
    });
  }
  const crash = (error: unknown) => {
    // Once stopping, a further error (such as EPIPE on a stdout nobody reads) does not stop the stop.
    if (!stopping) report(error);
    shutdown(1);
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
}

function report(error: unknown): void {
  try {
    process.stderr.write(`${inspect(error)}\n`);
  } catch {
    // stderr is gone too; the exit code still tells.
  }
}

/** Commander's message without its "error: " prefix, a "(Did you mean …?)" suggestion on the same line. */
function oneLine(message: string): string {
  return message
    .replace(/^error: /, "")
    .trim()
    .replace(/\s*\n\s*/g, " ");
}
