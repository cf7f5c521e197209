import type { Batch } from "@llama-batches/client";
import { compareInstants, instantOf } from "@llama-batches/spec";
import fc from "fast-check";
import { anyId, expandValues, getCall, issueAt, listCall, resultsExpand, send, unknownId } from "../calls.js";
import type { Exchange } from "../target.js";
import { type Context, type Invariant, itemsOf, tokenOf, violation } from "./support.js";

/**
 * The statuses whose batch must carry `results` when expanded: the status of the example the spec
 * answers an expanded read with (`x-expand-examples`). A running batch may have none yet, and a
 * FAILED one has no reliable set; a completed one has its mapping.
 */
function expandedStatuses(ctx: Context): Set<string> {
  const op = ctx.spec.operation("getBatch");
  const name = (op.extensions["x-expand-examples"] as Record<string, string> | undefined)?.[resultsExpand(ctx)];
  const example = name ? ctx.spec.responseExamples("getBatch", 200)[name] : undefined;
  const status = (example?.value as Batch | undefined)?.status;
  return new Set(status ? [status] : []);
}

/** Whether a batch was, when observed, in a status it never leaves and that carries results when expanded. */
const settledWithResults = (ctx: Context, b: Batch) => ctx.finalStatuses.has(b.status) && expandedStatuses(ctx).has(b.status);

/** Observed batches, half of the draws among those that carry results when expanded: where results filled in anyway show. */
function withResults(ctx: Context): fc.Arbitrary<Batch> {
  const any = fc.constantFrom(...ctx.observed.batches);
  const full = ctx.observed.batches.filter((b) => settledWithResults(ctx, b));
  return full.length ? fc.oneof(fc.constantFrom(...full), any) : any;
}

/** The field an expand value fills in (`results` for `expand=results`). */
const expandedField = (x: Exchange, field: string) => (x.body as Record<string, unknown> | undefined)?.[field];

/** Batches in a status that carries results when expanded, found by G5's `prepare` (by context). */
const completedFound = new WeakMap<Context, Batch[]>();

/** Pages of the list filtered by status read to find batches G5 can judge. */
const G5_PAGES = 2;

const batchOf = (x: Exchange) => x.body as Batch | undefined;

/** The body with the id of the request written as a placeholder: ids echoed back do not leak anything. */
const withoutId = (x: Exchange, id: string) => x.text.split(id).join("<id>");

/** Fields of a batch that never change: what a read by id must agree with the list on. */
const FIXED = ["id", "project_id", "source_directory_id", "config"] as const;

