import { shiftAt } from "../instants.js";
import { type Fault, withQuery } from "./seams.js";

export const exclusiveDateBounds: Fault = {
  description: "created_at bounds are exclusive instead of inclusive",
  wrap: (seams) =>
    withQuery(seams, (q) =>
      seams.store.query({
        ...q,
        createdOnOrAfter: q.createdOnOrAfter && shiftAt(q.createdOnOrAfter, 1),
        createdOnOrBefore: q.createdOnOrBefore && shiftAt(q.createdOnOrBefore, -1),
      }),
    ),
};
