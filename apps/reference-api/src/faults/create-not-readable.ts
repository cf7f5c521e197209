import { type Fault, withHandler } from "./seams.js";

export const createNotReadable: Fault = {
  description: "a batch created through the API is never found by retrieve (404, as an unknown id), though the list shows it",
  wrap: (seams) => {
    const created = new Set<string>();
    const recording = withHandler(seams, "create", (create) => (request) => {
      const reply = create(request);
      if (reply.status === 200) created.add((reply.body as { id: string }).id);
      return reply;
    });
    // The unknown id's own 404: an empty id names no batch.
    return withHandler(
      recording,
      "retrieve",
      (retrieve) => (request) => (created.has(request.batchId) ? retrieve({ ...request, batchId: "" }) : retrieve(request)),
    );
  },
};
