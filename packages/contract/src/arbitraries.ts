import type { Batch } from "@llama-batches/client";
import fc from "fast-check";
import type { Observed } from "./observe.js";
import type { OperationModel, ParameterModel } from "./operation.js";

export type Query = Record<string, string | number | undefined>;

/** Parameters whose valid values only the server can mint (tokens): never generated freely. */
const MINTED = new Set(["page_token"]);

/** Valid values of one parameter: from the server's own data when there is some, else from the spec. */
export function validValue(param: ParameterModel, observed: Observed): fc.Arbitrary<string | number> {
  const seen = observedValues(param.name, observed);
  const fromSpec = specValue(param);
  return seen.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...seen) }, { weight: 1, arbitrary: fromSpec }) : fromSpec;
}

function observedValues(name: string, observed: Observed): string[] {
  switch (name) {
    case "status":
      return observed.statuses;
    case "project_id":
      return observed.projectIds;
    case "source_directory_id":
      return observed.directoryIds;
    case "created_at_on_or_after":
    case "created_at_on_or_before":
      return observed.timestamps;
    default:
      return [];
  }
}

function specValue(param: ParameterModel): fc.Arbitrary<string | number> {
  if (param.enum) return fc.constantFrom(...param.enum);
  if (param.type === "integer") return fc.integer({ min: param.minimum ?? -1000, max: param.maximum ?? 1000 });
  if (param.format === "date-time") return instant().chain((ms) => withOffset(ms));
  if (param.format === "uuid") return fc.uuid();
  return fc.string({ minLength: Math.max(1, param.minLength ?? 0), maxLength: 40 });
}

/** An instant between 2000 and 2100, in ms. */
export function instant(): fc.Arbitrary<number> {
  return fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
}

/** The same instant written with an arbitrary UTC offset (whole quarter hours, as real zones use). */
export function withOffset(ms: number): fc.Arbitrary<string> {
  return fc.integer({ min: -12 * 4, max: 14 * 4 }).map((quarters) => formatWithOffset(ms, quarters * 15));
}

