import { getSpec } from "@llama-batches/spec";

/** An operation's 200 examples by name, and the one Prism answers by default (the spec's first). */
export interface OperationExamples {
  names: readonly string[];
  fallback: string;
  values: ReadonlyMap<string, unknown>;
}

const cache = new Map<string, OperationExamples>();

/**
 * The named 200 examples of an operation, read once per process (parsing them for every handler
 * set would dominate a suite that calls `batchesHandlers()` in each test). Throws when the
 * operation has none: a handler set that cannot answer should fail its setup, not every request.
 */
export function examplesOf(operationId: string): OperationExamples {
  const cached = cache.get(operationId);
  if (cached) return cached;
  const named = getSpec().responseExamples(operationId, 200);
  const names = Object.keys(named);
  const [fallback] = names;
  if (fallback === undefined) throw new Error(`The contract has no 200 example of ${operationId}.`);
  // The contract suite validates every example against its schema; no need to here.
  const values = new Map(names.map((name) => [name, named[name]?.value]));
  const examples = { names, fallback, values };
  cache.set(operationId, examples);
  return examples;
}
