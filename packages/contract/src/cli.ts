#!/usr/bin/env node
import { writeFileSync } from "node:fs";
import { parseCommandLine } from "@llama-batches/spec/cli";
import { type ContractCliOptions, createProgram } from "./internal/program.js";
import { failureDetails, junit, progressLine, table } from "./report.js";
import { runContract } from "./runner.js";

const program = createProgram();
const options = parseCommandLine<ContractCliOptions>(program);
const { baseUrl, apiKey, profile } = options;
// The replay command repeats --runs only when it was given, not its default.
const runs = program.getOptionValueSource("runs") === "default" ? undefined : options.runs;

console.log(`batches-contract: ${baseUrl} (profile ${profile}${apiKey ? "" : ", no API key"})`);
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
    path: options.path,
    onResult: (r) => console.log(progressLine(r)),
  });
  console.log(`\n${table(report)}\n`);
  console.log(
    `seed ${report.seed}; ${report.requests} requests in ${(report.ms / 1000).toFixed(1)} s; data seen: ${report.observed.batches} batches${report.observed.complete ? " (all)" : ""}`,
  );
  if (options.junit) writeFileSync(options.junit, junit(report, baseUrl));
  const failed = report.results.filter((r) => r.outcome === "fail");
  const replay = `batches-contract --base-url ${baseUrl} --profile ${profile}${runs ? ` --runs ${runs}` : ""}`;
  for (const r of failed) console.log(`\n${failureDetails(r, replay)}`);
  process.exit(failed.length > 0 ? 1 : 0);
} catch (error) {
  const e = error as Error;
  console.error(e.name === "Unreachable" || e.name === "Error" ? `Cannot check ${baseUrl}: ${e.message}` : e.stack);
  process.exit(2);
}
