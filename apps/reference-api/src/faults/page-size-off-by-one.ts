import { type Fault, withQuery } from "./seams.js";

export const pageSizeOffByOne: Fault = {
  description: "pages hold page_size + 1 items",
  wrap: (seams) => withQuery(seams, (q) => seams.store.query({ ...q, limit: q.limit + 1 })),
};
