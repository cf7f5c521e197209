import type { Batch } from "@llama-batches/client";
import { errorDetail, type ValidationIssue, validationError } from "@llama-batches/spec";
import { allocate } from "./internal/slab.js";

/** What a route answers: a status, a JSON body (undefined: none), extra headers. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** The body is a page built by `pageReply`: its JSON is assembled from each batch's cached JSON. */
  page?: true;
}

/** A page of the list endpoint. */
export interface PageBody {
  items: Batch[];
  next_page_token?: string;
}

export function pageReply(items: Batch[], nextPageToken: string | undefined): Reply {
  const body: PageBody = nextPageToken ? { items, next_page_token: nextPageToken } : { items };
  return { status: 200, body, page: true };
}

export function invalid(issues: readonly ValidationIssue[]): Reply {
  return { status: 422, body: validationError(issues) };
}

export function detail(status: number, message: string, headers?: Record<string, string>): Reply {
  return headers ? { status, body: errorDetail(message), headers } : { status, body: errorDetail(message) };
}

/**
 * Batches are immutable objects (an update replaces the object), so each one's JSON can be kept,
 * encoded, and reused: a page is then one buffer copied together from cached ones, instead of a
 * JSON.stringify of 20 objects and an encoding of the result.
 */
const encoded = new WeakMap<Batch, Buffer>();
function batchJson(batch: Batch): Buffer {
  let json = encoded.get(batch);
  if (json === undefined) {
    json = Buffer.from(JSON.stringify(batch));
    encoded.set(batch, json);
  }
  return json;
}

const OPEN = Buffer.from('{"items":[');
const CLOSE = Buffer.from("]}");
const COMMA = 44;

/** The reply's body, encoded once. */
const EMPTY = Buffer.alloc(0);

export function encode(reply: Reply): Buffer {
  if (!reply.page) return reply.body === undefined ? EMPTY : Buffer.from(JSON.stringify(reply.body));
  const body = reply.body as PageBody;
  const items = body.items.map(batchJson);
  const token = body.next_page_token === undefined ? "" : `],"next_page_token":${JSON.stringify(body.next_page_token)}}`;
  let length = OPEN.length + Math.max(items.length - 1, 0) + (token ? Buffer.byteLength(token) : CLOSE.length);
  for (const item of items) length += item.length;
  const out = allocate(length);
  let at = OPEN.copy(out, 0);
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out[at++] = COMMA;
    const item = items[i] as Buffer;
    out.set(item, at);
    at += item.length;
  }
  if (token) out.write(token, at);
  else CLOSE.copy(out, at);
  return out;
}
