import type { Batch } from "@llama-batches/client";
import { compareInstants } from "@llama-batches/spec";
import fc from "fast-check";
import { createdAt } from "../observe.js";
import { type Context, type Invariant, pagesFor, traverseAll, violation, windowQuery, windows } from "./support.js";

/**
 * Where two neighbours break the decided order (newest first, ties by id descending, batches
 * without created_at last), said plainly; undefined when they keep it.
 */
function outOfOrder(a: Batch, b: Batch): string | undefined {
  const ta = createdAt(a);
  const tb = createdAt(b);
  const describe = (x: Batch) => `${x.id} (created_at ${x.created_at ?? "null"})`;
  if (!ta && !tb)
    return a.id > b.id ? undefined : `items are not newest-first: ${describe(a)} comes before ${describe(b)}, whose id is greater`;
  if (!ta) return `items are not newest-first: ${describe(a)} comes before ${describe(b)}, which has a created_at`;
  if (!tb) return undefined;
  const c = compareInstants(ta, tb);
  if (c > 0) return undefined;
  if (c < 0) return `items are not newest-first: ${describe(a)} comes before ${describe(b)}, which is newer`;
  return a.id > b.id
    ? undefined
    : `items are not newest-first: ${describe(a)} comes before ${describe(b)}, created at the same instant with a greater id`;
}

function firstBreak(items: readonly Batch[]): string | undefined {
  for (let i = 1; i < items.length; i++) {
    const broken = outOfOrder(items[i - 1] as Batch, items[i] as Batch);
    if (broken) return broken;
  }
  return undefined;
}

export const orderInvariants: Invariant[] = [
  {
    id: "O1",
    title: "items come newest first, ties broken by id descending",
    rule: "order",
    profile: "full",
    needs: "pages",
    property: (ctx: Context) =>
      fc.asyncProperty(
        windows(ctx),
        fc.integer({ min: 1, max: 5 }),
        fc.option(fc.constantFrom(...ctx.observed.statuses), { nil: undefined }),
        async (w, size, status) => {
          const unfiltered = firstBreak(ctx.observed.batches);
          if (unfiltered) throw violation(`${unfiltered} (in the unfiltered traversal read at the start)`);
          const t = await traverseAll(ctx.target, { ...windowQuery(w), status, page_size: size }, pagesFor(w.expected.length, size));
          const broken = firstBreak(t.items);
          if (broken) throw violation(broken, ...t.pages.slice(0, 3));
        },
      ),
  },
];
