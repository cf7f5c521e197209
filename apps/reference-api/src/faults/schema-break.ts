import type { PageBody } from "../reply.js";
import { type Fault, withList } from "./seams.js";

export const schemaBreak: Fault = {
  description: "the first batch of every page has a job type outside the enum",
  wrap: (seams) =>
    withList(seams, (list) => (request) => {
      const reply = list(request);
      const page = reply.body as PageBody;
      const first = reply.status === 200 ? page.items[0] : undefined;
      if (!first) return reply;
      const broken = { ...first, config: { job: { ...first.config.job, type: "parse_v3" as "parse_v2" } } };
      return { ...reply, body: { ...page, items: [broken, ...page.items.slice(1)] } };
    }),
};
