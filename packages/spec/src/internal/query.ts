import type { ValidateFunction } from "ajv/dist/2020.js";
import { issue, type ValidationIssue } from "../fastapi.js";
import { parseDateTime } from "../instant.js";
import type { OperationModel, ParameterModel } from "../operations.js";
import { formatIssue, schemaErrorsToIssues } from "./ajv-issues.js";

export type ParsedQuery<T = Record<string, unknown>> = { ok: true; query: T } | { ok: false; issues: ValidationIssue[] };
export type QueryParser = (params: URLSearchParams) => ParsedQuery;

const INTEGER = /^\s*[+-]?\d+\s*$/;
const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const TRUE = new Set(["1", "on", "t", "true", "y", "yes"]);
const FALSE = new Set(["0", "off", "f", "false", "n", "no"]);

interface Compiled {
  p: ParameterModel;
  /** Converts one raw string to the schema's type, or says why it cannot. */
  convert: (raw: string, loc: (string | number)[]) => { value: unknown } | { issue: ValidationIssue };
  validate: ValidateFunction;
}

/**
 * Compiles an operation's query parameters into one parser, as FastAPI reads a query string: the
 * last value of a repeated scalar parameter wins, an array parameter takes every value, names are
 * case-sensitive (others are unknown and ignored), and every invalid parameter is reported.
 */
export function compileQueryParser(op: OperationModel, schemaAt: (pointer: string) => ValidateFunction): QueryParser {
  const compiled: Compiled[] = op.query.map((p) => {
    const array = p.type === "array";
    const scalar = array ? { ...p.items, name: p.name } : p;
    return { p, convert: converter(scalar as ParameterModel), validate: schemaAt(array ? `${p.schemaPointer}/items` : p.schemaPointer) };
  });
  return (params) => {
    const query: Record<string, unknown> = {};
    const issues: ValidationIssue[] = [];
    for (const { p, convert, validate } of compiled) {
      const all = params.getAll(p.name);
      if (all.length === 0) {
        if (p.required) issues.push(issue.missing(["query", p.name]));
        continue;
      }
      const raws = p.type === "array" ? all : all.slice(-1);
      const values: unknown[] = [];
      for (const [i, raw] of raws.entries()) {
        const loc = p.type === "array" ? ["query", p.name, i] : ["query", p.name];
        const converted = convert(raw, loc);
        if ("issue" in converted) issues.push(converted.issue);
        else if (!validate(converted.value)) issues.push(...schemaErrorsToIssues(validate.errors ?? [], raw, loc).slice(0, 1));
        else values.push(converted.value);
      }
      if (values.length === raws.length) query[p.name] = p.type === "array" ? values : values[0];
    }
    return issues.length > 0 ? { ok: false, issues } : { ok: true, query };
  };
}

function converter(p: ParameterModel): Compiled["convert"] {
  switch (p.type) {
    case "integer":
      return (raw, loc) => (INTEGER.test(raw) ? { value: Number(raw.trim()) } : { issue: issue.intParsing(loc, raw) });
    case "number":
      return (raw, loc) => (NUMBER.test(raw) ? { value: Number(raw.trim()) } : { issue: issue.floatParsing(loc, raw) });
    case "boolean":
      return (raw, loc) => {
        const v = raw.trim().toLowerCase();
        return TRUE.has(v) ? { value: true } : FALSE.has(v) ? { value: false } : { issue: issue.boolParsing(loc, raw) };
      };
    default:
      if (p.format === "date-time") {
        return (raw, loc) => (parseDateTime(raw).ok ? { value: raw } : { issue: formatIssue("date-time", loc, raw) });
      }
      if (p.format === "uuid") {
        // One spelling per UUID, as pydantic's UUID gives: lower case, no `urn:uuid:` prefix.
        return (raw) => ({ value: raw.toLowerCase().replace(/^urn:uuid:/, "") });
      }
      return (raw) => ({ value: raw });
  }
}
