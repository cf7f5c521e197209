import {
  Command,
  existingFile,
  hostOption,
  InvalidArgumentError,
  integer,
  Option,
  portOption,
  quietOption,
  withStandardOptions,
} from "@llama-batches/spec/cli";
import { FAULTS, type FaultName, isFaultName } from "../faults/index.js";

/** The options of `llama-batches-reference`, as parsed by {@link createProgram}'s program. */
export interface ReferenceCliOptions {
  port: number;
  host: string;
  seed: number;
  size: number;
  fixture?: string;
  fault?: FaultName[];
  admin?: true;
  stepMs?: number;
  quiet?: true;
}

/** The command line of `llama-batches-reference`: its flags drive parsing, validation, `--help` and errors. */
export function createProgram(): Command {
  const program = new Command("llama-batches-reference")
    .description(
      "The stateful reference implementation of the LlamaCloud Batches API (list, create, retrieve, cancel): filters, " +
        "keyset pagination with signed page tokens, API keys scoped to an organization or a project, all on a " +
        "generated dataset (or a fixture file). Fault modes switch on deliberate bugs, to show that the contract " +
        "suite (batches-contract) catches each one.",
    )
    .addOption(portOption(4020))
    .addOption(hostOption())
    .addOption(new Option("--seed <n>", "seed of the generated dataset").default(1).argParser(integer(0)))
    .addOption(new Option("--size <n>", "batches in the generated dataset").default(2_000).argParser(integer(0)))
    .addOption(
      new Option(
        "--fixture <file>",
        "serve the data of a JSON fixture file instead of generated data (--seed and --size are then ignored)",
      ).argParser(existingFile),
    )
    .addOption(
      new Option("--fault <names>", "switch on fault modes: comma-separated names, see Faults below; repeatable").argParser(faultNames),
    )
    .addOption(new Option("--admin", "serve the admin routes too (POST /_admin/batches, PATCH /_admin/batches/{id})"))
    .addOption(
      new Option(
        "--step-ms <ms>",
        "move batches created through the API one lifecycle step every <ms> milliseconds (PENDING → RUNNING → COMPLETED; a cancel → CANCELLED); without it they stand still",
      ).argParser(integer(1)),
    )
    .addOption(quietOption())

    .addHelpText("after", () => {
      const width = Math.max(...Object.keys(FAULTS).map((name) => name.length));
      const lines = Object.entries(FAULTS).map(([name, what]) => `  ${name.padEnd(width)}  ${what}`);
      return `\nFaults (--fault NAME[,NAME…]):\n${lines.join("\n")}`;
    });
  return withStandardOptions(program, new URL("../../package.json", import.meta.url));
}

/** argParser of --fault: every name must be known; a repeated --fault adds to the names before. */
function faultNames(value: string, previous: readonly FaultName[] | undefined): FaultName[] {
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !isFaultName(name));
  if (names.length === 0 || unknown.length > 0) {
    const what = unknown.length > 0 ? `Unknown fault ${unknown.map((name) => `"${name}"`).join(", ")}` : "Expected fault names";
    throw new InvalidArgumentError(`${what}; known: ${Object.keys(FAULTS).join(", ")}.`);
  }
  return [...(previous ?? []), ...names.filter(isFaultName)];
}
