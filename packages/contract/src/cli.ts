#!/usr/bin/env node
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { failureDetails, junit, progressLine, table } from "./report.js";
import { runContract } from "./runner.js";

const usage = `Usage: batches-contract --base-url URL [--api-key KEY] [--profile contract|full] [--runs N]
                        [--seed S] [--only C1,P3] [--junit FILE] [--budget N] [--path P]

Checks the List Batches contract (spec/openapi.yaml) against a server, with fast-check properties.
  --base-url URL     the server (e.g. http://127.0.0.1:4020, or https://api.cloud.llamaindex.ai)
  --api-key KEY      bearer key (default: LLAMA_CLOUD_API_KEY)
  --profile P        contract: what any conforming server (a stateless mock too) must honour;
                     full: also pagination and filter semantics (default: contract)
  --runs N           property runs per invariant (default 25)
  --seed S           fast-check seed (printed on every run; replays a failure with --path)
  --only IDS         comma-separated invariant ids
  --budget N         most requests to send (default: unlimited)
  --junit FILE       also write a JUnit XML report
Exit: 0 every invariant holds, 1 a violation, 2 bad usage or unreachable server.`;

function usageError(message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      "base-url": { type: "string" },
      "api-key": { type: "string" },
      profile: { type: "string" },
      runs: { type: "string" },
      seed: { type: "string" },
      only: { type: "string" },
      junit: { type: "string" },
      budget: { type: "string" },
      path: { type: "string" },
      concurrency: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }));
} catch (error) {
  usageError((error as Error).message);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const baseUrl = values["base-url"] as string | undefined;
if (!baseUrl) usageError("--base-url is required");
try {
  new URL(baseUrl);
} catch {
  usageError(`--base-url ${baseUrl} is not a URL`);
}
const profile = (values.profile as string | undefined) ?? "contract";
if (profile !== "contract" && profile !== "full") usageError(`--profile must be contract or full, not ${profile}`);
const int = (name: string, min: number) => {
  const raw = values[name] as string | undefined;
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) usageError(`--${name} must be an integer ≥ ${min}, not ${raw}`);
  return n;
};
const runs = int("runs", 1);
const seed = values.seed === undefined ? undefined : Number(values.seed);
if (seed !== undefined && !Number.isInteger(seed)) usageError(`--seed must be an integer, not ${values.seed}`);
const apiKey = (values["api-key"] as string | undefined) ?? process.env.LLAMA_CLOUD_API_KEY;

console.log(`batches-contract: ${baseUrl} (profile ${profile}${apiKey ? "" : ", no API key"})`);
try {
  const report = await runContract({
    baseUrl,
    apiKey,
    profile,
    runs,
    seed,
    only: (values.only as string | undefined)?.split(","),
    budget: int("budget", 1),
    concurrency: int("concurrency", 1),
    path: values.path as string | undefined,
    onResult: (r) => console.log(progressLine(r)),
  });
  console.log(`\n${table(report)}\n`);
  console.log(
    `seed ${report.seed}; ${report.requests} requests in ${(report.ms / 1000).toFixed(1)} s; data seen: ${report.observed.batches} batches${report.observed.complete ? " (all)" : ""}`,
  );
  if (values.junit) writeFileSync(values.junit as string, junit(report, baseUrl));
  const failed = report.results.filter((r) => r.outcome === "fail");
  const replay = `batches-contract --base-url ${baseUrl} --profile ${profile}${runs ? ` --runs ${runs}` : ""}`;
  for (const r of failed) console.log(`\n${failureDetails(r, replay)}`);
  process.exit(failed.length > 0 ? 1 : 0);
} catch (error) {
  const e = error as Error;
  console.error(e.name === "Unreachable" || e.name === "Error" ? `Cannot check ${baseUrl}: ${e.message}` : e.stack);
  process.exit(2);
}
