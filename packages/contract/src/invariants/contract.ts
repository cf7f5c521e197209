import fc from "fast-check";
import { focusedQuery, invalidQuery, validQuery } from "../arbitraries.js";
import type { Exchange } from "../target.js";
import { type Context, type Invariant, violation } from "./support.js";

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

/** A parameter name the spec does not declare (names are case-sensitive: `Status` is unknown too). */
const unknownName = (ctx: Context) =>
  fc.stringMatching(/^[a-zA-Z][a-zA-Z_]{2,15}$/).filter((n) => !ctx.model.parameters.some((p) => p.name === n));

export const contractInvariants: Invariant[] = [
  {
    id: "C1",
    title: "every response body validates against the spec",
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
    title: "invalid input (wrong enum, type, range, date-time, UUID) is a 4xx",
    profile: "contract",
    property: (ctx) =>
      fc.asyncProperty(invalidQuery(ctx.model, ctx.observed), async ({ query, param }) => {
        const x = await ctx.target.get(query);
        if (x.status < 400 || x.status >= 500)
          throw violation(`invalid ${param}=${JSON.stringify(query[param])} was not refused with a 4xx`, x);
      }),
  },
  {
    id: "C5",
    title: "valid input, in any combination, is a 2xx",
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
    profile: "contract",
    property: (ctx) =>
      fc.asyncProperty(validQuery(ctx.model, ctx.observed), unknownName(ctx), fc.string({ maxLength: 20 }), async (q, name, value) => {
        const plain = await ctx.target.get(q);
        const extra = await ctx.target.get({ ...q, [name]: value });
        if (plain.status !== extra.status || JSON.stringify(plain.body) !== JSON.stringify(extra.body)) {
          throw violation(`adding unknown parameter ${name} changed the answer`, plain, extra);
        }
      }),
  },
];
