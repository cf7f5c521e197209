import { type Fault, withHandler } from "./seams.js";

export const expandIgnored: Fault = {
  description: "retrieve with expand=results leaves results null (expand values are still validated)",
  wrap: (seams) =>
    withHandler(seams, "retrieve", (retrieve) => (request) => {
      const reply = retrieve(request);
      return reply.status === 200 ? { ...reply, body: { ...(reply.body as object), results: null } } : reply;
    }),
};
