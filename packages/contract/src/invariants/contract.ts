import fc from "fast-check";
import { focusedQuery, invalidQuery, validQuery } from "../arbitraries.js";
import type { Exchange } from "../target.js";
import { type Context, type Invariant, itemsOf, pinned, violation } from "./support.js";

/** Declared JSON schema of a response, checked against its body. */
function schemaProblems(ctx: Context, x: Exchange): string[] {
  const schema = ctx.model.responseSchemas.get(x.status);
  if (!schema) return [];
  if (x.body === undefined) return ["the body is not JSON"];
  return ctx.validate(schema, x.body);
}

/** Valid and invalid queries alike: what a status or content-type check must hold for. */
const anyQuery = (ctx: Context) =>
  fc.oneof(
    validQuery(ctx.model, ctx.observed),
    invalidQuery(ctx.model, ctx.observed).map((x) => x.query),
  );

/**
 * A parameter name the spec does not declare: a made-up one, or a declared one in another case
 * (`Page_Size`), which FastAPI does not know either.
 */
const unknownName = (ctx: Context) =>
  fc
    .oneof(
      fc.stringMatching(/^[a-zA-Z][a-zA-Z_]{2,15}$/),
      fc.constantFrom(...ctx.model.parameters.map((p) => p.name)).map((n) => n.toUpperCase()),
      fc.constantFrom(...ctx.model.parameters.map((p) => p.name)).map((n) => n[0]?.toUpperCase() + n.slice(1)),
    )
    .filter((n) => !ctx.model.parameters.some((p) => p.name === n));

export const contractInvariants: Invariant[] = [
  {
    id: "C1",
    title: "every response body validates against the spec",
    rule: "response-schema",
    profile: "contract",
    property: (ctx) =>
      fc.asyncProperty(
        fc.oneof(
          // Mostly queries that return data: a schema break in a batch only shows in a non-empty page.
          { weight: 2, arbitrary: focusedQuery(ctx.model, ctx.observed) },
          validQuery(ctx.model, ctx.observed),
          invalidQuery(ctx.model, ctx.observed).map((x) => x.query),
        ),
        async (q) => {
          const x = await ctx.target.get(q);
          const problems = schemaProblems(ctx, x);
          if (problems.length > 0) throw violation(`the ${x.status} body breaks the spec's schema: ${problems.slice(0, 5).join("; ")}`, x);
        },
      ),
  },
  {
    id: "C2",
    title: "every status code is one the spec declares",
    rule: "declared-statuses",
    profile: "contract",
    property: (ctx) =>
      fc.asyncProperty(anyQuery(ctx), fc.constantFrom<"key" | "none">("key", "none"), async (q, auth) => {
        const x = await ctx.target.get(q, auth);
        if (!ctx.model.statuses.includes(x.status)) {
          throw violation(`status ${x.status} is not declared (the spec declares ${ctx.model.statuses.join(", ")})`, x);
        }
      }),
  },
  {
    id: "C3",
    title: "responses are JSON",
    rule: "json-responses",
    profile: "contract",
    property: (ctx) =>
      fc.asyncProperty(anyQuery(ctx), fc.constantFrom<"key" | "none">("key", "none"), async (q, auth) => {
        const x = await ctx.target.get(q, auth);
        if (!/^application\/([\w.+-]+\+)?json\b/i.test(x.contentType ?? "") || x.body === undefined) {
          throw violation("the response is not JSON (content-type and body)", x);
        }
      }),
  },
  {
    id: "C4",
    title: "input of the wrong type, enum or format is a 4xx",
    rule: "typed-input",
    profile: "contract",
    property: (ctx) =>
      fc.asyncProperty(invalidQuery(ctx.model, ctx.observed, "typed-input"), async ({ query, param }) => {
        const x = await ctx.target.get(query);
        if (x.status < 400 || x.status >= 500)
          throw violation(`invalid ${param}=${JSON.stringify(query[param])} was not refused with a 4xx`, x);
      }),
  },
  {
    id: "C5",
    title: "valid input, in any combination, is a 2xx",
    rule: "valid-input",
    profile: "contract",
    property: (ctx) =>
      fc.asyncProperty(validQuery(ctx.model, ctx.observed), async (q) => {
        const x = await ctx.target.get(q);
        if (x.status < 200 || x.status >= 300) throw violation("a valid query was not answered with a 2xx", x);
      }),
  },
  {
    id: "C6",
    title: "missing or malformed credentials are a 401",
    rule: "bearer-auth",
    profile: "contract",
    property: (ctx) =>
      fc.asyncProperty(
        fc.oneof(
          // No credentials at all is the commonest mistake in a server: ask for it most often.
          { weight: 3, arbitrary: fc.constant<"none">("none") },
          fc.constantFrom(
            { authorization: "Bearer" },
            { authorization: "Bearer " },
            { authorization: "Token abc" },
            { authorization: "Basic dXNlcjpwYXNz" },
            { authorization: "bearer-abc" },
          ),
        ),
        validQuery(ctx.model, ctx.observed),
        async (auth, q) => {
          const x = await ctx.target.get(q, auth);
          if (x.status !== 401) throw violation("a request without valid credentials was not a 401", x);
        },
      ),
  },
  {
    id: "C7",
    title: "unknown query parameters are ignored",
    rule: "unknown-parameters-ignored",
    profile: "contract",
    property: (ctx) =>
      fc.asyncProperty(validQuery(ctx.model, ctx.observed), unknownName(ctx), fc.string({ maxLength: 20 }), async (q, name, value) => {
        // Pinned before the run and without a status filter: the two answers may only differ by the
        // unknown parameter, not by batches created or finished in between. Ids, not bodies:
        // a batch's status and updated_at move on.
        const { status: _, ...rest } = q;
        const query = pinned(ctx, rest);
        const plain = await ctx.target.get(query);
        const extra = await ctx.target.get({ ...query, [name]: value });
        const ids = (x: Exchange) => JSON.stringify(itemsOf(x).map((b) => b.id));
        if (plain.status !== extra.status || ids(plain) !== ids(extra)) {
          throw violation(`adding unknown parameter ${name}=${JSON.stringify(value)} changed the answer`, plain, extra);
        }
      }),
  },
  {
    id: "C8",
    title: "page_size below 1, and a date-time without an offset, are refused",
    rule: "strict-input",
    profile: "contract",
    property: (ctx) =>
      fc.asyncProperty(invalidQuery(ctx.model, ctx.observed, "strict-input"), async ({ query, param }) => {
        const x = await ctx.target.get(query);
        if (x.status < 400 || x.status >= 500) throw violation(`${param}=${JSON.stringify(query[param])} was not refused with a 4xx`, x);
      }),
  },
  {
    id: "C9",
    title: "list items carry no results (null or absent)",
    rule: "results-null-in-lists",
    profile: "contract",
    needs: "data",
    property: (ctx) =>
      fc.asyncProperty(focusedQuery(ctx.model, ctx.observed), async (q) => {
        const x = await ctx.target.get(q);
        const filled = itemsOf(x).find((b) => b.results !== null && b.results !== undefined);
        if (filled) throw violation(`batch ${filled.id} carries results in a list response`, x);
      }),
  },
];
