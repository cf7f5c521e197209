/** `text` parsed as JSON, or `undefined` (which JSON cannot spell) when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JSON object (or array): something whose fields can be read. */
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
