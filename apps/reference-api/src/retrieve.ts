import type { ErrorDetail, Spec } from "@llama-batches/spec";
import type { Lifecycle } from "./lifecycle.js";
import { invalid } from "./reply.js";
import type { BatchHandler } from "./requests.js";
import { canSee, type ScopeParams } from "./scope.js";
import type { BatchStore } from "./store.js";

type GetParams = ScopeParams & { expand?: string[] | undefined };

export interface RetrieveParts {
  spec: Spec;
  store: BatchStore;
  lifecycle: Lifecycle;
  /** The one 404 of an unknown id and of one the credentials cannot see (the spec's BatchNotFound). */
  batchNotFound: ErrorDetail;
}

/** `GET /api/v2/batches/{batch_id}`: the batch, `results` filled in only with `expand=results`. */
export function createRetrieve({ spec, store, lifecycle, batchNotFound }: RetrieveParts): BatchHandler {
  return ({ scope, params, batchId }) => {
    const query = spec.parseQuery<GetParams>("getBatch", params);
    if (!query.ok) return invalid(query.issues);
    const batch = store.get(batchId);
    if (!batch || !canSee((id) => store.organizationOf(id), scope, query.query, batch)) return { status: 404, body: batchNotFound };
    // `results` is the only value the spec's BatchExpand allows, so any expand asks for it.
    const expanded = (query.query.expand?.length ?? 0) > 0;
    return { status: 200, body: { ...batch, results: expanded ? lifecycle.results(batch) : null } };
  };
}
