import { type BatchOperationParts, batchLookup } from "./lookup.js";
import type { BatchHandler } from "./requests.js";
import type { ScopeParams } from "./scope.js";

type GetParams = ScopeParams & { expand?: string[] | undefined };

/** `GET /api/v2/batches/{batch_id}`: the batch, `results` filled in only with `expand=results`. */
export function createRetrieve(parts: BatchOperationParts): BatchHandler {
  const lookup = batchLookup<GetParams>(parts, "getBatch");
  const { lifecycle } = parts;
  return (request) => {
    const found = lookup(request);
    if ("reply" in found) return found.reply;
    const { batch, query } = found;
    // `results` is the only value the spec's BatchExpand allows, so any expand asks for it.
    const expanded = (query.expand?.length ?? 0) > 0;
    return { status: 200, body: { ...batch, results: expanded ? lifecycle.results(batch) : null } };
  };
}
