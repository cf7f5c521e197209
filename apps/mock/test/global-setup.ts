// One examples-mode mock shared by the files that only read from it, started the way the README
// tells downstream repos to.
import type { TestProject } from "vitest/node";
import { startMock } from "../src/index.js";

export default async function setup(project: TestProject) {
  const mock = await startMock();
  project.provide("mockUrl", mock.url);
  return () => mock.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    mockUrl: string;
  }
}
