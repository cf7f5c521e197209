#!/usr/bin/env node
import { parseArgs } from "node:util";
import { FAULTS } from "./faults/index.js";
import { startReferenceApi } from "./start.js";

const usage = `Usage: pnpm reference [--port N] [--seed N] [--size N | --fixture FILE] [--fault NAME[,NAME…]] [--admin]

The stateful reference implementation of GET /api/v2/batches on http://127.0.0.1:4020 (PORT or
--port overrides), with a generated dataset (default: seed 1, 2,000 batches).
Faults:
${Object.entries(FAULTS)
  .map(([name, what]) => `  ${name.padEnd(22)} ${what}`)
  .join("\n")}`;

function fail(message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: "string", short: "p" },
      host: { type: "string" },
      seed: { type: "string" },
      size: { type: "string" },
      fixture: { type: "string" },
      fault: { type: "string" },
      admin: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const integer = (name: string, raw: string | boolean | undefined, fallback: number) => {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer, not ${String(raw)}`);
  return n;
};

const started = performance.now();
try {
  const api = await startReferenceApi({
    port: integer("port", values.port ?? process.env.PORT, 4020),
    host: values.host as string | undefined,
    seed: integer("seed", values.seed, 1),
    size: integer("size", values.size, 2_000),
    fixture: values.fixture as string | undefined,
    fault: (values.fault as string | undefined)?.split(",") as never,
    admin: values.admin === true,
  });
  console.log(`Batches reference API ready in ${Math.round(performance.now() - started)} ms: ${api.url}`);
  console.log(`${api.store.size.toLocaleString("en-US")} batches${api.faults.size ? `; faults on: ${[...api.faults].join(", ")}` : ""}`);
  console.log("API keys (Authorization: Bearer KEY):");
  for (const k of api.apiKeys) {
    console.log(`  ${k.key.padEnd(34)} org ${k.organization_id}  ${k.project_id ? `project ${k.project_id}` : "(all projects)"}`);
  }
  const [first] = api.apiKeys;
  if (first) console.log(`Try: curl -H 'Authorization: Bearer ${first.key}' '${api.url}/api/v2/batches?page_size=2'`);
  const shutdown = async () => {
    await api.stop();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