export const retrieveInvariants: Invariant[] = [
  {
    id: "G1",
    title: "a batch read by id without expand carries no results",
    rule: "results-when-expanded",
    profile: "contract",
    needs: "data",
    property: (ctx) =>
      fc.asyncProperty(withResults(ctx), async (b) => {
        const field = resultsExpand(ctx);
        const x = await send(ctx, getCall(b.id));
        if (x.status !== 200) throw violation(`a batch the list showed could not be read (${x.status})`, x);
        const results = expandedField(x, field);
        if (results !== null && results !== undefined) throw violation(`${field} is filled in without expand=${field}`, x);
      }),
  },
  {
    id: "G2",
    title: "a batch read by id is the one asked for, as the list shows it",
    rule: "one-batch",
    profile: "full",
    needs: "data",
    property: (ctx) =>
      fc.asyncProperty(fc.constantFrom(...ctx.observed.batches), async (b) => {
        const x = await send(ctx, getCall(b.id));
        if (x.status !== 200) throw violation(`batch ${b.id}, which the list showed, could not be read (${x.status})`, x);
        const got = batchOf(x) as Batch;
        // Only what cannot change: status, updated_at and results move on.
        for (const field of FIXED) {
          if (JSON.stringify(got[field]) !== JSON.stringify(b[field])) {
            throw violation(`${field} is ${JSON.stringify(got[field])}, the list showed ${JSON.stringify(b[field])}`, x);
          }
        }
        if (b.created_at && (!got.created_at || compareInstants(instantOf(got.created_at), instantOf(b.created_at)) !== 0)) {
          throw violation(`created_at is ${got.created_at}, the list showed ${b.created_at}`, x);
        }
      }),
  },
  {
    id: "G3",
    title: "an unknown id and one in a scope the key cannot see get the same 404",
    rule: "same-404",
    profile: "full",
    needs: "data",
    property: (ctx) =>
      fc.asyncProperty(
        unknownId(),
        fc.constantFrom(...ctx.observed.batches),
        fc.oneof(
          fc
            .uuid()
            .filter((u) => !ctx.observed.projectIds.includes(u))
            .map((project_id) => ({ project_id })),
          fc.uuid().map((organization_id) => ({ organization_id })),
          // Another project the key sees: the batch is not in that scope either.
          ...(ctx.observed.projectIds.length > 1
            ? [fc.constantFrom(...ctx.observed.projectIds).map((project_id) => ({ project_id }))]
            : []),
        ),
        async (unknown, b, scope) => {
          fc.pre(!("project_id" in scope) || scope.project_id !== b.project_id);
          const missing = await send(ctx, getCall(unknown));
          if (missing.status !== 404) throw violation("an id that exists nowhere is not a 404", missing);
          const hidden = await send(ctx, getCall(b.id, scope));
          if (hidden.status !== 404) throw violation(`batch ${b.id} read in a scope the key cannot see is not a 404`, hidden);
          if (withoutId(missing, unknown) !== withoutId(hidden, b.id)) {
            throw violation("the two 404s differ: the answer tells a batch that exists from one that does not", missing, hidden);
          }
        },
      ),
  },
  {
    id: "G4",
    title: "an expand value other than the spec's is a 422 naming it",
    rule: "expand-values",
    profile: "contract",
    property: (ctx) =>
      fc.asyncProperty(
        anyId(ctx),
        fc.stringMatching(/^[a-z_]{1,12}$/).filter((v) => !expandValues(ctx).includes(v)),
        async (id, value) => {
          const x = await send(ctx, getCall(id, { expand: [value] }));
          if (x.status !== 422 || !issueAt(x, ["query", "expand"])) throw violation(`expand=${value} is not a 422 naming expand`, x);
        },
      ),
  },
  {
    id: "G5",
    title: "a completed batch read with expand=results carries a results array",
    rule: "results-on-expand",
    profile: "contract",
    // The list filtered by the status that carries results (COMPLETED), and what the observation saw.
    prepare: async (ctx) => {
      const statuses = [...expandedStatuses(ctx)].filter((s) => ctx.finalStatuses.has(s));
      if (statuses.length === 0) return "needs a final status that carries results when expanded (the spec names none)";
      const found = new Map(ctx.observed.batches.filter((b) => statuses.includes(b.status)).map((b) => [b.id, b]));
      for (const status of statuses) {
        let token: string | undefined;
        for (let page = 0; page < G5_PAGES; page++) {
          const query = { status, page_size: ctx.model.pageSize.maximum, page_token: token };
          const x = await send(ctx, listCall(query));
          if (x.status !== 200) break;
          for (const b of itemsOf(x)) if (b.status === status) found.set(b.id, b);
          token = tokenOf(x);
          if (!token || itemsOf(x).length === 0) break;
        }
      }
      if (found.size === 0) return `needs a batch in status ${statuses.join(" or ")}: the list filtered by status shows none the key sees`;
      completedFound.set(ctx, [...found.values()]);
      return undefined;
    },
    property: (ctx) =>
      fc.asyncProperty(fc.constantFrom(...(completedFound.get(ctx) ?? [])), async (b) => {
        const field = resultsExpand(ctx);
        const x = await send(ctx, getCall(b.id, { expand: [field] }));
        if (x.status !== 200) throw violation(`${b.status} batch ${b.id}, which the list showed, could not be read (${x.status})`, x);
        // Judged on the status the read itself shows: final, so it cannot have moved since.
        const status = String((x.body as Batch | undefined)?.status);
        if (!expandedStatuses(ctx).has(status)) return;
        if (!Array.isArray(expandedField(x, field)))
          throw violation(`a ${status} batch read with expand=${field} has no ${field} array`, x);
      }),
  },
];
