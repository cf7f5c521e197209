import { getSpec } from "@llama-batches/spec";
import { Command, httpUrl, InvalidArgumentError, integer, nonBlank, Option, withStandardOptions } from "@llama-batches/spec/cli";
import { INVARIANTS, type Profile } from "../invariants/index.js";

/** The options of `batches-contract`, as parsed by {@link createProgram}'s program. */
export interface ContractCliOptions {
  baseUrl: string;
  apiKey?: string;
  profile: Profile;
  runs: number;
  seed?: number;
  only?: string[];
  junit?: string;
  json?: string;
  strict?: true;
  budget?: number;
  path?: string;
  concurrency: number;
}

const PROFILES: readonly Profile[] = ["contract", "full"];

/** The command line of `batches-contract`: its flags drive parsing, validation, `--help` and errors. */
export function createProgram(): Command {
  const program = new Command("batches-contract")
    .usage("--base-url <url> [options]")
    .description(
      "Checks a server against the contract of the LlamaCloud Batches API (List Batches, from the OpenAPI document " +
        "of @llama-batches/spec) with fast-check properties: each invariant draws queries, sends them, and checks the " +
        "answers. A violation is shrunk to a small counterexample and printed with the offending response and a " +
        "command that replays it.",
    )
    .addOption(
      new Option("--base-url <url>", "the server, e.g. http://127.0.0.1:4020 or https://api.cloud.llamaindex.ai")
        .makeOptionMandatory()
        .argParser(httpUrl),
    )
    .addOption(
      new Option("--api-key <key>", "bearer key; the invariants that read data need one").env("LLAMA_CLOUD_API_KEY").argParser(apiKey),
    )
    .addOption(
      new Option(
        "--profile <name>",
        "contract: what any conforming server (a stateless mock too) must honour; full: also pagination and filter semantics",
      )
        .choices(PROFILES)
        .default("contract"),
    )
    .addOption(new Option("--runs <n>", "property runs per invariant (weighted per invariant)").default(25).argParser(integer(1)))
    .addOption(new Option("--seed <s>", "fast-check seed; random by default, printed on every run").argParser(integer()))
    .addOption(new Option("--only <ids>", "run only these invariants: comma-separated ids (see Invariants below)").argParser(invariantIds))
    .addOption(
      new Option(
        "--strict",
        "fail on decided rules too (this spec's choices where the public page is silent); by default a broken decided rule is reported as drift, with its evidence, and the run still passes",
      ),
    )
    .addOption(
      new Option("--junit <file>", "also write a JUnit XML report to <file> (each test case carries its tier)").argParser(nonBlank),
    )
    .addOption(
      new Option("--json <file>", "also write the report as JSON to <file> (each result with its rule and tier)").argParser(nonBlank),
    )
    .addOption(new Option("--budget <n>", "most requests to send, 429 retries included; unlimited by default").argParser(integer(1)))
    .addOption(
      new Option(
        "--path <p>",
        "replay one shrunk counterexample: the path a failure printed; only with --only ONE_ID --seed S (ignored otherwise)",
      ).argParser(fastCheckPath),
    )
    .addOption(new Option("--concurrency <n>", "requests in flight at once").default(4).argParser(integer(1)))

    .addHelpText("after", () => {
      const spec = getSpec();
      const invariants = INVARIANTS.map(
        (i) => `  ${i.id.padEnd(3)} ${i.profile.padEnd(8)}  ${spec.rule(i.rule).tier.padEnd(10)}  ${i.title}`,
      );
      return [
        "",
        "Invariants (id, smallest profile that runs it, tier of its rule, what it checks):",
        ...invariants,
        "",
        "A failure ends with a replay command (--only ID --seed S --path P) that reproduces its counterexample.",
        "",
        "Tiers: documented rules come from the public reference page or the official SDKs; decided rules are this",
        "spec's choices where the page is silent (order, page_size bounds, token binding, error bodies…).",
        "",
        "Exit codes:",
        "  0  every documented rule holds (decided ones too, with --strict); drift is reported, not failed",
        "  1  a documented rule is violated, or a decided one with --strict",
        "  2  bad usage, or the server cannot be reached or read",
      ].join("\n");
    });
  return withStandardOptions(program, new URL("../../package.json", import.meta.url));
}

/** argParser of --api-key: an opaque token; blank (an empty LLAMA_CLOUD_API_KEY) means no key. */
function apiKey(value: string): string {
  const key = value.trim();
  if (/\s/.test(key)) throw new InvalidArgumentError("An API key has no spaces.");
  return key;
}

/** argParser of --only: known invariant ids, upper-cased. */
function invariantIds(value: string): string[] {
  const ids = value
    .split(",")
    .map((id) => id.trim().toUpperCase())
    .filter(Boolean);
  const unknown = ids.filter((id) => !INVARIANTS.some((i) => i.id === id));
  const known = INVARIANTS.map((i) => i.id).join(", ");
  if (ids.length === 0) throw new InvalidArgumentError(`Expected comma-separated invariant ids; known: ${known}.`);
  if (unknown.length > 0) throw new InvalidArgumentError(`Unknown invariant ${unknown.join(", ")}; known: ${known}.`);
  return ids;
}

/** argParser of --path: fast-check's counterexample path, e.g. 3:0:1. */
function fastCheckPath(value: string): string {
  if (!/^\d+(:\d+)*$/.test(value)) throw new InvalidArgumentError("Expected a counterexample path such as 3:0:1.");
  return value;
}
