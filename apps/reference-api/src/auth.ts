import type { IncomingHttpHeaders } from "node:http";
import { readCredentials } from "@llama-batches/spec";
import type { ApiKey, Scope, Session } from "./model.js";
import { detail, type Reply } from "./reply.js";

/** Who is asking: their scope, or the 401 to answer. */
export type Authenticator = (headers: IncomingHttpHeaders) => Scope | Reply;

/** Credentials are read by the spec package's rules (the same in the mock); here they are looked up. */
export function createAuthenticator(apiKeys: readonly ApiKey[], sessions: readonly Session[]): Authenticator {
  const keys = new Map(apiKeys.map((k) => [k.key, k]));
  const bySession = new Map(sessions.map((s) => [s.session, s]));
  return (headers) => {
    const credentials = readCredentials(headers);
    const scope =
      credentials.kind === "bearer"
        ? keys.get(credentials.token)
        : credentials.kind === "session"
          ? bySession.get(credentials.session)
          : undefined;
    if (scope) return scope;
    return unauthorized(credentials.kind === "none" ? "Not authenticated" : "Invalid authentication credentials");
  };
}

export function unauthorized(message: string): Reply {
  // RFC 9110 requires a challenge with every 401.
  return detail(401, message, { "www-authenticate": "Bearer" });
}
