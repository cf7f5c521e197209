#!/usr/bin/env node
import { parseArgs } from "node:util";
import { startMock } from "./start-mock.js";

const usage = `Usage: pnpm mock [--dynamic [--seed N]] [--proxy URL [--errors]] [--port N] [--spec PATH] [--quiet]

Serves spec/openapi.yaml with Prism on http://127.0.0.1:4010 (PORT or --port overrides).
  --dynamic, -d   generate data from the schemas instead of answering the examples
  --seed N        with --dynamic: repeatable data
  --proxy URL     validation proxy in front of a real server: violations are reported in the log
                  and in the sl-violations response header
  --errors        with --proxy: answer violations with an error response
  --quiet         do not print Prism's request log`;

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      dynamic: { type: "boolean", short: "d" },
      seed: { type: "string" },
      proxy: { type: "string" },
      errors: { type: "boolean" },
      port: { type: "string", short: "p" },
      host: { type: "string" },
      spec: { type: "string" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
}
try {
  parsed = parse();
} catch (error) {
  console.error(`${(error as Error).message}\n\n${usage}`);
  process.exit(2);
}
const { values } = parsed;
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const port = Number(values.port ?? process.env.PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid port: ${values.port ?? process.env.PORT}\n\n${usage}`);
  process.exit(2);
}

try {
  const mock = await startMock({
    port,
    host: values.host,
    dynamic: values.dynamic,
    seed: values.seed,
    proxy: values.proxy,
    errors: values.errors,
    spec: values.spec,
    onLog: values.quiet ? undefined : (line) => console.log(line),
  });
  const mode = values.proxy ? `validation proxy → ${values.proxy}` : values.dynamic ? "dynamic data" : "spec examples";
  console.log(
    `\nBatches API mock (${mode}) ready: ${mock.url}\nTry: curl -H 'Authorization: Bearer test' ${mock.url}/api/v2/batches\nCtrl-C stops it.`,
  );
  const shutdown = async () => {
    await mock.stop();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
