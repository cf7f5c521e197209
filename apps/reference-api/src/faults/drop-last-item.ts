import { type Fault, withQuery } from "./seams.js";

export const dropLastItem: Fault = {
  description: "a page that has a successor drops its last item (the token still points past it)",
  wrap: (seams) =>
    withQuery(seams, (q) => {
      const page = seams.store.query(q);
      return page.next ? { ...page, items: page.items.slice(0, -1) } : page;
    }),
};
