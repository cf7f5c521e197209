import { detail, type Reply } from "../reply.js";
import type { BatchRequest } from "../requests.js";
import type { BatchStore } from "../store.js";
import { type Fault, withHandler } from "./seams.js";

/** A 404 for a batch that exists (so: one the credentials cannot see) says whose it is. */
function leak(store: BatchStore, request: BatchRequest, reply: Reply): Reply {
  const batch = reply.status === 404 ? store.get(request.batchId) : undefined;
  return batch ? detail(404, `Batch ${batch.id} belongs to project ${batch.project_id}, which these credentials cannot access`) : reply;
}

export const leaky404: Fault = {
  description: "an out-of-scope batch id gets a 404 naming its project, unlike an unknown id (retrieve and cancel)",
  wrap: (seams, { store }) => {
    const retrieving = withHandler(seams, "retrieve", (retrieve) => (request) => leak(store, request, retrieve(request)));
    return withHandler(retrieving, "cancel", (cancel) => (request) => leak(store, request, cancel(request)));
  },
};
