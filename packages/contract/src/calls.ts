import type { Batch } from "@llama-batches/client";
import type { ParameterModel } from "@llama-batches/spec";
import fc from "fast-check";
import { invalidInputs, type Query } from "./arbitraries.js";
import type { Context } from "./invariants/support.js";
import type { Auth, Exchange, QueryValue } from "./target.js";

/** One request of any operation of the spec, by operationId: what a property draws and sends. */
export interface Call {
  op: string;
  pathParams?: Record<string, string>;
  query?: Record<string, QueryValue>;
  json?: unknown;
  raw?: { text: string; contentType?: string };
}

/** Sends a call with the method and path the spec gives its operation. */
export async function send(ctx: Context, call: Call, auth: Auth = "key"): Promise<Exchange> {
  const op = ctx.spec.operation(call.op);
  let x: Exchange;
  try {
    x = await ctx.target.request({
      method: op.method,
      path: op.path,
      pathParams: call.pathParams,
      query: call.query,
      json: call.json,
      raw: call.raw,
      auth,
    });
  } catch (error) {
    // A create that timed out or dropped may have reached the server and made a batch no answer names.
    if (call.op === "createBatch" && (error as Error).name === "Unreachable") ctx.uncertainCreates += 1;
    throw error;
  }
  // So may one answered with a 5xx: the cleanup looks for such batches (`Context.uncertainCreates`).
  if (call.op === "createBatch" && x.status >= 500) ctx.uncertainCreates += 1;
  noteCreated(ctx, call, x);
  return x;
}

/**
 * Remembers the batches this run created (any create answered with a 2xx and an id, whoever sent
 * it: a server that wrongly accepts a create made a batch too), and what answers show of them:
 * those seen in a final status and those whose cancel was accepted need no cancel from the cleanup.
 */
export function noteCreated(ctx: Context, call: Call, x: Exchange): void {
  if (x.status < 200 || x.status >= 300) return;
  const body = x.body as { id?: unknown; status?: unknown; items?: unknown } | undefined;
  if (call.op === "createBatch" && typeof body?.id === "string") ctx.created.add(body.id);
  if (ctx.created.size === 0) return;
  const batches = Array.isArray(body?.items) ? (body.items as Batch[]) : body ? [body as Batch] : [];
  for (const b of batches) {
    if (typeof b?.id === "string" && ctx.created.has(b.id) && ctx.finalStatuses.has(String(b.status))) ctx.settled.add(b.id);
  }
  const id = call.pathParams?.batch_id;
  if (call.op === "cancelBatch" && id !== undefined && ctx.created.has(id)) ctx.cancelSent.add(id);
}

export const listCall = (query: Query): Call => ({ op: "listBatches", query });

export const getCall = (id: string, query: Record<string, QueryValue> = {}): Call => ({
  op: "getBatch",
  pathParams: { batch_id: id },
  query,
});

export const cancelCall = (id: string): Call => ({ op: "cancelBatch", pathParams: { batch_id: id } });

export const createCall = (json: unknown): Call => ({ op: "createBatch", json });

/** The values `expand` may take, from the spec (`BatchExpand`). */
export function expandValues(ctx: Context): readonly string[] {
  return expandParam(ctx).items?.enum ?? [];
}

/**
 * The expand value that fills in a batch's results (the field it names): the one the spec answers
 * an expanded read with an example for (`x-expand-examples`), else its only value.
 */
export function resultsExpand(ctx: Context): string {
  const examples = ctx.spec.operation("getBatch").extensions["x-expand-examples"] as Record<string, string> | undefined;
  const values = expandValues(ctx);
  const value = values.find((v) => examples?.[v] !== undefined) ?? (values.length === 1 ? values[0] : undefined);
  if (value === undefined) throw new Error("the spec's getBatch names no expand value with an example (x-expand-examples)");
  return value;
}

function expandParam(ctx: Context): ParameterModel {
  const p = ctx.spec.operation("getBatch").query.find((q) => q.name === "expand");
  if (!p) throw new Error("the spec's getBatch has no expand parameter");
  return p;
}

/** An id no server has: the shape of a batch id, a fresh UUID. */
export const unknownId = (): fc.Arbitrary<string> => fc.uuid().map((u) => `bat-${u}`);

/** Ids of batches the key sees, mostly; else ids that exist nowhere. */
export function anyId(ctx: Context): fc.Arbitrary<string> {
  const seen = ctx.observed.batches.map((b) => b.id);
  return seen.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...seen) }, unknownId()) : unknownId();
}

const expandArb = (ctx: Context) => fc.array(fc.constantFrom(...expandValues(ctx)), { minLength: 1, maxLength: 2 });

/**
 * Valid reads of one batch the key sees: with or without `expand`, with or without its own project
 * (another project would be a 404). Undefined when the key sees no batch.
 */
export function validGet(ctx: Context): fc.Arbitrary<Call> | undefined {
  if (ctx.observed.batches.length === 0) return undefined;
  return fc
    .tuple(fc.constantFrom(...ctx.observed.batches), fc.option(expandArb(ctx), { nil: undefined }), fc.boolean())
    .map(([b, expand, own]: [Batch, string[] | undefined, boolean]) =>
      getCall(b.id, { expand, project_id: own ? b.project_id : undefined }),
    );
}

/** Any read of one batch: known or unknown ids, any scope, expanded or not. */
export function anyGet(ctx: Context): fc.Arbitrary<Call> {
  return fc
    .tuple(anyId(ctx), fc.option(expandArb(ctx), { nil: undefined }), fc.option(fc.uuid(), { nil: undefined, freq: 4 }))
    .map(([id, expand, project_id]) => getCall(id, { expand, project_id }));
}

/** The constraints of a parameter's values: its items', for an array sent repeated. */
const valuesOf = (p: ParameterModel): ParameterModel => (p.type === "array" && p.items ? { ...p, ...p.items } : p);

/**
 * Parameters of `getBatch` whose refused values another rule than the type's governs: an unknown
 * `expand` value is refused under the decided rule `expand-values` (G4 judges it), not the
 * documented `typed-input`.
 */
const OWN_RULE = new Set(["expand"]);

/**
 * A read of one batch with one query parameter given a value that breaks `rule` of its schema.
 * `expand` is never drawn here (see `OWN_RULE`).
 */
export function invalidGet(
  ctx: Context,
  rule: "typed-input" | "strict-input" = "typed-input",
): fc.Arbitrary<{ call: Call; param: string }> {
  const candidates = ctx.spec.operation("getBatch").query.flatMap((p) => {
    if (OWN_RULE.has(p.name)) return [];
    const values = invalidInputs(valuesOf(p))
      .filter((v) => v.rule === rule)
      .map((v) => v.value);
    return values.length ? [{ name: p.name, values }] : [];
  });
  return fc
    .tuple(
      anyId(ctx),
      fc.constantFrom(...candidates).chain((p) => fc.tuple(fc.constant(p.name), fc.constantFrom(...p.values))),
    )
    .map(([id, [param, value]]) => ({ call: getCall(id, { [param]: value }), param }));
}

/** The first item of a FastAPI 422 body whose `loc` starts with `prefix`, if any. */
export function issueAt(x: Exchange, prefix: readonly (string | number)[]): unknown {
  const detail = (x.body as { detail?: unknown } | undefined)?.detail;
  if (!Array.isArray(detail)) return undefined;
  return detail.find((d) => {
    const loc = (d as { loc?: unknown }).loc;
    return Array.isArray(loc) && prefix.every((part, i) => loc[i] === part);
  });
}
