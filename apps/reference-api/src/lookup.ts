import type { Batch } from "@llama-batches/client";
import type { ErrorDetail, Spec } from "@llama-batches/spec";
import type { Lifecycle } from "./lifecycle.js";
import { invalid, type Reply } from "./reply.js";
import type { BatchRequest } from "./requests.js";
import { canSee, type ScopeParams } from "./scope.js";
import type { BatchStore } from "./store.js";

/** What an operation on one batch (retrieve, cancel) is built from. */
export interface BatchOperationParts {
  spec: Spec;
  store: BatchStore;
  lifecycle: Lifecycle;
  /** The one 404 of an unknown id and of one the credentials cannot see (the spec's BatchNotFound). */
  batchNotFound: ErrorDetail;
}

/**
 * The first half of every single-batch operation: its query validated (else the 422), then the
 * batch it names, when it exists and the credentials can see it (else the spec's same-404).
 */
export function batchLookup<Q extends ScopeParams>(
  { spec, store, batchNotFound }: Pick<BatchOperationParts, "spec" | "store" | "batchNotFound">,
  operationId: string,
): (request: BatchRequest) => { batch: Batch; query: Q } | { reply: Reply } {
  const organizationOf = (projectId: string) => store.organizationOf(projectId);
  return ({ scope, params, batchId }) => {
    const query = spec.parseQuery<Q>(operationId, params);
    if (!query.ok) return { reply: invalid(query.issues) };
    const batch = store.get(batchId);
    if (!batch || !canSee(organizationOf, scope, query.query, batch)) return { reply: { status: 404, body: batchNotFound } };
    return { batch, query: query.query };
  };
}
