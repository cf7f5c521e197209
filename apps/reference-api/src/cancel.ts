import type { ErrorDetail, Spec } from "@llama-batches/spec";
import type { Lifecycle } from "./lifecycle.js";
import { detail, invalid } from "./reply.js";
import type { BatchHandler } from "./requests.js";
import { canSee, type ScopeParams } from "./scope.js";
import type { BatchStore } from "./store.js";

export interface CancelParts {
  spec: Spec;
  store: BatchStore;
  lifecycle: Lifecycle;
  batchNotFound: ErrorDetail;
}

/**
 * `POST /api/v2/batches/{batch_id}/cancel`: a batch that is not final is answered at once as it is
 * (results null, as a read without expand) and becomes CANCELLED at the lifecycle's next step; a
 * final one is a 400 naming its status, and nothing changes (decided: not 409, which SDKs retry).
 */
export function createCancel({ spec, store, lifecycle, batchNotFound }: CancelParts): BatchHandler {
  return ({ scope, params, batchId }) => {
    const query = spec.parseQuery<ScopeParams>("cancelBatch", params);
    if (!query.ok) return invalid(query.issues);
    const batch = store.get(batchId);
    if (!batch || !canSee((id) => store.organizationOf(id), scope, query.query, batch)) return { status: 404, body: batchNotFound };
    if (lifecycle.isFinal(batch.status)) return detail(400, `Batch ${batch.id} is ${batch.status} and cannot be cancelled`);
    lifecycle.cancel(batch);
    return { status: 200, body: { ...batch, results: null } };
  };
}
