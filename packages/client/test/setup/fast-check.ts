import { fc } from "@fast-check/vitest";

// vitest.config.ts picks one seed per run (or takes FAST_CHECK_SEED) and prints it; every worker
// uses it, and fast-check prints it again with the shrink path on failure.
fc.configureGlobal({ seed: Number(process.env.FAST_CHECK_SEED) });
