#!/usr/bin/env node
import { writeFileSync } from "node:fs";
import { parseCommandLine } from "@llama-batches/spec/cli";
import { type ContractCliOptions, createProgram } from "./internal/program.js";
import { cleanupLine, failureDetails, jsonReport, junit, progressLine, table, verdict } from "./report.js";
import { runContract } from "./runner.js";

const program = createProgram();
const options = parseCommandLine<ContractCliOptions>(program);
const { baseUrl, apiKey, profile } = options;
// The replay command repeats --runs only when it was given, not its default.
const runs = program.getOptionValueSource("runs") === "default" ? undefined : options.runs;

const strict = options.strict === true;
const writes = options.allowWrites
  ? `writes allowed${options.maxWrites === undefined ? "" : ` (at most ${options.maxWrites})`}`
  : "no writes";
console.log(`batches-contract: ${baseUrl} (profile ${profile}${strict ? ", strict" : ""}, ${writes}${apiKey ? "" : ", no API key"})`);
// Ctrl-C stops the run, then the batches it created are cancelled; a second one leaves at once.
const interrupt = new AbortController();
process.once("SIGINT", () => {
  console.error("interrupted: finishing the requests in flight, then cancelling the batches this run created (Ctrl-C again to leave now)");
  interrupt.abort();
  process.once("SIGINT", () => process.exit(130));
});
try {
  const report = await runContract({
    baseUrl,
    apiKey,
    profile,
    runs: options.runs,
    seed: options.seed,
    only: options.only,
    budget: options.budget,
    concurrency: options.concurrency,
    allowWrites: options.allowWrites === true,
    maxWrites: options.maxWrites,
    sourceDirectoryId: options.sourceDirectoryId,
    configurationId: options.configurationId,
    jobType: options.jobType,
    signal: interrupt.signal,
    path: options.path,
    strict,
    onResult: (r) => console.log(progressLine(r)),
  });
  console.log(`\n${table(report)}\n`);
  console.log(
    `seed ${report.seed}; ${report.requests} requests (${report.writes} writes) in ${(report.ms / 1000).toFixed(1)} s; data seen: ${report.observed.batches} batches created up to ${report.observed.horizonText}${report.observed.complete ? " (all)" : ""}`,
  );
  console.log(report.interrupted ? "interrupted: the invariants not run have no verdict" : verdict(report));
  if (options.junit) writeFileSync(options.junit, junit(report, baseUrl));
  if (options.json) writeFileSync(options.json, jsonReport(report, baseUrl));
  // The credentials as a placeholder: a replay that can be pasted, and no key in a CI log.
  const replay = [
    `batches-contract --base-url ${baseUrl}`,
    apiKey ? " --api-key <key>" : "",
    ` --profile ${profile}`,
    runs ? ` --runs ${runs}` : "",
    strict ? " --strict" : "",
    options.allowWrites ? " --allow-writes" : "",
    options.maxWrites === undefined ? "" : ` --max-writes ${options.maxWrites}`,
    options.sourceDirectoryId === undefined ? "" : ` --source-directory-id ${options.sourceDirectoryId}`,
    options.configurationId === undefined ? "" : ` --configuration-id ${options.configurationId} --job-type ${options.jobType}`,
  ].join("");
  for (const r of report.results.filter((x) => x.outcome === "fail" || x.outcome === "drift"))
    console.log(`\n${failureDetails(r, replay)}`);
  process.exit(report.interrupted ? 130 : report.ok ? 0 : 1);
} catch (error) {
  const e = error as Error & { cleanup?: Parameters<typeof cleanupLine>[0] };
  if (e.name === "Interrupted") {
    // Before any invariant ran (while the data was read): nothing was created.
    console.error(e.message);
    process.exit(130);
  }
  console.error(e.name === "Unreachable" || e.name === "Error" ? `Cannot check ${baseUrl}: ${e.message}` : e.stack);
  if (e.cleanup) console.error(cleanupLine(e.cleanup));
  process.exit(2);
}
