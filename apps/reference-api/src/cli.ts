#!/usr/bin/env node
import { exitWithParent, parseCommandLine } from "@llama-batches/spec/cli";
import { createProgram, type ReferenceCliOptions } from "./internal/program.js";
import { startReferenceApi } from "./start.js";

const options = parseCommandLine<ReferenceCliOptions>(createProgram());

const started = performance.now();
try {
  const api = await startReferenceApi({
    port: options.port,
    host: options.host,
    seed: options.seed,
    size: options.size,
    fixture: options.fixture,
    fault: options.fault,
    admin: options.admin === true,
    stepMs: options.stepMs,
  });
  // From here on, before the ready line: it stops on SIGINT, SIGTERM and SIGHUP (exit 0), when
  // whoever started it is gone (a killed npx or shell does not always pass the signal on), and on
  // a crash (exit 1).
  exitWithParent(api.stop);
  console.log(`Batches reference API ready in ${Math.round(performance.now() - started)} ms: ${api.url}`);
  if (!options.quiet) {
    console.log(`${api.store.size.toLocaleString("en-US")} batches${api.faults.size ? `; faults on: ${[...api.faults].join(", ")}` : ""}`);
    console.log("API keys (Authorization: Bearer KEY):");
    for (const k of api.apiKeys) {
      console.log(`  ${k.key.padEnd(34)} org ${k.organization_id}  ${k.project_id ? `project ${k.project_id}` : "(all projects)"}`);
    }
    if (options.stepMs !== undefined) console.log(`Batches created through the API move one lifecycle step every ${options.stepMs} ms`);
    if (api.adminToken) console.log(`Admin routes on: send x-admin-token: ${api.adminToken} and content-type: application/json`);
    const [first] = api.apiKeys;
    if (first) console.log(`Try: curl -H 'Authorization: Bearer ${first.key}' '${api.url}/api/v2/batches?page_size=2'`);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
