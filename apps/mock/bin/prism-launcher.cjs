// Runs the Prism CLI, after seeding the faker instance Prism uses for `x-faker` values. Prism
// seeds json-schema-faker with --seed but not faker, so without this, seeded dynamic data would
// still differ from run to run wherever the spec says x-faker. Plain JS: it is spawned with node.
"use strict";
const { createRequire } = require("node:module");

// Watchdog: spawnPrism gives us a stdin pipe it never writes to. It ends when the owner is gone,
// however it went (even SIGKILL: the kernel closes its end), and then Prism, which runs in this
// process, goes too. Unref'd: the watch alone keeps nothing alive, Prism's server does.
if (process.env.LLAMA_BATCHES_EXIT_WITH_STDIN === "1") {
  delete process.env.LLAMA_BATCHES_EXIT_WITH_STDIN;
  const ownerGone = () => process.exit(0);
  const owner = process.stdin;
  owner.once("end", ownerGone);
  owner.once("close", ownerGone);
  owner.once("error", ownerGone);
  owner.on("data", () => {}); // nothing is ever sent; read only to see the end
  owner.unref?.();
}

const prismCli = require.resolve("@stoplight/prism-cli/dist/index.js");
const seed = process.env.LLAMA_BATCHES_FAKER_SEED;
if (seed) {
  const fromPrismHttp = createRequire(createRequire(prismCli).resolve("@stoplight/prism-http"));
  const { faker } = fromPrismHttp("@faker-js/faker");
  const numeric = Number(seed);
  // faker wants a number; hash anything else into one.
  faker.seed(Number.isSafeInteger(numeric) ? numeric : [...seed].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7));
}
require(prismCli);
