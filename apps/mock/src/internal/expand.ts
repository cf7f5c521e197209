import type { OperationModel } from "@llama-batches/spec";

/**
 * The named example that answers a request expanding `expand`, from the operation's
 * `x-expand-examples` (field → example name): a static mock can only fill `results` in by picking
 * the example that has them. The first expanded field the spec maps decides; none, no example
 * (the operation's default answers).
 */
export function expandedExample(operation: Pick<OperationModel, "extensions">, expand: readonly string[]): string | undefined {
  const mapping = operation.extensions["x-expand-examples"];
  if (typeof mapping !== "object" || mapping === null) return undefined;
  for (const field of expand) {
    const name = (mapping as Record<string, unknown>)[field];
    if (typeof name === "string") return name;
  }
  return undefined;
}

/** The query parameter `x-expand-examples` is about (the name the official SDK sends). */
export const EXPAND_PARAM = "expand";