export function formatWithOffset(ms: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return new Date(ms).toISOString();
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/** Any combination of valid parameters (tokens excepted), values drawn from the data and the spec. */
export function validQuery(model: OperationModel, observed: Observed): fc.Arbitrary<Query> {
  const shape: Record<string, fc.Arbitrary<string | number>> = {};
  for (const p of model.parameters) if (!MINTED.has(p.name)) shape[p.name] = validValue(p, observed);
  return fc.record(shape, { requiredKeys: [] }) as fc.Arbitrary<Query>;
}

/**
 * A query that is likely to return data: zero to two filters whose values come from the server's
 * own batches, and a small page size (or none: the documented default).
 */
export function focusedQuery(model: OperationModel, observed: Observed): fc.Arbitrary<Query> {
  const field = (name: string, values: readonly string[]) =>
    values.length ? [fc.constantFrom(...values).map((v): Query => ({ [name]: v }))] : [];
  const filters = [
    ...field("status", observed.statuses),
    ...field("project_id", observed.projectIds),
    ...field("source_directory_id", observed.directoryIds),
    ...field("created_at_on_or_before", observed.timestamps),
  ];
  const one = filters.length ? fc.oneof(...filters) : fc.constant<Query>({});
  return fc
    .tuple(
      fc.array(one, { maxLength: 2 }),
      fc.option(fc.integer({ min: 1, max: Math.min(10, model.pageSize.maximum) }), { nil: undefined, freq: 4 }),
    )
    .map(([parts, page_size]) => Object.assign({ page_size }, ...parts) as Query);
}

/** Values that break a parameter's schema, per parameter; parameters with no invalid value are left out. */
export function invalidValues(param: ParameterModel): string[] {
  if (param.enum) return ["BOGUS", param.enum[0]?.toLowerCase() ?? "x", `${param.enum[0]} `, "", "1"];
  if (param.type === "integer") {
    const out = ["abc", "1.5", "ten", "", "12abc"];
    if (param.maximum !== undefined) out.push(String(param.maximum + 1), String(param.maximum * 10 + 7));
    if (param.minimum !== undefined) out.push(String(param.minimum - 1), String(param.minimum - 1000));
    return out;
  }
  if (param.format === "date-time") {
    return ["yesterday", "2026-13-01T00:00:00Z", "2026-01-01", "2026-01-01T25:00:00Z", "2026-02-30T00:00:00Z", "now"];
  }
  if (param.format === "uuid") {
    return ["not-a-uuid", "1234", "9b2f1c3e-5a4d-4e8f-9c1b-2d3e4f5a6b7", "zb2f1c3e-5a4d-4e8f-9c1b-2d3e4f5a6b7c"];
  }
  return [];
}

/** A valid query with one parameter replaced by an invalid value. */
export function invalidQuery(model: OperationModel, observed: Observed): fc.Arbitrary<{ query: Query; param: string }> {
  const candidates = model.parameters.filter((p) => !MINTED.has(p.name) && invalidValues(p).length > 0);
  return fc
    .tuple(
      validQuery(model, observed),
      fc.constantFrom(...candidates).chain((p) => fc.tuple(fc.constant(p.name), fc.constantFrom(...invalidValues(p)))),
    )
    .map(([query, [param, value]]) => ({ query: { ...query, [param]: value }, param }));
}

/**
 * A window of the observed traversal: `[created_at_on_or_after, created_at_on_or_before]` bounds
 * taken from existing timestamps, small enough to traverse with tiny pages, and whose full content
 * is known from the observation (it ends before the observed prefix's last timestamp).
 */
export interface Window {
  after: string;
  before: string;
  /** Observed batches inside the window, in order: what the server must return for it. */
  expected: Batch[];
}

export function windowArb(observed: Observed, maxSpan = 12): fc.Arbitrary<Window> | undefined {
  const w = windowSource(observed);
  if (!w) return undefined;
  const anyStart = fc.integer({ min: 0, max: w.usable.length - 1 });
  // Ties on created_at are where keyset pagination goes wrong: start half the windows just before one.
  const start =
    w.ties.length > 0
      ? fc.oneof(
          anyStart,
          fc.tuple(fc.constantFrom(...w.ties), fc.integer({ min: 0, max: 8 })).map(([t, back]) => Math.max(0, t - back)),
        )
      : anyStart;
  return fc.tuple(start, fc.integer({ min: 0, max: maxSpan })).map(([from, span]) => w.window(from, from + span));
}

/**
 * Windows in which a tie on created_at falls inside one page after the first, at `pageSize`: the
 * only place where a server that orders ties differently on later pages can be seen doing it.
 */
export function tieOnLaterPageArb(observed: Observed, pageSize: number): fc.Arbitrary<Window> | undefined {
  const w = windowSource(observed);
  if (!w || w.ties.length === 0) return undefined;
  return fc
    .tuple(fc.constantFrom(...w.ties), fc.integer({ min: pageSize + 1, max: pageSize * 3 }), fc.integer({ min: 0, max: pageSize }))
    .map(([tie, back, extra]) => {
      const from = Math.max(0, tie - back);
      return w.window(from, tie + 1 + extra);
    });
}

function windowSource(observed: Observed) {
  const dated = observed.batches.filter((b) => b.created_at);
  const lastTs = dated[dated.length - 1]?.created_at;
  // The last timestamp of an incomplete prefix may have tied batches beyond it: never end there.
  const usable = observed.complete ? dated : dated.filter((b) => b.created_at !== lastTs);
  if (usable.length < 2) return undefined;
  const ties = usable.flatMap((b, i) => (i > 0 && usable[i - 1]?.created_at === b.created_at ? [i] : []));
  const window = (from: number, to: number): Window => {
    const before = usable[from]?.created_at as string;
    const after = usable[Math.min(to, usable.length - 1)]?.created_at as string;
    const lo = Date.parse(after);
    const hi = Date.parse(before);
    return {
      after,
      before,
      expected: dated.filter((b) => {
        const t = Date.parse(b.created_at as string);
        return t >= lo && t <= hi;
      }),
    };
  };
  return { usable, ties, window };
}
