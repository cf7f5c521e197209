import { defineConfig } from "vitest/config";

export default defineConfig({
  // The fixture is another project's code: it runs there, from its own node_modules, never here.
  test: { include: ["test/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 300_000 },
});
