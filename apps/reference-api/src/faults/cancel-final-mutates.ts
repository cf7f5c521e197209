import type { BatchStatus } from "@llama-batches/client";
import { microsecondClock } from "../clock.js";
import { type Fault, withHandler } from "./seams.js";

const CANCELLED: BatchStatus = "CANCELLED";

export const cancelFinalMutates: Fault = {
  description: "cancelling a batch in a final status answers 200 and turns it CANCELLED",
  wrap: (seams, { store }) => {
    const clock = microsecondClock();
    return withHandler(seams, "cancel", (cancel) => (request) => {
      const reply = cancel(request);
      if (reply.status !== 400) return reply;
      const batch = store.update(request.batchId, { status: CANCELLED, updated_at: clock() });
      return { status: 200, body: { ...batch, results: null } };
    });
  },
};
