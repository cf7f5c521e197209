import type { Spec } from "@llama-batches/spec";
import type { Authenticator } from "../auth.js";
import type { ListHandler, QueryParser } from "../list.js";
import type { ApiKey, Project } from "../model.js";
import type { BatchHandler, BodyParser, CreateHandler } from "../requests.js";
import type { BatchQueries, BatchStore } from "../store.js";
import type { TokenCodec } from "../tokens.js";

/** The parts of the server a fault may wrap. Composed once at start; absent faults cost nothing. */
export interface Seams {
  authenticate: Authenticator;
  parseQuery: QueryParser;
  store: BatchQueries;
  tokens: TokenCodec;
  /** Wraps the list handler once it is built from the parts above. */
  list: (handler: ListHandler) => ListHandler;
  /** Reads a create's body (the spec's parser, bound to createBatch). */
  parseBody: BodyParser;
  /** Wrap the finished handlers of the other operations. */
  create: (handler: CreateHandler) => CreateHandler;
  retrieve: (handler: BatchHandler) => BatchHandler;
  cancel: (handler: BatchHandler) => BatchHandler;
}

/** What a fault may know of the server it breaks. */
export interface FaultContext {
  projects: readonly Project[];
  apiKeys: readonly ApiKey[];
  /** The live data, for a fault that reads or changes what the handlers keep to themselves. */
  store: BatchStore;
  /** The contract the server enforces. */
  spec: Spec;
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

type Handlers = Pick<Seams, "create" | "retrieve" | "cancel">;
type Handler<K extends keyof Handlers> = Parameters<Handlers[K]>[0];

/** Wraps one of the handlers (`create`, `retrieve`, `cancel`), after any earlier wrapper. */
export function withHandler<K extends keyof Handlers>(seams: Seams, name: K, wrap: (handler: Handler<K>) => Handler<K>): Seams {
  // One signature per name: TypeScript cannot tie the indexed function to K on its own.
  const earlier = seams[name] as unknown as (handler: Handler<K>) => Handler<K>;
  return { ...seams, [name]: (handler: Handler<K>) => wrap(earlier(handler)) };
}
