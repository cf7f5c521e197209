// The mock in its own process, for the throughput benchmark (started and stopped by bench-kit's
// startProcess). `node bench/server-entry.mjs examples|dynamic`: startMock({ port: 0 }) from
// @llama-batches/mock (its front here, Prism as this process's child), `dynamic: true` for the
// second; prints { url } once it answers. The tail of Prism's log goes to stderr when it stops.

import { runServerEntry } from "@llama-batches/bench-kit/process";
import { startMock } from "@llama-batches/mock";

const mode = process.argv[2];
if (mode !== "examples" && mode !== "dynamic") {
  process.stderr.write(`usage: node bench/server-entry.mjs examples|dynamic (got ${mode})\n`);
  process.exit(2);
}

const tail = [];
runServerEntry(async () => {
  const mock = await startMock({
    port: 0,
    dynamic: mode === "dynamic",
    onLog: (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
    },
  });
  return {
    url: mock.url,
    stop: async () => {
      await mock.stop();
      for (const line of tail) process.stderr.write(`prism: ${line}\n`);
    },
  };
});
