import { compareAt } from "../instants.js";
import { positionOf } from "../store.js";
import { type Fault, withQuery } from "./seams.js";

export const unstableOrder: Fault = {
  description: "on pages reached with a token, ties on created_at are ordered by ascending id",
  wrap: (seams) =>
    withQuery(seams, (q) => {
      const page = seams.store.query(q);
      if (!q.after) return page;
      const items = page.items
        .map((batch) => ({ batch, at: positionOf(batch) }))
        .sort((a, b) => compareAt(b.at, a.at) || (a.at.id < b.at.id ? -1 : 1))
        .map((x) => x.batch);
      return { ...page, items };
    }),
};
