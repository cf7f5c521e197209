/** The node a local JSON pointer (`#/components/schemas/Batch`) names, or undefined. */
export function pointerGet(document: unknown, pointer: string): unknown {
  return pointer
    .replace(/^#\/?/, "")
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
}

/** Follows `$ref`s until a node that is not a reference. */
export function deref(document: unknown, node: unknown, seen: Set<string> = new Set()): unknown {
  const ref = (node as { $ref?: unknown } | undefined)?.$ref;
  if (typeof ref !== "string") return node;
  if (seen.has(ref)) throw new Error(`circular $ref ${ref}`);
  seen.add(ref);
  return deref(document, pointerGet(document, ref), seen);
}

export function escapePointer(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}
