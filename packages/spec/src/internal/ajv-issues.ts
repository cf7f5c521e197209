import type { ErrorObject } from "ajv/dist/2020.js";
import { issue, type Loc, type ValidationIssue } from "../fastapi.js";
import { parseDateTime } from "../instant.js";
import { pointerGet } from "./pointer.js";

/** A JSON Schema error as one line a person can read: `/items/0/status must be equal to one of … (A, B)`. */
export function describeSchemaError(e: ErrorObject): string {
  const allowed = e.params && "allowedValues" in e.params ? ` (${(e.params.allowedValues as unknown[]).join(", ")})` : "";
  return `${e.instancePath || "/"} ${e.message ?? e.keyword}${allowed}`;
}

/**
 * JSON Schema errors as the issues pydantic would report for the same input, under `loc` (e.g.
 * `["body"]`). Errors of a `oneOf`/`anyOf` branch that did not apply (the `null` of a nullable
 * object) are dropped when a more precise error exists.
 */
export function schemaErrorsToIssues(errors: readonly ErrorObject[], root: unknown, loc: Loc): ValidationIssue[] {
  const precise = errors.filter(
    (e) => !["oneOf", "anyOf", "if", "not"].includes(e.keyword) && !(e.keyword === "type" && e.params.type === "null"),
  );
  const chosen = precise.length > 0 ? precise : errors.slice(0, 1);
  const out: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const e of chosen) {
    const at = [...loc, ...pathOf(e.instancePath, root)];
    const input = e.instancePath ? pointerGet(root, `#${e.instancePath}`) : root;
    const one = toIssue(e, at, input);
    const key = `${one.type}|${JSON.stringify(one.loc)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(one);
  }
  return out;
}

function toIssue(e: ErrorObject, loc: Loc, input: unknown): ValidationIssue {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return issue.missing([...loc, String(p.missingProperty)], input);
    case "additionalProperties":
      return issue.extraForbidden(
        [...loc, String(p.additionalProperty)],
        (input as Record<string, unknown>)?.[String(p.additionalProperty)],
      );
    case "type": {
      const type = String(p.type).split(",")[0];
      if (type === "string") return issue.stringType(loc, input);
      if (type === "integer") return issue.intType(loc, input);
      if (type === "number") return { type: "float_type", loc, msg: "Input should be a valid number", input };
      if (type === "boolean") return { type: "bool_type", loc, msg: "Input should be a valid boolean", input };
      if (type === "array") return issue.listType(loc, input);
      if (type === "object") return issue.modelType(loc, input);
      return issue.valueError(loc, input, e.message ?? "wrong type");
    }
    case "enum":
      return issue.enum(loc, input, p.allowedValues as unknown[]);
    case "minimum":
      return issue.greaterThanEqual(loc, input, p.limit as number);
    case "maximum":
      return issue.lessThanEqual(loc, input, p.limit as number);
    case "minLength":
      return issue.stringTooShort(loc, input, p.limit as number);
    case "maxLength":
      return issue.stringTooLong(loc, input, p.limit as number);
    case "minItems":
      return issue.tooShort(loc, input, p.limit as number, Array.isArray(input) ? input.length : 0);
    case "format":
      return formatIssue(String(p.format), loc, input);
    default:
      return issue.valueError(loc, input, e.message ?? e.keyword);
  }
}

export function formatIssue(format: string, loc: Loc, input: unknown): ValidationIssue {
  const text = String(input);
  if (format === "uuid") return issue.uuidParsing(loc, input, uuidError(text));
  if (format === "date-time") {
    const parsed = parseDateTime(text);
    if (!parsed.ok && parsed.naive) return issue.timezoneAware(loc, input);
    return issue.datetimeParsing(loc, input, parsed.ok ? "second value is outside expected range of 0-59" : parsed.error);
  }
  if (format === "uri")
    return issue.urlParsing(loc, input, /^[a-z][a-z0-9+.-]*:/i.test(text) ? "invalid URL" : "relative URL without a base");
  return issue.valueError(loc, input, `not a valid ${format}`);
}

/** Why a string is not a UUID, in the words of the `uuid` crate pydantic uses. */
export function uuidError(text: string): string {
  const body = text.toLowerCase().startsWith("urn:uuid:") ? text.slice(9) : text;
  const offset = text.length - body.length;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (!/[0-9a-fA-F-]/.test(c)) {
      return `invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${c}\` at ${offset + i + 1}`;
    }
  }
  const groups = body.split("-");
  if (groups.length === 1) return `invalid length: expected length 32 for simple format, found ${body.length}`;
  if (groups.length !== 5) return `invalid group count: expected 5, found ${groups.length}`;
  const expected = [8, 4, 4, 4, 12];
  for (let g = 0; g < 5; g++) {
    const length = (groups[g] as string).length;
    if (length !== expected[g]) return `invalid group length in group ${g}: expected ${expected[g]}, found ${length}`;
  }
  return "invalid UUID";
}

/** `/config/job/type` → `["config", "job", "type"]`, array indices as numbers. */
function pathOf(instancePath: string, root: unknown): Loc {
  const out: Loc = [];
  let node = root;
  for (const raw of instancePath.split("/").slice(1)) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    out.push(Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key);
    node = (node as Record<string, unknown> | undefined)?.[key];
  }
  return out;
}
