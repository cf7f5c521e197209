// Runs the Prism CLI, after seeding the faker instance Prism uses for `x-faker` values. Prism
// seeds json-schema-faker with --seed but not faker, so without this, seeded dynamic data would
// still differ from run to run wherever the spec says x-faker. Plain JS: it is spawned with node.
"use strict";
const { createRequire } = require("node:module");

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
