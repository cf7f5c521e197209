import fc from "fast-check";
import { invalidInputs } from "../arbitraries.js";
import { bodyWithExtras, type InvalidBody, invalidBodies, invalidBody, validBody, withCreateIds, withoutWebhooks } from "../bodies.js";
import { type Call, cancelCall, createCall, issueAt, send, unknownId } from "../calls.js";
import type { Exchange } from "../target.js";
import { type Context, type Invariant, violation } from "./support.js";

/** The component schema a create's body follows, from the spec. */
export function createSchema(ctx: Context): string {
  const body = ctx.spec.operation("createBatch").requestBody;
  if (!body) throw new Error("the spec's createBatch takes no body");
  return body.schema;
}

/**
 * A body meant to succeed, made for the target: from the run's existing source directory and
 * configuration when it was given them (else a correct live server would refuse it: 404), and
 * without webhook fields then, or whenever the target is not loopback (drawn ones would be refused
 * there, or delivered to). On loopback without ids, webhook fields are drawn as the rest.
 */
const forTarget = (ctx: Context, b: Record<string, unknown>): Record<string, unknown> => {
  const made = withCreateIds(b, ctx.createIds);
  return ctx.target.loopback ? made : withoutWebhooks(made);
};

/**
 * Valid create bodies: drawn from the schema, made for the target (`forTarget`). Negative bodies
 * keep drawn ids: they must be refused anyway.
 */
export const validCreateBody = (ctx: Context): fc.Arbitrary<Record<string, unknown>> =>
  validBody(ctx.spec, createSchema(ctx)).map((b) => forTarget(ctx, b));

export const validCreate = (ctx: Context): fc.Arbitrary<Call> => validCreateBody(ctx).map(createCall);

/** Valid bodies with unknown fields (see `bodyWithExtras`), made from the run's ids when given. */
const createWithExtras = (ctx: Context) =>
  bodyWithExtras(ctx.spec, createSchema(ctx)).map(({ body, extra }) => ({ body: forTarget(ctx, body), extra }));

/**
 * Batches a run may cancel without touching anyone's work: ids that exist nowhere, and batches
 * already in a final status (which nothing can change). Batches the run created are cancelled by
 * the invariants that created them.
 */
export function safeCancel(ctx: Context): fc.Arbitrary<Call> {
  const final = ctx.observed.batches.filter((b) => ctx.finalStatuses.has(b.status)).map((b) => b.id);
  const ids = final.length ? fc.oneof(unknownId(), fc.constantFrom(...final)) : unknownId();
  return ids.map(cancelCall);
}

/** A body that breaks the schema, sent as JSON or as the raw text no JSON value can give. */
const invalidCall = (bad: InvalidBody): Call =>
  bad.raw === undefined ? createCall(bad.json) : { op: "createBatch", raw: { text: bad.raw, contentType: "application/json" } };
const invalidCreate = (ctx: Context) => invalidBody(ctx.spec, createSchema(ctx)).map((bad) => ({ bad, call: invalidCall(bad) }));

/** Sends a create (or any write); `send` remembers the batch a create made, if it made one. */
export const create = (ctx: Context, call: Call): Promise<Exchange> => send(ctx, call);

const isJson = (x: Exchange) => /^application\/([\w.+-]+\+)?json\b/i.test(x.contentType ?? "") && x.body !== undefined;

