import { defineConfig } from "vitest/config";

// Workers inherit the environment, so one seed serves the whole run.
process.env.FAST_CHECK_SEED ??= String((Math.random() * 2 ** 31) | 0);
console.info(`fast-check seed ${process.env.FAST_CHECK_SEED} (replay: FAST_CHECK_SEED=${process.env.FAST_CHECK_SEED})`);

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
  },
});
