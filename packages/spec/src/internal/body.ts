import { issue, type ValidationIssue } from "../fastapi.js";

export type ParsedBody<T = unknown> = { ok: true; body: T | undefined } | { ok: false; issues: ValidationIssue[] };

/** Whether FastAPI reads a body of this content type as JSON: none given, `application/json`, or `application/*+json`. */
export function readsAsJson(contentType: string | undefined): boolean {
  if (!contentType?.trim()) return true;
  const [type = ""] = contentType.split(";");
  const [main, sub = ""] = type.trim().toLowerCase().split("/");
  return main === "application" && (sub === "json" || sub.endsWith("+json"));
}

/**
 * A request body as FastAPI decodes it before pydantic sees it: no bytes is no body; a JSON content
 * type (or none) is parsed, and a decode error is a `json_invalid` issue at `["body", position]` in
 * Python's words; any other content type leaves the text as it is, for the model to refuse.
 */
export function decodeBody(text: string | undefined, contentType: string | undefined): { value: unknown } | { issue: ValidationIssue } {
  if (text === undefined || text.length === 0) return { value: undefined };
  if (!readsAsJson(contentType)) return { value: text };
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { issue: jsonIssue(text, (error as Error).message) };
  }
}

/** V8's JSON errors, worded as Python's `json` module words them (positions are V8's). */
function jsonIssue(text: string, message: string): ValidationIssue {
  if (/Unexpected end of JSON input/.test(message) || text.trim() === "") return issue.jsonInvalid(text.length, "Expecting value");
  const position = Number(/position (\d+)/.exec(message)?.[1] ?? 0);
  const words: [RegExp, string][] = [
    [/Expected ':'/, "Expecting ':' delimiter"],
    [/Expected ',' or/, "Expecting ',' delimiter"],
    [/property name/, "Expecting property name enclosed in double quotes"],
    [/non-whitespace character after JSON/, "Extra data"],
    [/Unterminated string|Bad control character|Bad escaped/, "Unterminated string starting at"],
  ];
  return issue.jsonInvalid(position, words.find(([pattern]) => pattern.test(message))?.[1] ?? "Expecting value");
}
