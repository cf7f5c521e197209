import type { ListBatchesParams } from "@llama-batches/client";
import type { OpenApiDocument } from "@llama-batches/contract";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/** One entry of FastAPI's 422 body. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: unknown;
}

interface CompiledParameter {
  name: string;
  required: boolean;
  integer: boolean;
  dateTime: boolean;
  uuid: boolean;
  validate: ValidateFunction;
}

export type QueryValidator = (
  params: URLSearchParams,
) => { ok: true; query: ListBatchesParams } | { ok: false; issues: ValidationIssue[] };

/**
 * Compiles the query parameters of one operation of the spec into a validator, once, at start:
 * the server cannot drift from the spec because its rules are the spec's. Errors come out as
 * FastAPI/pydantic would word them, naming the parameter.
 */
export function compileQueryValidator(spec: OpenApiDocument, path: string, method: string): QueryValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  addFormats.default(ajv);
  ajv.addSchema(spec, "spec");
  const operation = spec.paths[path]?.[method] as { parameters?: { $ref?: string }[] } | undefined;
  if (!operation) throw new Error(`the spec has no ${method.toUpperCase()} ${path}`);

  const compiled: CompiledParameter[] = [];
  (operation.parameters ?? []).forEach((entry, i) => {
    const pointer = entry.$ref ?? `#/paths/${path.replaceAll("~", "~0").replaceAll("/", "~1")}/${method}/parameters/${i}`;
    const parameter = resolve(spec, pointer) as { name: string; in: string; required?: boolean; schema: unknown };
    if (parameter.in !== "query") return;
    const validate = ajv.getSchema(`spec${pointer}/schema`);
    if (!validate) throw new Error(`cannot compile the schema of parameter ${parameter.name}`);
    compiled.push({
      name: parameter.name,
      required: parameter.required === true,
      integer: typeOf(spec, parameter.schema) === "integer",
      dateTime: (parameter.schema as { format?: string } | undefined)?.format === "date-time",
      uuid: (parameter.schema as { format?: string } | undefined)?.format === "uuid",
      validate,
    });
  });

  return (params) => {
    const query: Record<string, unknown> = {};
    const issues: ValidationIssue[] = [];
    for (const p of compiled) {
      // FastAPI keeps the last value of a repeated scalar parameter.
      const all = params.getAll(p.name);
      const raw = all[all.length - 1];
      if (raw === undefined) {
        if (p.required) issues.push({ loc: ["query", p.name], msg: "Field required", type: "missing" });
        continue;
      }
      let value: unknown = raw;
      if (p.integer) {
        if (!/^[+-]?\d+$/.test(raw.trim())) {
          issues.push({
            loc: ["query", p.name],
            msg: "Input should be a valid integer, unable to parse string as an integer",
            type: "int_parsing",
            input: raw,
          });
          continue;
        }
        value = Number(raw.trim());
      }
      if (!p.validate(value)) {
        issues.push({ loc: ["query", p.name], ...describe(p.validate.errors?.[0]), input: raw });
        continue;
      }
      // RFC 3339 allows a leap second (:60) that no Date can hold: refuse it rather than drop the bound.
      if (p.dateTime && Number.isNaN(instant(raw, "floor"))) {
        issues.push({ loc: ["query", p.name], msg: "Input should be a valid datetime, second value is outside expected range of 0-59", type: "datetime_from_date_parsing", input: raw });
        continue;
      }
      // One spelling per UUID, as FastAPI's UUID type gives: the stored ids are canonical.
      query[p.name] = p.uuid ? String(value).toLowerCase().replace(/^urn:uuid:/, "") : value;
    }
    return issues.length > 0 ? { ok: false, issues } : { ok: true, query: query as ListBatchesParams };
  };
}

/**
 * The instant an RFC 3339 date-time names, in ms. `Date.parse` misreads the space separator RFC 3339
 * allows (with a year below 100) and truncates digits below the millisecond: a lower bound must
 * round those up ("ceil") so that it never lets in a batch created before it.
 */
export function instant(text: string, rounding: "floor" | "ceil"): number {
  const normalized = text.replace(/^(\d{4}-\d\d-\d\d)[ t]/, "$1T");
  const ms = Date.parse(normalized);
  if (rounding === "floor" || Number.isNaN(ms)) return ms;
  const fraction = /\.\d{3}(\d+)/.exec(normalized)?.[1];
  return fraction && /[1-9]/.test(fraction) ? ms + 1 : ms;
}

function describe(error: ErrorObject | undefined): { msg: string; type: string } {
  const params = (error?.params ?? {}) as Record<string, unknown>;
  switch (error?.keyword) {
    case "enum":
      return {
        msg: `Input should be ${(params.allowedValues as unknown[]).map((v) => `'${String(v)}'`).join(", ")}`,
        type: "enum",
      };
    case "maximum":
      return { msg: `Input should be less than or equal to ${params.limit}`, type: "less_than_equal" };
    case "minimum":
      return { msg: `Input should be greater than or equal to ${params.limit}`, type: "greater_than_equal" };
    case "minLength":
      return { msg: `String should have at least ${params.limit} character${params.limit === 1 ? "" : "s"}`, type: "string_too_short" };
    case "format":
      return params.format === "uuid"
        ? { msg: "Input should be a valid UUID", type: "uuid_parsing" }
        : { msg: "Input should be a valid datetime, with a timezone offset", type: "datetime_from_date_parsing" };
    default:
      return { msg: error?.message ?? "Invalid input", type: "value_error" };
  }
}

function resolve(spec: unknown, pointer: string): unknown {
  return pointer
    .replace(/^#\//, "")
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], spec);
}

function typeOf(spec: unknown, schema: unknown): unknown {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  return ref ? typeOf(spec, resolve(spec, ref)) : (schema as { type?: unknown } | undefined)?.type;
}
