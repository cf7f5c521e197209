import { getSpec, type Spec } from "./spec.js";

/** What a request presents, read by the spec's security schemes. */
export type Credentials =
  | { kind: "bearer"; token: string }
  | { kind: "session"; session: string }
  /** An `Authorization` header that is not `Bearer <token>`. */
  | { kind: "malformed"; header: string }
  | { kind: "none" };

type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Reads a request's credentials as the LlamaCloud backend (FastAPI's `HTTPBearer` and Starlette's
 * cookie parser) does, with the spec's scheme names. Decided here (the spec says so too):
 *
 * - `Authorization: Bearer <token>`: the scheme in any case, then one token without whitespace;
 * - an `Authorization` header, when present, decides alone: a valid session cookie does not rescue
 *   a malformed or unknown bearer;
 * - the `session` cookie: the last one wins when it is sent twice, and its value may hold `=`.
 */
export function readCredentials(headers: HeaderSource, spec: Spec = getSpec()): Credentials {
  const authorization = header(headers, "authorization");
  if (authorization !== undefined && authorization.trim() !== "") {
    const match = /^(\S+)[ \t]+(\S+)[ \t]*$/.exec(authorization.trim());
    if (match && match[1]?.toLowerCase() === "bearer") return { kind: "bearer", token: match[2] as string };
    return { kind: "malformed", header: authorization };
  }
  const name = sessionCookieName(spec);
  const cookie = header(headers, "cookie");
  const session = name && cookie !== undefined ? parseCookies(cookie).get(name) : undefined;
  return session ? { kind: "session", session } : { kind: "none" };
}

/**
 * Cookies as Starlette parses them: `;`-separated pairs split at the first `=`, trimmed, quotes
 * around a value removed, the last of a repeated name kept.
 */
export function parseCookies(header: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const chunk of header.split(";")) {
    const at = chunk.indexOf("=");
    const name = (at < 0 ? "" : chunk.slice(0, at)).trim();
    let value = (at < 0 ? chunk : chunk.slice(at + 1)).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name || value) out.set(name, value);
  }
  return out;
}

const cookieNames = new WeakMap<Spec, string | undefined>();

/** The cookie the spec's `apiKey`-in-cookie security scheme names. */
function sessionCookieName(spec: Spec): string | undefined {
  if (!cookieNames.has(spec)) {
    const schemes = Object.values(spec.document.components?.securitySchemes ?? {}) as { type?: string; in?: string; name?: string }[];
    cookieNames.set(spec, schemes.find((s) => s.type === "apiKey" && s.in === "cookie")?.name);
  }
  return cookieNames.get(spec);
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | readonly string[] | undefined>)[name];
  return Array.isArray(value) ? value.join("; ") : (value as string | undefined);
}
