import { STATUS_CODES } from "node:http";
import { type ErrorDetail, errorDetail, type HTTPValidationError, type ValidationIssue, validationError } from "@llama-batches/spec";

/** One entry of Prism's `sl-violations` header, or of the `validation` list of its problem+json. */
interface PrismViolation {
  location?: unknown;
  code?: unknown;
  message?: unknown;
  severity?: unknown;
}

/** Prism's problem+json (RFC 7807), as it words its own refusals. */
interface PrismProblem {
  type?: unknown;
  title?: unknown;
  detail?: unknown;
  validation?: unknown;
}

/** What the front sends instead of Prism's answer: a status and a body in the API's shape. */
export interface ErrorReply {
  status: number;
  body: HTTPValidationError | ErrorDetail;
}

/** Prism's validation codes (from ajv) as the FastAPI/pydantic error types the real API sends. */
const FASTAPI_TYPES: Record<string, string> = {
  enum: "enum",
  type: "type_error",
  format: "value_error",
  maximum: "less_than_equal",
  minimum: "greater_than_equal",
  minLength: "string_too_short",
  maxLength: "string_too_long",
  required: "missing",
};

/** Prism's (ajv's) words for a missing property, which name it. */
const REQUIRED_PROPERTY = /must have required property '([^']+)'/;

/** Where a request's input lives: a violation located there names the input it is about. */
const INPUTS = new Set(["query", "header", "cookie", "path", "body"]);

/** Prism's router refusals are Starlette's own: said in its words. */
const STARLETTE_WORDS: Record<string, string> = {
  NO_PATH_MATCHED_ERROR: "Not Found",
  NO_METHOD_MATCHED_ERROR: "Method Not Allowed",
};

/**
 * Prism's refusals by problem type, with their status: one of them wrapped in an `UNKNOWN` 500
 * (asked for a status, by `Prefer: code=`, it cannot give in the accepted media type, Prism reports
 * `…#NOT_ACCEPTABLE: … We tried default response, but …` as a 500) is said as itself.
 */
const PRISM_STATUSES: Record<string, number> = {
  UNPROCESSABLE_ENTITY: 422,
  NOT_ACCEPTABLE: 406,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  INVALID_CONTENT_TYPE: 415,
  NO_PATH_MATCHED_ERROR: 404,
  NO_METHOD_MATCHED_ERROR: 405,
};
const WRAPPED = /^https:\/\/stoplight\.io\/prism\/errors#([A-Z_]+): (.*?)(?:\. We tried default response, but we got .*)?$/s;

/** The `detail` Prism gives its generated 401 and 422 explains Prism itself, not the request. */
const ABOUT_PRISM = /Prism is generating this error for you/;

/**
 * Prism's violations as the error they are, or undefined when none is an error about the request
 * (or its answer). Faithful to what Prism found:
 *
 * - violations naming an input (`["request", "query", "page_size"]`, or `["query", …]` in a
 *   problem+json) → FastAPI's 422 body naming each, with Prism's status;
 * - otherwise a violation about the request as a whole (`["request"]`, or no location), e.g. a 415
 *   for a body the operation does not take → `{ detail: <its message> }` with its own HTTP code when
 *   it has one, else Prism's status;
 * - otherwise (a response violation, with `--errors`) → `{ detail: <its message> }`, Prism's status.
 */
