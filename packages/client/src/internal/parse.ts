import { BatchesApiError } from "../errors.js";
import type { Batch, ListBatchesResponse } from "../types.js";
import { isObject, parseJson } from "./json.js";

type Shape = Record<string, unknown>;

/**
 * A 2xx body of the expected shape, or a `BatchesApiError`: never hand the caller something that is
 * not what the call promises. Only what callers rely on is checked, not the whole schema.
 */
function parse<T>(text: string | undefined, response: Response, secrets: readonly string[], ok: (body: Shape) => boolean, what: string): T {
  const body = parseJson(text ?? "");
  if (body === undefined) throw new BatchesApiError(response.status, text, "response body is not JSON", response.headers, secrets);
  if (!isObject(body) || !ok(body)) throw new BatchesApiError(response.status, body, what, response.headers, secrets);
  return body as T;
}

export const parsePage = (text: string | undefined, response: Response, secrets: readonly string[]): ListBatchesResponse =>
  parse(text, response, secrets, (b) => Array.isArray(b.items), "response body has no `items` array");

export const parseBatch = (text: string | undefined, response: Response, secrets: readonly string[]): Batch =>
  parse(text, response, secrets, (b) => typeof b.id === "string" && typeof b.status === "string", "response body is not a batch");
