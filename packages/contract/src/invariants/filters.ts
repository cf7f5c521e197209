import { addMicroseconds, compareInstants, formatInstant, instantOf } from "@llama-batches/spec";
import fc from "fast-check";
import { filterArb, focusedQuery, type Query, validQuery } from "../arbitraries.js";
import type { Window } from "../windows.js";
import {
  type Context,
  type Invariant,
  itemsOf,
  pagesFor,
  sameSet,
  settledUnder,
  traverse,
  traverseAll,
  unmetFilter,
  violation,
  windowQuery,
  windows,
} from "./support.js";

const PAGE = 100;

/**
 * What a window traversal under `filter` must hold, judged only on what cannot have changed since
 * the observation: every observed batch of the window that satisfies the filter (and whose status,
 * when the filter names one, was final), and nothing outside the window when the window is exact.
 */
function judgeFiltered(ctx: Context, w: Window, filter: Query, got: readonly string[]): string | undefined {
  const window = new Set(w.expected.map((b) => b.id));
  const expected = w.expected.filter((b) => settledUnder(ctx, b.id, filter) && !unmetFilter(b, filter)).map((b) => b.id);
  const judged = got.filter((id) => settledUnder(ctx, id, filter) && (w.exact || window.has(id)));
  return sameSet(expected, judged);
}