export function fromViolations(status: number, violations: unknown): ErrorReply | undefined {
  if (!Array.isArray(violations)) return undefined;
  const errors = (violations as unknown[]).filter(
    (v): v is PrismViolation => typeof v === "object" && v !== null && ((v as PrismViolation).severity ?? "Error") === "Error",
  );
  const issues: ValidationIssue[] = [];
  let aboutRequest: PrismViolation | undefined;
  let aboutResponse: PrismViolation | undefined;
  for (const v of errors) {
    const location = Array.isArray(v.location) ? (v.location as unknown[]) : [];
    if (location[0] === "response") {
      aboutResponse ??= v;
      continue;
    }
    const loc = location[0] === "request" ? location.slice(1) : location;
    if (INPUTS.has(String(loc[0]))) {
      // Prism locates a missing property at its parent (`["request", "body"]`, "…must have required
      // property 'x'"); FastAPI names the property itself (`["body", "x"]`).
      const missing = v.code === "required" ? REQUIRED_PROPERTY.exec(String(v.message ?? ""))?.[1] : undefined;
      issues.push({
        loc: [...loc, ...(missing === undefined ? [] : [missing])].map((part) => (typeof part === "number" ? part : String(part))),
        msg: String(v.message ?? "Invalid input"),
        type: FASTAPI_TYPES[String(v.code)] ?? String(v.code ?? "value_error"),
      });
    } else {
      aboutRequest ??= v;
    }
  }
  if (issues.length > 0) return { status, body: validationError(issues) };
  if (aboutRequest) {
    const own = typeof aboutRequest.code === "number" && aboutRequest.code >= 400 && aboutRequest.code <= 599 ? aboutRequest.code : status;
    return { status: own, body: errorDetail(reasonOf(aboutRequest.message, own)) };
  }
  if (aboutResponse) return { status, body: errorDetail(reasonOf(aboutResponse.message, status)) };
  return undefined;
}

/**
 * An error answer Prism sent (status ≥ 400) as the front must send it: every error the mock sends
 * has a JSON body with a `detail`. Undefined when the answer already is one and may pass as it is.
 *
 * - `violations` (Prism's `sl-violations` header, read only when Prism answered for itself, i.e.
 *   not in proxy mode, where the status and body are the upstream's) → `fromViolations`;
 * - Prism's problem+json → its `validation` by `fromViolations`, its router refusals in Starlette's
 *   words, anything else `{ detail: <Prism's reason> }`, with Prism's status;
 * - an empty body → `{ detail: <the status's reason phrase> }`;
 * - a JSON object with a `detail` passes; any other body is replaced by the reason phrase when
 *   Prism made it up (mock mode), and passes in proxy mode (the upstream's own words).
 */
export function prismErrorReply(
  status: number,
  answer: { contentType?: string | undefined; violations?: string | undefined; body: string },
  proxied: boolean,
): ErrorReply | undefined {
  if (!proxied) {
    const fromHeader = fromViolations(status, parseJson(answer.violations));
    if (fromHeader) return fromHeader;
  }
  const json = parseJson(answer.body);
  if (answer.contentType?.startsWith("application/problem+json") && isObject(json)) {
    const problem = json as PrismProblem;
    const fromProblem = fromViolations(status, problem.validation);
    if (fromProblem) return fromProblem;
    const type = String(problem.type ?? "").split("#")[1] ?? "";
    const wrapped = type === "UNKNOWN" && typeof problem.title === "string" ? WRAPPED.exec(problem.title) : null;
    const inner = wrapped?.[1] === undefined ? undefined : PRISM_STATUSES[wrapped[1]];
    if (wrapped && inner !== undefined)
      return { status: inner, body: errorDetail(STARLETTE_WORDS[wrapped[1] ?? ""] ?? reasonOf(wrapped[2], inner)) };
    const words = STARLETTE_WORDS[type];
    if (words) return { status, body: errorDetail(words) };
    const detail =
      typeof problem.detail === "string" && problem.detail && !ABOUT_PRISM.test(problem.detail) ? problem.detail : problem.title;
    return { status, body: errorDetail(reasonOf(detail, status)) };
  }
  if (answer.body.trim() === "") return { status, body: errorDetail(reasonOf(undefined, status)) };
  if (isObject(json) && "detail" in json) return undefined;
  return proxied ? undefined : { status, body: errorDetail(reasonOf(undefined, status)) };
}

function reasonOf(message: unknown, status: number): string {
  return typeof message === "string" && message.trim() !== "" ? message : (STATUS_CODES[status] ?? "Error");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