export const writeInvariants: Invariant[] = [
  {
    id: "W1",
    title: "writes are answered with a declared status, JSON, and a body the schema of that status accepts",
    rule: "response-schema",
    profile: "contract",
    writes: true,
    weight: 0.4,
    property: (ctx) =>
      fc.asyncProperty(
        fc.oneof(
          validCreate(ctx),
          createWithExtras(ctx).map((b) => createCall(b.body)),
          invalidCreate(ctx).map((x) => x.call),
          safeCancel(ctx),
        ),
        async (call) => {
          const x = await create(ctx, call);
          const op = ctx.spec.operation(call.op);
          if (!op.statuses.includes(x.status)) throw violation(`status ${x.status} is not declared for ${call.op}`, x);
          if (!isJson(x)) throw violation("the response is not JSON (content-type and body)", x);
          const schema = op.responseSchemas.get(x.status);
          const problems = schema ? ctx.validate(schema, x.body) : [];
          if (problems.length) throw violation(`the ${x.status} body breaks the spec's schema: ${problems.slice(0, 5).join("; ")}`, x);
        },
      ),
  },
  {
    id: "W2",
    title: "writes without valid credentials are a 401",
    rule: "bearer-auth",
    profile: "contract",
    writes: true,
    weight: 0.4,
    property: (ctx) =>
      fc.asyncProperty(
        fc.constantFrom<"none" | { authorization: string }>("none", { authorization: "Bearer" }, { authorization: "Token abc" }),
        fc.oneof(validCreate(ctx), safeCancel(ctx)),
        async (auth, call) => {
          const x = await send(ctx, call, auth);
          if (x.status !== 401) throw violation("a write without valid credentials was not a 401", x);
        },
      ),
  },
  {
    id: "W3",
    title: "a create body that is not JSON, lacks a field, or has a wrong type or enum value is a 422 naming it under body",
    rule: "typed-body",
    profile: "contract",
    writes: true,
    // Each run sends every required field left out plus three other breakages (about 8 bodies).
    weight: 0.4,
    property: (ctx) =>
      fc.asyncProperty(invalidBodies(ctx.spec, createSchema(ctx)), async (bodies) => {
        for (const bad of bodies) {
          const x = await create(ctx, invalidCall(bad));
          const at = ["body", ...bad.at];
          if (x.status !== 422) throw violation(`a body with ${bad.kind} at ${JSON.stringify(at)} was not refused with a 422`, x);
          if (!issueAt(x, at)) throw violation(`the 422 for ${bad.kind} does not name ${JSON.stringify(at)}`, x);
        }
      }),
  },
  {
    id: "W4",
    title: "unknown fields of a create body are ignored",
    rule: "extra-fields-ignored",
    profile: "contract",
    writes: true,
    weight: 0.4,
    property: (ctx) =>
      fc.asyncProperty(createWithExtras(ctx), async ({ body, extra }) => {
        const x = await create(ctx, createCall(body));
        if (x.status < 200 || x.status >= 300) throw violation(`a valid body with unknown fields ${extra.join(", ")} was refused`, x);
      }),
  },
  {
    id: "W5",
    title: "a valid create is answered with a 200",
    rule: "create-status",
    profile: "contract",
    writes: true,
    weight: 0.4,
    property: (ctx) =>
      fc.asyncProperty(validCreate(ctx), async (call) => {
        const x = await create(ctx, call);
        if (x.status !== 200) throw violation("a valid create was not a 200", x);
      }),
  },
  {
    id: "W6",
    title: "a write with a query value of the wrong type or format is a 4xx, and a 422 names it",
    rule: "typed-input",
    profile: "contract",
    writes: true,
    weight: 0.4,
    property: (ctx) =>
      fc.asyncProperty(fc.oneof(validCreate(ctx), safeCancel(ctx)), fc.gen(), async (call, gen) => {
        // A value the parameter's schema refuses: the handler never runs, so nothing is written.
        const candidates = ctx.spec.operation(call.op).query.flatMap((p) => {
          const values = invalidInputs(p).filter((v) => v.rule === "typed-input");
          return values.length ? [{ name: p.name, values: values.map((v) => v.value) }] : [];
        });
        fc.pre(candidates.length > 0);
        const { name, values } = gen(fc.constantFrom, ...candidates);
        const value = gen(fc.constantFrom, ...values);
        const x = await create(ctx, { ...call, query: { [name]: value } });
        if (x.status < 400 || x.status >= 500) throw violation(`invalid ${name}=${JSON.stringify(value)} was not refused with a 4xx`, x);
        if (x.status === 422 && !issueAt(x, ["query", name])) throw violation(`the 422 for invalid ${name} does not name it`, x);
      }),
  },
];
