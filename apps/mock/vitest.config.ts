import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Each file starts its own Prism processes; Prism needs a second or two to start.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
