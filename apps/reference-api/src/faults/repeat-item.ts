import { positionOf } from "../store.js";
import { type Fault, withQuery } from "./seams.js";

export const repeatItem: Fault = {
  description: "the last item of a page comes again at the top of the next page",
  wrap: (seams) =>
    withQuery(seams, (q) => {
      const page = seams.store.query(q);
      const previous = page.items[page.items.length - 2];
      return page.next && previous ? { ...page, next: positionOf(previous) } : page;
    }),
};
