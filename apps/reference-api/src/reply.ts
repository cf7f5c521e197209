import type { Batch } from "@llama-batches/client";
import { errorDetail, type ValidationIssue, validationError } from "@llama-batches/spec";

/** What a route answers: a status, a JSON body, extra headers. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A page of the list endpoint. */
export interface PageBody {
  items: Batch[];
  next_page_token?: string;
}

/** Pages built here, whose JSON can be assembled from each batch's cached JSON. */
const pages = new WeakSet<object>();

export function pageReply(items: Batch[], nextPageToken: string | undefined): Reply {
  const body: PageBody = nextPageToken ? { items, next_page_token: nextPageToken } : { items };
  pages.add(body);
  return { status: 200, body };
}

export function invalid(issues: readonly ValidationIssue[]): Reply {
  return { status: 422, body: validationError(issues) };
}

export function detail(status: number, message: string, headers?: Record<string, string>): Reply {
  return headers ? { status, body: errorDetail(message), headers } : { status, body: errorDetail(message) };
}

/**
 * Batches are immutable objects (an update replaces the object), so each one's JSON can be kept
 * and reused: a page is then a join of cached strings instead of a JSON.stringify of 20 objects.
 */
const serialized = new WeakMap<Batch, string>();
function batchJson(batch: Batch): string {
  let json = serialized.get(batch);
  if (json === undefined) {
    json = JSON.stringify(batch);
    serialized.set(batch, json);
  }
  return json;
}

/** The reply's body as JSON text. */
export function serialize(reply: Reply): string {
  const body = reply.body as PageBody;
  if (!pages.has(body)) return JSON.stringify(body);
  const token = body.next_page_token ? `,"next_page_token":${JSON.stringify(body.next_page_token)}` : "";
  return `{"items":[${body.items.map(batchJson).join(",")}]${token}}`;
}
