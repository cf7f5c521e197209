import { getSpec } from "@llama-batches/spec";
import { Command, httpUrl, InvalidArgumentError, integer, nonBlank, Option, withStandardOptions } from "@llama-batches/spec/cli";
import { INVARIANTS, type Profile } from "../invariants/index.js";
import { createIdsProblem, writePolicyProblem } from "../writes.js";

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
  allowWrites?: true;
  maxWrites?: number;
  sourceDirectoryId?: string;
  configurationId?: string;
  jobType?: string;
}

const PROFILES: readonly Profile[] = ["contract", "full"];

/** The job types a configuration may be for: the spec's `BatchJobType`. */
function jobTypes(): string[] {
  const schema = getSpec().document.components?.schemas?.BatchJobType as { enum?: string[] } | undefined;
  return schema?.enum ?? [];
}

/** The command line of `batches-contract`: its flags drive parsing, validation, `--help` and errors. */
export function createProgram(): Command {
  const program = new Command("batches-contract")
    .usage("--base-url <url> [options]")
    .description(
      "Checks a server against the contract of the LlamaCloud Batches API (list, get, create and cancel, from the " +
        "OpenAPI document of @llama-batches/spec) with fast-check properties: each invariant draws queries, sends them, and checks the " +
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
    .addOption(
      new Option(
        "--allow-writes",
        "let the invariants that write (W*) create and cancel batches on the server; without it only GETs are sent and they are skipped. They cancel only batches they created, ids that exist nowhere, and batches already in a final status",
      ),
    )
    .addOption(
      new Option(
        "--max-writes <n>",
        "most writes (creates and cancels, refused ones and 429 retries included) the run may send; once used up, the remaining W* invariants are skipped. With it, a failing W* invariant reports its first counterexample unshrunk (each shrink step would be a paid write). Required with --allow-writes unless the base URL is loopback: on the live API a create costs money",
      ).argParser(integer(0)),
    )
    .addOption(
      new Option(
        "--source-directory-id <id>",
        "source_directory_id of every create meant to succeed: an existing directory. Required with --allow-writes unless the base URL is loopback (drawn ids there): a correct live server refuses a create from a directory that exists nowhere",
      ).argParser(nonBlank),
    )
    .addOption(
      new Option(
        "--configuration-id <id>",
        "config.job.configuration_id of the same creates: an existing configuration (saved, or a preset such as cfg-PARSE_AGENTIC). Required with --allow-writes unless the base URL is loopback; needs --job-type",
      ).argParser(nonBlank),
    )
    .addOption(
      new Option("--job-type <type>", "the job type --configuration-id is for (config.job.type of the same creates)").choices(jobTypes()),
    )
    // Options that are each fine but wrong together are bad usage too: exit 2 before anything is sent.
    .action(function (this: Command) {
      const o = this.opts<ContractCliOptions>();
      const problem = writePolicyProblem(o.baseUrl, o.allowWrites, o.maxWrites) ?? createIdsProblem(o.baseUrl, o.allowWrites, o);
      if (problem) this.error(problem, { exitCode: 2 });
    })

    .addHelpText("after", () => {
      const spec = getSpec();
      const invariants = INVARIANTS.map(
        (i) => `  ${i.id.padEnd(3)} ${i.profile.padEnd(8)}  ${spec.rule(i.rule).tier.padEnd(10)}  ${i.writes ? "[writes] " : ""}${i.title}`,
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
        "Writes: none without --allow-writes (the W* invariants show SKIP, with the reason). Every non-GET request",
        "counts against --max-writes, refused bodies too: a server that wrongly accepts one creates a batch.",
        "Against a server not on loopback (the live API), also pass --source-directory-id, --configuration-id and",
        "--job-type of resources that exist there: every create meant to succeed uses them, with no webhook fields.",
        "After the run (a failure, a used-up budget or Ctrl-C included) each batch the run created and did not see",
        "final is cancelled, outside --max-writes and --budget (a cancel stops spending), and so is each batch found",
        "in --source-directory-id after a create timed out or dropped (never one that was there before the run);",
        "the cleanup line reports what became of them. A timeout or dropped connection is exit 2, not a violation.",
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
