import { errorDetail, type Spec } from "@llama-batches/spec";

/** The value of the first example the spec documents for a response (undefined: none). Read at start. */
export function documentedExample(spec: Spec, operationId: string, status: number): unknown {
  const [example] = Object.values(spec.responseExamples(operationId, status));
  return example?.value;
}

/**
 * The `{ detail }` body the spec documents for a response (its first example), so that the words
 * of a 404 live in the spec alone. Read once at start; a spec without one is refused then.
 */
export function documentedDetail(spec: Spec, operationId: string, status: number): ReturnType<typeof errorDetail> {
  const detail = (documentedExample(spec, operationId, status) as { detail?: unknown } | undefined)?.detail;
  if (typeof detail !== "string") throw new Error(`the spec documents no { detail } example for ${operationId} ${status}`);
  return errorDetail(detail);
}
