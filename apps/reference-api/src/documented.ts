import { errorDetail, type Spec } from "@llama-batches/spec";

/**
 * The `{ detail }` body the spec documents for a response (its first example), so that the words
 * of a 404 live in the spec alone. Read once at start; a spec without one is refused then.
 */
export function documentedDetail(spec: Spec, operationId: string, status: number): ReturnType<typeof errorDetail> {
  const [example] = Object.values(spec.responseExamples(operationId, status));
  const detail = (example?.value as { detail?: unknown } | undefined)?.detail;
  if (typeof detail !== "string") throw new Error(`the spec documents no { detail } example for ${operationId} ${status}`);
  return errorDetail(detail);
}
