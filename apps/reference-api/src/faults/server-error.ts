import { detail } from "../reply.js";
import { type Fault, withList } from "./seams.js";

export const serverError: Fault = {
  description: "a 500 when status and created_at_on_or_after are given together",
  wrap: (seams) =>
    withList(seams, (list) => (request) => {
      const reply = list(request);
      const both = request.params.has("status") && request.params.has("created_at_on_or_after");
      return reply.status === 200 && both ? detail(500, "Internal Server Error") : reply;
    }),
};
