import { type Fault, withHandler } from "./seams.js";

export const cancelFinal409: Fault = {
  description: "cancelling a batch in a final status answers 409 (which SDKs retry) instead of 400",
  wrap: (seams) =>
    withHandler(seams, "cancel", (cancel) => (request) => {
      const reply = cancel(request);
      // The cancel handler's only 400 is the refusal of a final batch.
      return reply.status === 400 ? { ...reply, status: 409 } : reply;
    }),
};
