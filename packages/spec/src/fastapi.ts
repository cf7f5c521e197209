/**
 * FastAPI's error bodies, as the LlamaCloud backend (FastAPI + pydantic v2) sends them. Every server
 * of this kit builds its errors here, so that the mock and the reference API say the same thing, in
 * the same words, for the same input.
 */

export type Loc = (string | number)[];

/** One entry of a 422 body: `{ type, loc, msg, input, ctx? }`. */
export interface ValidationIssue {
  type: string;
  loc: Loc;
  msg: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

/** FastAPI's 422 body. */
export interface HTTPValidationError {
  detail: ValidationIssue[];
}

/** FastAPI's plain error body (`HTTPException(detail=…)`). */
export interface ErrorDetail {
  detail: string;
}

export function validationError(issues: readonly ValidationIssue[]): HTTPValidationError {
  return { detail: issues.map((i) => ("input" in i ? { ...i, input: truncateDepth(i.input, INPUT_DEPTH) } : { ...i })) };
}

/**
 * How deep an echoed `input` goes. A 64 KiB body can nest 30,000 levels deep, and echoing that
 * back whole overflows the stack of whoever serialises it (FastAPI itself answers such a body
 * with a 500 from Python's recursion limit). Deeper parts are replaced by this placeholder.
 */
export const INPUT_DEPTH = 32;
export const DEEPER_INPUT = "…";

/** A copy of a JSON value with whatever lies deeper than `depth` levels replaced by `DEEPER_INPUT`. */
export function truncateDepth(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth === 0) return DEEPER_INPUT;
  if (Array.isArray(value)) return value.map((v) => truncateDepth(v, depth - 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, truncateDepth(v, depth - 1)]));
}

export function errorDetail(detail: string): ErrorDetail {
  return { detail };
}

/** pydantic's way of listing choices: `'a', 'b' or 'c'`. */
export function expectedList(values: readonly unknown[]): string {
  const quoted = values.map((v) => `'${String(v)}'`);
  return quoted.length <= 1 ? (quoted[0] ?? "") : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

/** The issues pydantic v2 reports, by error type. */
export const issue = {
  missing: (loc: Loc, input: unknown = null): ValidationIssue => ({ type: "missing", loc, msg: "Field required", input }),
  intParsing: (loc: Loc, input: unknown): ValidationIssue => ({
    type: "int_parsing",
    loc,
    msg: "Input should be a valid integer, unable to parse string as an integer",
    input,
  }),
  intType: (loc: Loc, input: unknown): ValidationIssue => ({ type: "int_type", loc, msg: "Input should be a valid integer", input }),
  floatParsing: (loc: Loc, input: unknown): ValidationIssue => ({
    type: "float_parsing",
    loc,
    msg: "Input should be a valid number, unable to parse string as a number",
    input,
  }),
  boolParsing: (loc: Loc, input: unknown): ValidationIssue => ({
    type: "bool_parsing",
    loc,
    msg: "Input should be a valid boolean, unable to interpret input",
    input,
  }),
  stringType: (loc: Loc, input: unknown): ValidationIssue => ({ type: "string_type", loc, msg: "Input should be a valid string", input }),
  listType: (loc: Loc, input: unknown): ValidationIssue => ({ type: "list_type", loc, msg: "Input should be a valid list", input }),
  dictType: (loc: Loc, input: unknown): ValidationIssue => ({ type: "dict_type", loc, msg: "Input should be a valid dictionary", input }),
  modelType: (loc: Loc, input: unknown): ValidationIssue => ({
    type: "model_attributes_type",
    loc,
    msg: "Input should be a valid dictionary or object to extract fields from",
    input,
  }),
  enum: (loc: Loc, input: unknown, allowed: readonly unknown[]): ValidationIssue => {
    const expected = expectedList(allowed);
    return { type: "enum", loc, msg: `Input should be ${expected}`, input, ctx: { expected } };
  },
  greaterThanEqual: (loc: Loc, input: unknown, ge: number): ValidationIssue => ({
    type: "greater_than_equal",
    loc,
    msg: `Input should be greater than or equal to ${ge}`,
    input,
    ctx: { ge },
  }),
  lessThanEqual: (loc: Loc, input: unknown, le: number): ValidationIssue => ({
    type: "less_than_equal",
    loc,
    msg: `Input should be less than or equal to ${le}`,
    input,
    ctx: { le },
  }),
  stringTooShort: (loc: Loc, input: unknown, minLength: number): ValidationIssue => ({
    type: "string_too_short",
    loc,
    msg: `String should have at least ${minLength} character${minLength === 1 ? "" : "s"}`,
    input,
    ctx: { min_length: minLength },
  }),
  stringTooLong: (loc: Loc, input: unknown, maxLength: number): ValidationIssue => ({
    type: "string_too_long",
    loc,
    msg: `String should have at most ${maxLength} character${maxLength === 1 ? "" : "s"}`,
    input,
    ctx: { max_length: maxLength },
  }),
  tooShort: (loc: Loc, input: unknown, minItems: number, actual: number): ValidationIssue => ({
    type: "too_short",
    loc,
    msg: `List should have at least ${minItems} item${minItems === 1 ? "" : "s"} after validation, not ${actual}`,
    input,
    ctx: { field_type: "List", min_length: minItems, actual_length: actual },
  }),
  uuidParsing: (loc: Loc, input: unknown, error: string): ValidationIssue => ({
    type: "uuid_parsing",
    loc,
    msg: `Input should be a valid UUID, ${error}`,
    input,
    ctx: { error },
  }),
  datetimeParsing: (loc: Loc, input: unknown, error: string): ValidationIssue => ({
    type: "datetime_from_date_parsing",
    loc,
    msg: `Input should be a valid datetime or date, ${error}`,
    input,
    ctx: { error },
  }),
  timezoneAware: (loc: Loc, input: unknown): ValidationIssue => ({
    type: "timezone_aware",
    loc,
    msg: "Input should have timezone info",
    input,
  }),
  urlParsing: (loc: Loc, input: unknown, error: string): ValidationIssue => ({
    type: "url_parsing",
    loc,
    msg: `Input should be a valid URL, ${error}`,
    input,
    ctx: { error },
  }),
  extraForbidden: (loc: Loc, input: unknown): ValidationIssue => ({
    type: "extra_forbidden",
    loc,
    msg: "Extra inputs are not permitted",
    input,
  }),
  jsonInvalid: (position: number, error: string): ValidationIssue => ({
    type: "json_invalid",
    loc: ["body", position],
    msg: "JSON decode error",
    input: {},
    ctx: { error },
  }),
  valueError: (loc: Loc, input: unknown, message: string): ValidationIssue => ({
    type: "value_error",
    loc,
    msg: `Value error, ${message}`,
    input,
    ctx: { error: message },
  }),
};
