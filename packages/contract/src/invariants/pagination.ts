import { addMicroseconds, formatInstant, instantOf } from "@llama-batches/spec";
import fc from "fast-check";
import { focusedQuery, type Query, validQuery } from "../arbitraries.js";
import { tieOnLaterPageArb } from "../windows.js";
import {
  type Context,
  type Invariant,
  itemsOf,
  pagesFor,
  pinned,
  sameSequence,
  settledUnder,
  tokenOf,
  traverseAll,
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
    title: "no page holds more than page_size items",
    rule: "page-size-limit",
    profile: "full",
    needs: "data",
    property: (ctx) =>
      fc.asyncProperty(
        focusedQuery(ctx.model, ctx.observed),
        fc.integer({ min: ctx.model.pageSize.minimum, max: ctx.model.pageSize.maximum }),
        async (q, size) => {
          const pageSize = Number(q.page_size ?? size);
          const x = await ctx.target.get({ ...q, page_size: pageSize });
          if (x.status === 200 && itemsOf(x).length > pageSize)
            throw violation(`${itemsOf(x).length} items in a page of page_size ${pageSize}`, x);
        },
      ),
  },
  {
    id: "P2",
    title: "following next_page_token ends, and no token comes back twice",
    rule: "paging-ends",
    profile: "contract",
    weight: 0.5,
    property: (ctx) =>
      fc.asyncProperty(validQuery(ctx.model, ctx.observed), async (q) => {
        const pageSize = Math.min(Number(q.page_size ?? ctx.model.pageSize.default), ctx.model.pageSize.maximum);
        await traverseAll(ctx.target, pinned(ctx, q), Math.max(maxPagesFor(ctx, pageSize), 3));
      }),
  },
  {
    id: "P3",
    title: "no batch appears twice in one traversal",
    rule: "exactly-once",
    profile: "full",
    needs: "pages",
    weight: 0.5,
    property: (ctx) =>
      fc.asyncProperty(windows(ctx), fc.integer({ min: 1, max: 4 }), async (w, size) => {
        const t = await traverseAll(ctx.target, { ...windowQuery(w), page_size: size }, pagesFor(w.expected.length, size));
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
    rule: "deterministic-order",
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
          const q: Query = { ...windowQuery(w), status };
          const max = ctx.model.pageSize.maximum;
          const big = await traverseAll(ctx.target, { ...q, page_size: max }, pagesFor(w.expected.length, max));
          const tiny = await traverseAll(ctx.target, { ...q, page_size: small }, pagesFor(w.expected.length, small));
          // With a status filter, a batch that was still running may have left or joined the set in
          // between: compare the batches whose membership cannot have changed.
          const settled = (ids: string[]) => ids.filter((id) => settledUnder(ctx, id, q));
          const diff = sameSequence(settled(big.ids), settled(tiny.ids));
          if (diff) throw violation(`page_size ${max} and page_size ${small} give different sequences: ${diff}`, ...tiny.pages.slice(0, 3));
        },
      ),
  },
  {
    id: "P5",
    title: "the same token returns the same page",
    rule: "stable-tokens",
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
        // The same batches, in the same order: their status may move on between the two reads.
        const ids = (x: typeof a) => JSON.stringify(itemsOf(x).map((i) => i.id));
        if (a.status !== b.status || ids(a) !== ids(b)) throw violation("the same token gave two different pages", a, b);
      }),
  },
  {
    id: "P6",
    title: "total_size, when present, is ≥ 0",
    rule: "total-size",
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
    rule: "bound-tokens",
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
          const otherStatus = ctx.spec.enumOf("BatchStatus")[0];
          const forged: Record<string, [string, Query]> = {
            truncate: [token.slice(0, Math.max(1, i)), q],
            flip: [token.slice(0, i) + flip(token[i] ?? "") + token.slice(i + 1), q],
            append: [`${token}x`, q],
            "swap-case": [token.replace(/[a-z]/, (c) => c.toUpperCase()), q],
            // The same token with other filters: another query's cursor (a microsecond later is another query).
            "other-query": [token, { ...q, created_at_on_or_before: formatInstant(addMicroseconds(instantOf(w.before), 1)) }],
            "other-page-size-and-query": [token, { ...q, page_size: 2, status: otherStatus }],
          };
          const [sent, query] = forged[mutation] as [string, Query];
          if (sent === token && query === q) return;
          const x = await ctx.target.get({ ...query, page_token: sent });
          if (x.status < 400 || x.status >= 500) throw violation(`a ${mutation} page token was not refused with a 4xx`, first, x);
        },
      ),
  },
  {
    id: "P8",
    title: "without page_size a page holds at most the default; above the maximum, the maximum",
    rule: "page-size-default-and-maximum",
    profile: "full",
    needs: "data",
    property: (ctx) =>
      fc.asyncProperty(
        focusedQuery(ctx.model, ctx.observed),
        fc.option(fc.integer({ min: ctx.model.pageSize.maximum + 1, max: ctx.model.pageSize.maximum * 100 }), { nil: undefined }),
        async (q, above) => {
          const { page_size: _, ...query } = q;
          const x = await ctx.target.get(above === undefined ? query : { ...query, page_size: above });
          const limit = above === undefined ? ctx.model.pageSize.default : ctx.model.pageSize.maximum;
          if (x.status !== 200) throw violation(`page_size ${above ?? "(none)"} was not served (a 200 of at most ${limit} items)`, x);
          if (itemsOf(x).length > limit) throw violation(`${itemsOf(x).length} items in a page of at most ${limit}`, x);
        },
      ),
  },
];
