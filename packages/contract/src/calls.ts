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
  const x = await ctx.target.request({
    method: op.method,
    path: op.path,
    pathParams: call.pathParams,
    query: call.query,
    json: call.json,
    raw: call.raw,
    auth,
  });
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

/** A read of one batch with one query parameter given a value that breaks `rule` of its schema. */
export function invalidGet(
  ctx: Context,
  rule: "typed-input" | "strict-input" = "typed-input",
): fc.Arbitrary<{ call: Call; param: string }> {
  const candidates = ctx.spec.operation("getBatch").query.flatMap((p) => {
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
    .map(([id, [param, value]]) => ({ call: getCall(id, { [param]: param === "expand" ? [value] : value }), param }));
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
