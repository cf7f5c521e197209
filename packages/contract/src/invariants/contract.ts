import fc from "fast-check";
import { focusedQuery, invalidQuery, validQuery } from "../arbitraries.js";
import { anyGet, type Call, invalidGet, issueAt, listCall, send, validGet } from "../calls.js";
import type { Exchange } from "../target.js";
import { type Context, type Invariant, itemsOf, pinned, violation } from "./support.js";

/** Declared JSON schema of a response of `op`, checked against its body. */
function schemaProblems(ctx: Context, op: string, x: Exchange): string[] {
  const schema = ctx.spec.operation(op).responseSchemas.get(x.status);
  if (!schema) return [];
  if (x.body === undefined) return ["the body is not JSON"];
  return ctx.validate(schema, x.body);
}

/**
 * Reads of any operation: mostly the list (its queries are the larger space), and reads of one
 * batch, known or not, valid or not.
 */
const anyRead = (ctx: Context): fc.Arbitrary<Call> =>
  fc.oneof(
    { weight: 2, arbitrary: validQuery(ctx.model, ctx.observed).map(listCall) },
    { weight: 2, arbitrary: invalidQuery(ctx.model, ctx.observed).map((x) => listCall(x.query)) },
    { weight: 1, arbitrary: anyGet(ctx) },
    { weight: 1, arbitrary: invalidGet(ctx).map((x) => x.call) },
  );

/** Valid reads: of the list, and of a batch the key sees (when it sees one). */
const validRead = (ctx: Context): fc.Arbitrary<Call> => {
  const list = validQuery(ctx.model, ctx.observed).map(listCall);
  const get = validGet(ctx);
  return get ? fc.oneof({ weight: 3, arbitrary: list }, { weight: 1, arbitrary: get }) : list;
};

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
    .filter((n) => !ctx.spec.operations.some((op) => op.query.some((p) => p.name === n)));

const isJson = (x: Exchange) => /^application\/([\w.+-]+\+)?json\b/i.test(x.contentType ?? "") && x.body !== undefined;

/** The parameters a FastAPI 422 names (`loc[1]` of its query issues). */
const named = (x: Exchange): string[] => {
  const detail = (x.body as { detail?: unknown } | undefined)?.detail;
  return Array.isArray(detail) ? detail.map((d) => String((d as { loc?: unknown[] }).loc?.[1])) : [];
};

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
          { weight: 4, arbitrary: focusedQuery(ctx.model, ctx.observed).map(listCall) },
          { weight: 3, arbitrary: anyRead(ctx) },
        ),
        async (call) => {
          const x = await send(ctx, call);
          const problems = schemaProblems(ctx, call.op, x);
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
      fc.asyncProperty(anyRead(ctx), fc.constantFrom<"key" | "none">("key", "none"), async (call, auth) => {
        const x = await send(ctx, call, auth);
        const declared = ctx.spec.operation(call.op).statuses;
        if (!declared.includes(x.status)) {
          throw violation(`status ${x.status} is not declared for ${call.op} (the spec declares ${declared.join(", ")})`, x);
        }
      }),
  },
  {
    id: "C3",
    title: "responses are JSON",
    rule: "json-responses",
    profile: "contract",
    property: (ctx) =>
      fc.asyncProperty(anyRead(ctx), fc.constantFrom<"key" | "none">("key", "none"), async (call, auth) => {
        const x = await send(ctx, call, auth);
        if (!isJson(x)) throw violation("the response is not JSON (content-type and body)", x);
      }),
  },
  {
    id: "C4",
    title: "input of the wrong type, enum or format is a 4xx",
    rule: "typed-input",
    profile: "contract",
    property: (ctx) =>
      fc.asyncProperty(
        fc.oneof(
          { weight: 3, arbitrary: invalidQuery(ctx.model, ctx.observed, "typed-input").map((x) => ({ ...x, call: listCall(x.query) })) },
          { weight: 1, arbitrary: invalidGet(ctx, "typed-input") },
        ),
        async ({ call, param }) => {
          const x = await send(ctx, call);
          const value = JSON.stringify(call.query?.[param]);
          if (x.status < 400 || x.status >= 500) throw violation(`invalid ${param}=${value} was not refused with a 4xx`, x);
          // A 422 is FastAPI's: it must point at the parameter, or a client cannot tell what to fix.
          if (x.status === 422 && !issueAt(x, ["query", param])) {
            throw violation(`the 422 for invalid ${param}=${value} names ${named(x).join(", ") || "nothing"}, not ${param}`, x);
          }
        },
      ),
  },
  {
    id: "C5",
    title: "valid input, in any combination, is a 2xx",
    rule: "valid-input",
    profile: "contract",
    property: (ctx) =>
      fc.asyncProperty(validRead(ctx), async (call) => {
        const x = await send(ctx, call);
        if (x.status < 200 || x.status >= 300) throw violation("a valid request was not answered with a 2xx", x);
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
        fc.oneof({ weight: 3, arbitrary: validQuery(ctx.model, ctx.observed).map(listCall) }, { weight: 1, arbitrary: anyGet(ctx) }),
        async (auth, call) => {
          const x = await send(ctx, call, auth);
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
      fc.asyncProperty(
        fc.oneof(
          { weight: 3, arbitrary: validQuery(ctx.model, ctx.observed).map(listCall) },
          { weight: 1, arbitrary: validGet(ctx) ?? validQuery(ctx.model, ctx.observed).map(listCall) },
        ),
        unknownName(ctx),
        fc.string({ maxLength: 20 }),
        async (call, name, value) => {
          // A list pinned before the run and without a status filter: the two answers may only
          // differ by the unknown parameter, not by batches created or finished in between. Ids,
          // not bodies: a batch's status and updated_at move on.
          const { status: _, ...rest } = (call.query ?? {}) as Record<string, string | number | undefined>;
          const query = call.op === "listBatches" ? pinned(ctx, rest) : (call.query ?? {});
          const plain = await send(ctx, { ...call, query });
          const extra = await send(ctx, { ...call, query: { ...query, [name]: value } });
          const ids = (x: Exchange) =>
            JSON.stringify(call.op === "listBatches" ? itemsOf(x).map((b) => b.id) : (x.body as { id?: unknown } | undefined)?.id);
          if (plain.status !== extra.status || ids(plain) !== ids(extra)) {
            throw violation(`adding unknown parameter ${name}=${JSON.stringify(value)} changed the answer`, plain, extra);
          }
        },
      ),
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
