/**
 * Prism's `Prefer` header (RFC 7240), read as Prism reads it: preferences separated by commas,
 * parameters by semicolons, a value possibly quoted. The MSW handlers answer by it as Prism does,
 * and the front adds an `example` to it only when the caller chose none.
 */
export function preferences(prefer: string | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!prefer) return out;
  for (const part of prefer.split(/[,;]/)) {
    const [key, ...rest] = part.split("=");
    const name = key?.trim().toLowerCase();
    if (!name || rest.length === 0) continue;
    const value = rest
      .join("=")
      .trim()
      .replace(/^"(.*)"$/, "$1");
    if (value && !out.has(name)) out.set(name, value);
  }
  return out;
}

/** The example a request asks Prism for by name, if any. */
export function preferredExample(prefer: string | null | undefined): string | undefined {
  return preferences(prefer).get("example");
}

/**
 * The `Prefer` header that asks Prism for `example`, unless the caller already chose what Prism
 * answers (an example, or a status by `code`): the caller's choice wins.
 */
export function preferExample(prefer: string | undefined, example: string): string {
  const chosen = preferences(prefer);
  if (chosen.has("example") || chosen.has("code")) return prefer ?? "";
  return prefer?.trim() ? `${prefer}, example=${example}` : `example=${example}`;
}
