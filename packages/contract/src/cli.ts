#!/usr/bin/env node
import { writeFileSync } from "node:fs";
import { parseCommandLine } from "@llama-batches/spec/cli";
import { type ContractCliOptions, createProgram } from "./internal/program.js";
import { failureDetails, jsonReport, junit, progressLine, table, verdict } from "./report.js";
import { runContract } from "./runner.js";

const program = createProgram();
const options = parseCommandLine<ContractCliOptions>(program);
const { baseUrl, apiKey, profile } = options;
// The replay command repeats --runs only when it was given, not its default.
const runs = program.getOptionValueSource("runs") === "default" ? undefined : options.runs;

const strict = options.strict === true;
console.log(`batches-contract: ${baseUrl} (profile ${profile}${strict ? ", strict" : ""}${apiKey ? "" : ", no API key"})`);
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
    strict,
    onResult: (r) => console.log(progressLine(r)),
  });
  console.log(`\n${table(report)}\n`);
  console.log(
    `seed ${report.seed}; ${report.requests} requests in ${(report.ms / 1000).toFixed(1)} s; data seen: ${report.observed.batches} batches created up to ${report.observed.horizonText}${report.observed.complete ? " (all)" : ""}`,
  );
  console.log(verdict(report));
  if (options.junit) writeFileSync(options.junit, junit(report, baseUrl));
  if (options.json) writeFileSync(options.json, jsonReport(report, baseUrl));
  // The credentials as a placeholder: a replay that can be pasted, and no key in a CI log.
  const replay = [
    `batches-contract --base-url ${baseUrl}`,
    apiKey ? " --api-key <key>" : "",
    ` --profile ${profile}`,
    runs ? ` --runs ${runs}` : "",
    strict ? " --strict" : "",
  ].join("");
  for (const r of report.results.filter((x) => x.outcome === "fail" || x.outcome === "drift"))
    console.log(`\n${failureDetails(r, replay)}`);
  process.exit(report.ok ? 0 : 1);
} catch (error) {
  const e = error as Error;
  console.error(e.name === "Unreachable" || e.name === "Error" ? `Cannot check ${baseUrl}: ${e.message}` : e.stack);
  process.exit(2);
}
