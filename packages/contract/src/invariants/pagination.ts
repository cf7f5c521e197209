import fc from "fast-check";
import { focusedQuery, type Query, tieOnLaterPageArb, validQuery } from "../arbitraries.js";
import {
  type Context,
  type Invariant,
  itemsOf,
  pagesFor,
  sameSequence,
  tokenOf,
  traverse,
  violation,
  windowQuery,
  windows,
} from "./support.js";

/** Traversals of arbitrary queries are bounded by the data a key can see, when the observation saw it all. */
function maxPagesFor(ctx: Context, pageSize: number): number {
  return ctx.observed.complete ? pagesFor(ctx.observed.batches.length, pageSize) : 200;
}

export const paginationInvariants: Invariant[] = [
  {
    id: "P1",
    title: "no page holds more than page_size items (or the documented maximum)",
    profile: "full",
    needs: "data",
    property: (ctx) =>
      fc.asyncProperty(focusedQuery(ctx.model, ctx.observed), async (q) => {
        const x = await ctx.target.get(q);
        // Without page_size the documented default applies; no page may ever exceed the maximum.
        const limit = Math.min(Number(q.page_size ?? ctx.model.pageSize.default), ctx.model.pageSize.maximum);
        if (x.status === 200 && itemsOf(x).length > limit) throw violation(`${itemsOf(x).length} items in a page of at most ${limit}`, x);
      }),
  },
  {
    id: "P2",
    title: "following next_page_token ends, and no token comes back twice",
    profile: "contract",
    weight: 0.5,
    property: (ctx) =>
      fc.asyncProperty(validQuery(ctx.model, ctx.observed), async (q) => {
        const pageSize = Number(q.page_size ?? ctx.model.pageSize.default);
        await traverse(ctx.target, q, Math.max(maxPagesFor(ctx, pageSize), 3));
      }),
  },
  {
    id: "P3",
    title: "no batch appears twice in one traversal",
    profile: "full",
    needs: "pages",
    weight: 0.5,
    property: (ctx) =>
      fc.asyncProperty(windows(ctx), fc.integer({ min: 1, max: 4 }), async (w, size) => {
        const t = await traverse(ctx.target, { ...windowQuery(w), page_size: size }, pagesFor(w.expected.length, size));
        const seen = new Set<string>();
        for (const id of t.ids) {
          if (seen.has(id)) throw violation(`batch ${id} appears twice in one traversal (page_size ${size})`, ...t.pages.slice(-3));
          seen.add(id);
        }
      }),
  },
  {
    id: "P4",
    title: "the traversal is the same sequence whatever the page size",
    profile: "full",
    needs: "pages",
    property: (ctx) =>
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }).chain((small) => {
          // Half the windows put a tie on created_at inside a later page: where tie order can slip.
          const tied = small > 1 ? tieOnLaterPageArb(ctx.observed, small) : undefined;
          const w = tied ? fc.oneof(windows(ctx), tied) : windows(ctx);
          return fc.tuple(w, fc.constant(small));
        }),
        fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...ctx.observed.statuses) }),
        async ([w, small], status) => {
          const q = { ...windowQuery(w), status };
          const big = await traverse(
            ctx.target,
            { ...q, page_size: ctx.model.pageSize.maximum },
            pagesFor(w.expected.length, ctx.model.pageSize.maximum),
          );
          const tiny = await traverse(ctx.target, { ...q, page_size: small }, pagesFor(w.expected.length, small));
          const diff = sameSequence(big.ids, tiny.ids);
          if (diff)
            throw violation(
              `page_size ${ctx.model.pageSize.maximum} and page_size ${small} give different sequences: ${diff}`,
              ...tiny.pages.slice(0, 3),
            );
        },
      ),
  },
  {
    id: "P5",
    title: "the same token returns the same page",
    profile: "full",
    needs: "pages",
    weight: 0.5,
    property: (ctx) =>
      fc.asyncProperty(windows(ctx), fc.integer({ min: 1, max: 3 }), async (w, size) => {
        const q = { ...windowQuery(w), page_size: size };
        const first = await ctx.target.get(q);
        const token = tokenOf(first);
        if (!token) return;
        const a = await ctx.target.get({ ...q, page_token: token });
        const b = await ctx.target.get({ ...q, page_token: token });
        if (a.status !== b.status || JSON.stringify(a.body) !== JSON.stringify(b.body))
          throw violation("the same token gave two different pages", a, b);
      }),
  },
  {
    id: "P6",
    title: "total_size, when present, is ≥ 0",
    profile: "contract",
    property: (ctx) =>
      fc.asyncProperty(validQuery(ctx.model, ctx.observed), async (q) => {
        const x = await ctx.target.get(q);
        const total = (x.body as { total_size?: unknown } | undefined)?.total_size;
        if (total !== undefined && total !== null && !(Number.isInteger(total) && (total as number) >= 0)) {
          throw violation(`total_size is ${JSON.stringify(total)}`, x);
        }
      }),
  },
  {
    id: "P7",
    title: "a forged, truncated or foreign token is a 4xx, never another query's data",
    profile: "full",
    needs: "pages",
    property: (ctx) =>
      fc.asyncProperty(
        windows(ctx),
        fc.constantFrom("truncate", "flip", "append", "swap-case", "other-query", "other-page-size-and-query"),
        fc.nat(),
        async (w, mutation, at) => {
          const q = { ...windowQuery(w), page_size: 1 };
          const first = await ctx.target.get(q);
          const token = tokenOf(first);
          if (!token) return;
          const i = at % token.length;
          const flip = (c: string) => (c === "A" ? "B" : "A");
          const forged: Record<string, [string, Query]> = {
            truncate: [token.slice(0, Math.max(1, i)), q],
            flip: [token.slice(0, i) + flip(token[i] ?? "") + token.slice(i + 1), q],
            append: [`${token}x`, q],
            "swap-case": [token.replace(/[a-z]/, (c) => c.toUpperCase()), q],
            // The same token with other filters: another query's cursor.
            "other-query": [token, { ...q, created_at_on_or_before: new Date(Date.parse(w.before) + 1).toISOString() }],
            "other-page-size-and-query": [token, { ...q, page_size: 2, status: "CANCELLED" }],
          };
          const [sent, query] = forged[mutation] as [string, Query];
          if (sent === token && query === q) return;
          const x = await ctx.target.get({ ...query, page_token: sent });
          if (x.status < 400 || x.status >= 500) throw violation(`a ${mutation} page token was not refused with a 4xx`, first, x);
        },
      ),
  },
];
