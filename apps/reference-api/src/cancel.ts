import { type BatchOperationParts, batchLookup } from "./lookup.js";
import { detail } from "./reply.js";
import type { BatchHandler } from "./requests.js";

/**
 * `POST /api/v2/batches/{batch_id}/cancel`: a batch that is not final is answered at once as it is
 * (results null, as a read without expand) and becomes CANCELLED at the lifecycle's next step; a
 * final one is a 400 naming its status, and nothing changes (decided: not 409, which SDKs retry).
 */
export function createCancel(parts: BatchOperationParts): BatchHandler {
  const lookup = batchLookup(parts, "cancelBatch");
  const { lifecycle } = parts;
  return (request) => {
    const found = lookup(request);
    if ("reply" in found) return found.reply;
    const { batch } = found;
    if (lifecycle.isFinal(batch.status)) return detail(400, `Batch ${batch.id} is ${batch.status} and cannot be cancelled`);
    lifecycle.cancel(batch);
    return { status: 200, body: { ...batch, results: null } };
  };
}
