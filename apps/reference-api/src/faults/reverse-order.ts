import { compareCursors, positionOf } from "../store.js";
import { type Fault, withQuery } from "./seams.js";

/**
 * Oldest first: the order a correct server might well choose, since the public page does not
 * document one. Only the invariant of the decided order should notice. Keyset pagination still
 * holds (a token points past the last item served), by reading the whole result and reversing it:
 * slow, and fine for a test double.
 */
export const reverseOrder: Fault = {
  description: "items come oldest first (created_at ascending, ties by id ascending): a correct server with another order",
  wrap: (seams) =>
    withQuery(seams, (q) => {
      const all = seams.store.query({ ...q, after: undefined, limit: Number.MAX_SAFE_INTEGER }).items.reverse();
      const rest = q.after ? all.filter((b) => compareCursors(positionOf(b), q.after as NonNullable<typeof q.after>) < 0) : all;
      const items = rest.slice(0, q.limit);
      const last = items[items.length - 1];
      return { items, next: rest.length > q.limit && last ? positionOf(last) : undefined };
    }),
};
