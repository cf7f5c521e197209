import fc from "fast-check";
import { focusedQuery, formatWithOffset, type Query, validQuery } from "../arbitraries.js";
import {
  type Context,
  type Invariant,
  itemsOf,
  pagesFor,
  sameSequence,
  traverse,
  unmetFilter,
  violation,
  windowQuery,
  windows,
} from "./support.js";

/** One extra filter drawn from the data: status, project or source directory. */
function filterArb(ctx: Context): fc.Arbitrary<Query> {
  const { statuses, projectIds, directoryIds } = ctx.observed;
  const options: fc.Arbitrary<Query>[] = [];
  if (statuses.length) options.push(fc.constantFrom(...statuses).map((status) => ({ status })));
  if (projectIds.length) options.push(fc.constantFrom(...projectIds).map((project_id) => ({ project_id })));
  if (directoryIds.length) options.push(fc.constantFrom(...directoryIds).map((source_directory_id) => ({ source_directory_id })));
  return fc.oneof(...options);
}

const PAGE = 100;

export const filterInvariants: Invariant[] = [
  {
    id: "F1",
    title: "every returned batch satisfies every filter",
    profile: "full",
    needs: "data",
    property: (ctx) =>
      fc.asyncProperty(
        fc.oneof(focusedQuery(ctx.model, ctx.observed), validQuery(ctx.model, ctx.observed)),
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
            token = (x.body as { next_page_token?: string }).next_page_token ?? undefined;
            if (!token || itemsOf(x).length === 0) return;
          }
        },
      ),
  },
  {
    id: "F2",
    title: "a filtered traversal equals the unfiltered one filtered on the client, in order",
    profile: "full",
    needs: "pages",
    weight: 0.5,
    property: (ctx) =>
      fc.asyncProperty(windows(ctx), filterArb(ctx), fc.integer({ min: 1, max: 5 }), async (w, filter, size) => {
        const expected = w.expected.filter((b) => !unmetFilter(b, filter)).map((b) => b.id);
        const t = await traverse(ctx.target, { ...windowQuery(w), ...filter, page_size: size }, pagesFor(expected.length, size));
        const diff = sameSequence(expected, t.ids);
        if (diff)
          throw violation(`the filtered traversal differs from the unfiltered one filtered on the client: ${diff}`, ...t.pages.slice(0, 3));
      }),
  },
  {
    id: "F3",
    title: "two filters together equal the intersection of each alone",
    profile: "full",
    needs: "pages",
    weight: 0.5,
    property: (ctx) =>
      fc.asyncProperty(windows(ctx), filterArb(ctx), filterArb(ctx), async (w, a, b) => {
        // Two values of the same field (two statuses) is not an intersection: the server keeps one.
        fc.pre(Object.keys(a)[0] !== Object.keys(b)[0]);
        const base = windowQuery(w);
        const max = pagesFor(w.expected.length, PAGE);
        const [ta, tb, tab] = await Promise.all([
          traverse(ctx.target, { ...base, ...a, page_size: PAGE }, max),
          traverse(ctx.target, { ...base, ...b, page_size: PAGE }, max),
          traverse(ctx.target, { ...base, ...a, ...b, page_size: PAGE }, max),
        ]);
        const inB = new Set(tb.ids);
        const intersection = ta.ids.filter((id) => inB.has(id));
        const diff = sameSequence(intersection, tab.ids);
        if (diff)
          throw violation(
            `filters ${JSON.stringify(a)} and ${JSON.stringify(b)} together ≠ the intersection: ${diff}`,
            ...tab.pages.slice(0, 2),
          );
      }),
  },
  {
    id: "F4",
    title: "date bounds are inclusive",
    profile: "full",
    needs: "pages",
    property: (ctx) =>
      fc.asyncProperty(windows(ctx), fc.constantFrom("after", "before", "both"), async (w, which) => {
        // The window's own bounds are existing created_at values: the batches at them must be in.
        const t = which === "before" ? w.before : w.after;
        const query: Query =
          which === "both"
            ? { created_at_on_or_after: t, created_at_on_or_before: t }
            : which === "after"
              ? { created_at_on_or_after: t, created_at_on_or_before: w.before }
              : { created_at_on_or_after: w.after, created_at_on_or_before: t };
        const expected = (
          which === "both" ? w.expected.filter((b) => Date.parse(b.created_at as string) === Date.parse(t)) : w.expected
        ).map((b) => b.id);
        const got = await traverse(ctx.target, { ...query, page_size: PAGE }, pagesFor(expected.length, PAGE));
        const diff = sameSequence(expected, got.ids);
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
    profile: "full",
    needs: "data",
    property: (ctx) =>
      fc.asyncProperty(
        fc.oneof(
          fc.tuple(fc.constantFrom(...ctx.observed.timestamps), fc.integer({ min: 1, max: 10 ** 9 })).map(
            ([t, gap]): Query => ({
              created_at_on_or_after: new Date(Date.parse(t) + gap).toISOString(),
              created_at_on_or_before: t,
            }),
          ),
          fc
            .uuid()
            .filter((u) => !ctx.observed.projectIds.includes(u))
            .map((project_id): Query => ({ project_id })),
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
    title: "the same instant in different UTC offsets gives the same result",
    profile: "full",
    needs: "pages",
    property: (ctx) =>
      fc.asyncProperty(windows(ctx), fc.integer({ min: -48, max: 56 }), async (w, quarters) => {
        const shifted: Query = {
          created_at_on_or_after: formatWithOffset(Date.parse(w.after), quarters * 15),
          created_at_on_or_before: formatWithOffset(Date.parse(w.before), quarters * 15),
        };
        const max = pagesFor(w.expected.length, PAGE);
        const [utc, local] = await Promise.all([
          traverse(ctx.target, { ...windowQuery(w), page_size: PAGE }, max),
          traverse(ctx.target, { ...shifted, page_size: PAGE }, max),
        ]);
        const diff = sameSequence(utc.ids, local.ids);
        if (diff) {
          throw violation(
            `the same window written in UTC${quarters >= 0 ? "+" : ""}${quarters / 4}h gives another result: ${diff}`,
            ...utc.pages.slice(0, 1),
            ...local.pages.slice(0, 1),
          );
        }
      }),
  },
];