export const filterInvariants: Invariant[] = [
  {
    id: "F1",
    title: "every returned batch satisfies every filter",
    rule: "filters-apply",
    profile: "full",
    needs: "data",
    property: (ctx) =>
      fc.asyncProperty(
        fc.oneof(
          focusedQuery(ctx.model, ctx.observed),
          validQuery(ctx.model, ctx.observed),
          filterArb(ctx.model, ctx.observed).map((f) => f.filter),
        ),
        fc.integer({ min: 1, max: 3 }),
        async (q, pages) => {
          // A few pages, not just the first: a filter lost on later pages is the classic bug.
          const query = { ...q, page_size: q.page_size ?? 10 };
          let token: string | undefined;
          for (let i = 0; i < pages; i++) {
            const x = await ctx.target.get({ ...query, page_token: token });
            if (x.status !== 200) return;
            for (const b of itemsOf(x)) {
              const unmet = unmetFilter(b, query);
              if (unmet) throw violation(`batch ${b.id} does not satisfy the filters: ${unmet}`, x);
            }
            token = (x.body as { next_page_token?: string }).next_page_token || undefined;
            if (!token || itemsOf(x).length === 0) return;
          }
        },
      ),
  },
  {
    id: "F2",
    title: "a filtered traversal holds exactly the batches that satisfy the filters",
    rule: "filters-complete",
    profile: "full",
    needs: "pages",
    weight: 0.5,
    property: (ctx) =>
      fc.asyncProperty(
        windows(ctx),
        filterArb(ctx.model, ctx.observed),
        fc.integer({ min: 1, max: 5 }),
        async (w, { filter, nowhere }, size) => {
          // An id seen nowhere may be refused rather than answered with nothing (F5 judges that).
          const t = await traverse(
            ctx.target,
            { ...windowQuery(w), ...filter, page_size: size },
            pagesFor(w.expected.length, size),
            nowhere,
          );
          if (!t) return;
          const diff = judgeFiltered(ctx, w, filter, t.ids);
          if (diff)
            throw violation(
              `the traversal filtered by ${JSON.stringify(filter)} is not the window's batches that satisfy it: ${diff}`,
              ...t.pages.slice(0, 3),
            );
        },
      ),
  },
  {
    id: "F3",
    title: "two filters together equal the intersection of each alone",
    rule: "filters-combine",
    profile: "full",
    needs: "pages",
    weight: 0.5,
    property: (ctx) =>
      fc.asyncProperty(windows(ctx), filterArb(ctx.model, ctx.observed), filterArb(ctx.model, ctx.observed), async (w, a, b) => {
        // Two values of the same field is not an intersection: the server keeps one.
        fc.pre(Object.keys(a.filter).every((k) => !(k in b.filter)));
        const base = windowQuery(w);
        const max = pagesFor(w.expected.length, PAGE);
        const refusable = a.nowhere || b.nowhere;
        const [ta, tb, tab] = await Promise.all([
          traverse(ctx.target, { ...base, ...a.filter, page_size: PAGE }, max, refusable),
          traverse(ctx.target, { ...base, ...b.filter, page_size: PAGE }, max, refusable),
          traverse(ctx.target, { ...base, ...a.filter, ...b.filter, page_size: PAGE }, max, refusable),
        ]);
        if (!ta || !tb || !tab) return;
        // Judged on the batches whose membership cannot have changed between the three reads.
        const both = { ...a.filter, ...b.filter };
        const settled = (ids: string[]) => ids.filter((id) => settledUnder(ctx, id, both));
        const inB = new Set(tb.ids);
        const diff = sameSet(settled(ta.ids.filter((id) => inB.has(id))), settled(tab.ids));
        if (diff)
          throw violation(
            `filters ${JSON.stringify(a.filter)} and ${JSON.stringify(b.filter)} together ≠ the intersection: ${diff}`,
            ...tab.pages.slice(0, 2),
          );
      }),
  },
  {
    id: "F4",
    title: "date bounds are inclusive",
    rule: "inclusive-bounds",
    profile: "full",
    needs: "pages",
    property: (ctx) =>
      fc.asyncProperty(windows(ctx), fc.constantFrom("after", "before", "both"), async (w, which) => {
        // The window's bounds are existing created_at values: the batches created at them must be in.
        const t = which === "before" ? w.before : w.after;
        const query: Query =
          which === "both"
            ? { created_at_on_or_after: t, created_at_on_or_before: t }
            : which === "after"
              ? { created_at_on_or_after: t, created_at_on_or_before: w.before }
              : { created_at_on_or_after: w.after, created_at_on_or_before: t };
        const at = instantOf(t);
        const inside =
          which === "both" ? w.expected.filter((b) => compareInstants(instantOf(b.created_at as string), at) === 0) : w.expected;
        const got = await traverseAll(ctx.target, { ...query, page_size: PAGE }, pagesFor(inside.length, PAGE));
        const window = new Set(inside.map((b) => b.id));
        const diff = sameSet(
          inside.map((b) => b.id),
          w.exact ? got.ids : got.ids.filter((id) => window.has(id)),
        );
        if (diff)
          throw violation(
            `with created_at ${t} as ${which === "both" ? "both bounds" : `the ${which} bound`}: ${diff}`,
            ...got.pages.slice(0, 2),
          );
      }),
  },
  {
    id: "F5",
    title: "an empty range, or an id that was never seen, gives an empty list, not an error",
    rule: "empty-results",
    profile: "full",
    needs: "data",
    property: (ctx) =>
      fc.asyncProperty(
        fc.oneof(
          fc.tuple(fc.constantFrom(...ctx.observed.timestamps), fc.integer({ min: 1, max: 10 ** 12 })).map(
            ([t, gap]): Query => ({
              created_at_on_or_after: formatInstant(addMicroseconds(instantOf(t), gap)),
              created_at_on_or_before: t,
            }),
          ),
          fc
            .uuid()
            .filter((u) => !ctx.observed.projectIds.includes(u))
            .map((project_id): Query => ({ project_id })),
          fc.uuid().map((organization_id): Query => ({ organization_id })),
          fc.uuid().map((u): Query => ({ source_directory_id: `dir-${u}` })),
        ),
        async (q) => {
          const x = await ctx.target.get(q);
          if (x.status !== 200 || itemsOf(x).length !== 0) throw violation("expected a 200 with an empty list", x);
        },
      ),
  },
  {
    id: "F6",
    title: "the same instant in another UTC offset, or with more fraction digits, gives the same result",
    rule: "instants",
    profile: "full",
    needs: "pages",
    property: (ctx) =>
      fc.asyncProperty(windows(ctx), fc.integer({ min: -48, max: 56 }), fc.integer({ min: 0, max: 3 }), async (w, quarters, zeros) => {
        // Written back with the whole fraction (and a few trailing zeros), in another offset.
        const rewrite = (text: string) => {
          const out = formatInstant(instantOf(text), quarters * 15);
          return zeros === 0
            ? out
            : out.replace(/(:\d\d)(\.\d+)?([Z+-])/, (_, s: string, f = ".", z: string) => `${s}${f}${"0".repeat(zeros)}${z}`);
        };
        const shifted: Query = { created_at_on_or_after: rewrite(w.after), created_at_on_or_before: rewrite(w.before) };
        const max = pagesFor(w.expected.length, PAGE);
        const [asSent, rewritten] = await Promise.all([
          traverseAll(ctx.target, { ...windowQuery(w), page_size: PAGE }, max),
          traverseAll(ctx.target, { ...shifted, page_size: PAGE }, max),
        ]);
        const diff = sameSet(asSent.ids, rewritten.ids, { missing: "only as sent", extra: "only rewritten" });
        if (diff) {
          throw violation(
            `the same window written as ${shifted.created_at_on_or_after} … ${shifted.created_at_on_or_before} gives another result: ${diff}`,
            ...asSent.pages.slice(0, 1),
            ...rewritten.pages.slice(0, 1),
          );
        }
      }),
  },
];
