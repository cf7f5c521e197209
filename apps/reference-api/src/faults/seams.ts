import type { Authenticator } from "../auth.js";
import type { ListHandler, QueryParser } from "../list.js";
import type { ApiKey, Project } from "../model.js";
import type { BatchQueries } from "../store.js";
import type { TokenCodec } from "../tokens.js";

/** The parts of the server a fault may wrap. Composed once at start; absent faults cost nothing. */
export interface Seams {
  authenticate: Authenticator;
  parseQuery: QueryParser;
  store: BatchQueries;
  tokens: TokenCodec;
  /** Wraps the list handler once it is built from the parts above. */
  list: (handler: ListHandler) => ListHandler;
}

/** What a fault may know of the server it breaks. */
export interface FaultContext {
  projects: readonly Project[];
  apiKeys: readonly ApiKey[];
}

/** A deliberate, realistic bug: what it does, and how it wraps the server's parts. */
export interface Fault {
  description: string;
  wrap(seams: Seams, context: FaultContext): Seams;
}

/** The store with `query` replaced: most faults only change what a page holds. */
export function withQuery(seams: Seams, query: BatchQueries["query"]): Seams {
  const store = seams.store;
  return { ...seams, store: { query, organizationOf: (id) => store.organizationOf(id) } };
}

/** The list handler wrapped by `wrap`, after any earlier wrapper. */
export function withList(seams: Seams, wrap: (handler: ListHandler) => ListHandler): Seams {
  const earlier = seams.list;
  return { ...seams, list: (handler) => wrap(earlier(handler)) };
}
