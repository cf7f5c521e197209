import { type Fault, withQuery } from "./seams.js";

export const scopeLeak: Fault = {
  description: "a batch of another organization leaks into every first page",
  wrap: (seams, { projects }) =>
    withQuery(seams, (q) => {
      const page = seams.store.query(q);
      if (q.after) return page;
      const other = projects.find((p) => p.organization_id !== q.organization_id)?.organization_id;
      const foreign = other ? seams.store.query({ organization_id: other, limit: 1 }).items[0] : undefined;
      return foreign ? { ...page, items: [foreign, ...page.items] } : page;
    }),
};
