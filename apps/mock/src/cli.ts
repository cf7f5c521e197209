#!/usr/bin/env node
import { exitWithParent, parseCommandLine } from "@llama-batches/spec/cli";
import { prismLogFilter } from "./internal/cli-prism-log.js";
import { createProgram, type MockCliOptions } from "./internal/program.js";
import { startMock } from "./start-mock.js";

const options = parseCommandLine<MockCliOptions>(createProgram());
// Prism's own log, without the internal URL it listens on: the only URL printed is the front's.
const log = options.quiet ? undefined : prismLogFilter((line) => console.log(line));

try {
  const mock = await startMock({
    port: options.port,
    host: options.host,
    dynamic: options.dynamic,
    seed: options.seed,
    proxy: options.proxy,
    errors: options.errors,
    spec: options.spec,
    onLog: log?.onLog,
  });
  // From here on, before the ready line: it stops on SIGINT, SIGTERM and SIGHUP (exit 0), when
  // whoever started it is gone (a killed npx or shell does not always pass the signal on), and on
  // a crash (exit 1).
  exitWithParent(mock.stop);
  const mode = options.proxy ? `validation proxy → ${options.proxy}` : options.dynamic ? "dynamic data" : "spec examples";
  if (options.quiet) {
    console.log(`Batches API mock (${mode}) ready: ${mock.url}`);
  } else {
    console.log(
      `\nBatches API mock (${mode}) ready: ${mock.url}\nTry: curl -H 'Authorization: Bearer test' ${mock.url}/api/v2/batches\nCtrl-C stops it.`,
    );
  }
} catch (error) {
  log?.flush();
  console.error((error as Error).message);
  process.exit(1);
}
