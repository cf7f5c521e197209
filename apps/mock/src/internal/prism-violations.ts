import { type ValidationIssue, validationError } from "@llama-batches/spec";

/** One entry of Prism's `sl-violations` header, or of the `validation` list of its problem+json. */
interface PrismViolation {
  location?: unknown[];
  code?: unknown;
  message?: unknown;
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

/**
 * Prism's request violations as the FastAPI body the spec declares, when they name an input
 * (query, header, cookie, path, body); undefined when there is nothing to rewrite. Used where Prism
 * judges a request itself: in proxy mode, and for anything the front does not check.
 */
export function fastApiBody(violations: unknown): string | undefined {
  if (!Array.isArray(violations)) return undefined;
  const detail: ValidationIssue[] = (violations as PrismViolation[])
    .map((v) => ({ ...v, location: Array.isArray(v.location) && v.location[0] === "request" ? v.location.slice(1) : v.location }))
    .filter((v) => Array.isArray(v.location) && ["query", "header", "cookie", "path", "body"].includes(String(v.location[0])))
    .map((v) => ({
      loc: v.location as (string | number)[],
      msg: String(v.message ?? "Invalid input"),
      type: FASTAPI_TYPES[String(v.code)] ?? String(v.code ?? "value_error"),
    }));
  return detail.length > 0 ? JSON.stringify(validationError(detail)) : undefined;
}
