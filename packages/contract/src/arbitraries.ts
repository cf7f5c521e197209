import { formatInstant, type Instant, type ParameterModel } from "@llama-batches/spec";
import fc from "fast-check";
import type { Observed } from "./observe.js";
import type { OperationModel } from "./operation.js";

export type Query = Record<string, string | number | undefined>;

/** Parameters whose valid values only the server can mint (tokens): never generated freely. */
const MINTED = new Set(["page_token"]);

/** The filters a batch shows and a client can check (`organization_id` is not on a batch). */
export const FILTERS = ["status", "project_id", "source_directory_id"] as const;

/** The bounds a value of the parameter may take, including a maximum the server coerces to. */
function bounds(param: ParameterModel): { min?: number; max?: number } {
  const max = param.maximum ?? (param.extensions["x-coerce-maximum"] as number | undefined);
  return { ...(param.minimum === undefined ? {} : { min: param.minimum }), ...(max === undefined ? {} : { max }) };
}

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
  if (param.type === "integer") {
    const { min, max } = bounds(param);
    return fc.integer({ min: min ?? -1000, max: max ?? 1000 });
  }
  if (param.format === "date-time") return instantArb().chain((at) => withOffset(at));
  if (param.format === "uuid") return fc.uuid();
  return fc.string({ minLength: Math.max(1, param.minLength ?? 0), maxLength: 40 });
}

/** An instant between 2000 and 2100, to the microsecond (as a Python backend writes them). */
export function instantArb(): fc.Arbitrary<Instant> {
  return fc
    .tuple(fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2100, 0, 1) / 1000 }), fc.integer({ min: 0, max: 999_999 }))
    .map(([seconds, micros]) => ({ seconds, fraction: String(micros).padStart(6, "0").replace(/0+$/, "") }));
}

/** The same instant written with an arbitrary UTC offset (whole quarter hours, as real zones use), fraction kept whole. */
export function withOffset(at: Instant): fc.Arbitrary<string> {
  return fc.integer({ min: -12 * 4, max: 14 * 4 }).map((quarters) => formatInstant(at, quarters * 15));
}

/** Any combination of valid parameters (tokens excepted), values drawn from the data and the spec. */
export function validQuery(model: OperationModel, observed: Observed): fc.Arbitrary<Query> {
  const shape: Record<string, fc.Arbitrary<string | number>> = {};
  for (const p of model.parameters) if (!MINTED.has(p.name)) shape[p.name] = validValue(p, observed);
  return fc.record(shape, { requiredKeys: [] }) as fc.Arbitrary<Query>;
}

/**
 * A query that is likely to return data: zero to two filters whose values come from the server's
 * own batches, and a small page size (or none: the default).
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
      fc.option(fc.integer({ min: model.pageSize.minimum, max: Math.min(10, model.pageSize.maximum) }), { nil: undefined, freq: 4 }),
    )
    .map(([parts, page_size]) => Object.assign({ page_size }, ...parts) as Query);
}

/**
 * Any subset of the filters a client can check, each with a value seen in the data, a value that
 * exists nowhere (an enum value no batch has, a random id), or none: the whole space of filter
 * combinations, not one filter at a time. `nowhere` tells which query holds an id seen nowhere,
 * which the spec answers with an empty list (a decided rule: a server may refuse it instead).
 */
export function filterArb(model: OperationModel, observed: Observed): fc.Arbitrary<{ filter: Query; nowhere: boolean }> {
  const statusEnum = model.parameters.find((p) => p.name === "status")?.enum ?? [];
  const pick = <T>(seen: readonly T[], other: fc.Arbitrary<T>) =>
    seen.length ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...seen) }, { weight: 1, arbitrary: other }) : other;
  const nowhereProject = fc.uuid().filter((u) => !observed.projectIds.includes(u));
  const nowhereDirectory = fc.uuid().map((u) => `dir-${u}`);
  return fc
    .record(
      {
        status: fc.option(pick(observed.statuses, fc.constantFrom(...statusEnum)), { nil: undefined, freq: 2 }),
        project_id: fc.option(pick(observed.projectIds, nowhereProject), { nil: undefined, freq: 2 }),
        source_directory_id: fc.option(pick(observed.directoryIds, nowhereDirectory), { nil: undefined, freq: 2 }),
      },
      { requiredKeys: [] },
    )
    .map((f) => {
      const filter: Query = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
      const nowhere =
        (filter.project_id !== undefined && !observed.projectIds.includes(String(filter.project_id))) ||
        (filter.source_directory_id !== undefined && !observed.directoryIds.includes(String(filter.source_directory_id)));
      return { filter, nowhere };
    });
}

/** Which rule an invalid value breaks: the type the public page gives, or a constraint this spec decided. */
export type InvalidRule = "typed-input" | "strict-input";

/** Values that break a parameter's schema, each with the rule it breaks; none for a free-form string. */
export function invalidInputs(param: ParameterModel): { value: string; rule: InvalidRule }[] {
  const typed = (...values: string[]) => values.map((value) => ({ value, rule: "typed-input" as const }));
  const strict = (...values: string[]) => values.map((value) => ({ value, rule: "strict-input" as const }));
  if (param.enum) {
    const first = param.enum[0] ?? "x";
    // The first value in another case: another value for a case-sensitive enum, whichever case it is written in.
    const recased = first.toLowerCase() === first ? first.toUpperCase() : first.toLowerCase();
    return typed("BOGUS", recased, `${first} `, "", "1");
  }
  if (param.type === "integer") {
    const { min } = bounds(param);
    return [...typed("abc", "1.5", "ten", "", "12abc"), ...(min === undefined ? [] : strict(String(min - 1), String(min - 1000)))];
  }
  if (param.format === "date-time") {
    return [
      ...typed("yesterday", "2026-13-01T00:00:00Z", "2026-01-01T25:00:00Z", "2026-02-30T00:00:00Z", "now"),
      ...strict("2026-01-01", "2026-01-01T00:00:00", "2026-06-30T23:59:60Z"),
    ];
  }
  if (param.format === "uuid") {
    return typed("not-a-uuid", "1234", "9b2f1c3e-5a4d-4e8f-9c1b-2d3e4f5a6b7", "zb2f1c3e-5a4d-4e8f-9c1b-2d3e4f5a6b7c");
  }
  return [];
}

/** Every invalid value of a parameter, whichever rule it breaks. */
export function invalidValues(param: ParameterModel): string[] {
  return invalidInputs(param).map((v) => v.value);
}

/** A valid query with one parameter replaced by a value that breaks `rule`. */
export function invalidQuery(
  model: OperationModel,
  observed: Observed,
  rule: InvalidRule = "typed-input",
): fc.Arbitrary<{ query: Query; param: string }> {
  const candidates = model.parameters.flatMap((p) => {
    const values = invalidInputs(p).filter((v) => v.rule === rule);
    return !MINTED.has(p.name) && values.length > 0 ? [{ name: p.name, values: values.map((v) => v.value) }] : [];
  });
  return fc
    .tuple(
      validQuery(model, observed),
      fc.constantFrom(...candidates).chain((p) => fc.tuple(fc.constant(p.name), fc.constantFrom(...p.values))),
    )
    .map(([query, [param, value]]) => ({ query: { ...query, [param]: value }, param }));
}
