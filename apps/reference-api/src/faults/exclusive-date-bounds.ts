import { type Fault, withQuery } from "./seams.js";

export const exclusiveDateBounds: Fault = {
  description: "created_at bounds are exclusive instead of inclusive",
  wrap: (seams) =>
    withQuery(seams, (q) =>
      seams.store.query({
        ...q,
        afterMs: q.afterMs === undefined ? undefined : q.afterMs + 1,
        beforeMs: q.beforeMs === undefined ? undefined : q.beforeMs - 1,
      }),
    ),
};
