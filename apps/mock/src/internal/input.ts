import type { Spec, ValidationIssue } from "@llama-batches/spec";

/**
 * An operation's query and body as FastAPI judges them, with the spec package's rules: every issue
 * of both in one list (query first), except that a body that does not decode as JSON is the only
 * issue (FastAPI decodes the body before it validates anything). The mock's front and its MSW
 * handlers both answer by it. `body` is the value read, when the operation takes one and it is valid.
 */
export function judgeInput(
  spec: Spec,
  operationId: string,
  params: URLSearchParams,
  text: string | undefined,
  contentType: string | undefined,
): { issues: ValidationIssue[]; body?: unknown } {
  const query = spec.parseQuery(operationId, params);
  const parsed = spec.operation(operationId).requestBody ? spec.parseBody(operationId, text, contentType) : undefined;
  const bodyIssues = parsed && !parsed.ok ? parsed.issues : [];
  if (bodyIssues.some((i) => i.type === "json_invalid")) return { issues: bodyIssues };
  const issues = [...(query.ok ? [] : query.issues), ...bodyIssues];
  return parsed?.ok ? { issues, body: parsed.body } : { issues };
}
