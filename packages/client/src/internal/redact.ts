import { isObject } from "./json.js";

const MASK = "[redacted]";

/** Replaces every occurrence of a secret in the strings of a JSON-like value: values and keys, at any depth. */
export function redact<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  return scrub(value, secrets) as T;
}

/** A copy of `headers` with secrets masked in values; a header whose name holds a secret is dropped. */
export function redactHeaders(headers: Headers | undefined, secrets: readonly string[]): Headers | undefined {
  if (!headers || secrets.length === 0) return headers;
  const out = new Headers();
  // Names are lowercased by `Headers`, so they are compared lowercased.
  headers.forEach((value, name) => {
    if (!secrets.some((s) => name.includes(s.toLowerCase()))) out.append(name, redactText(value, secrets));
  });
  return out;
}

function scrub(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === "string") return redactText(value, secrets);
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets));
  if (isObject(value)) {
    // fromEntries defines own properties, so a `__proto__` key stays a plain key.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redactText(k, secrets), scrub(v, secrets)]));
  }
  return value;
}

function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.replaceAll(secret, MASK);
  if (out === text || !secrets.some((s) => out.includes(s))) return out;
  // The mask and the text around it spelled a secret again: keep nothing of the string.
  return secrets.some((s) => MASK.includes(s)) ? "" : MASK;
}
