import type { ListBatchesParams } from "@llama-batches/client";
import type { ParsedQuery } from "@llama-batches/spec";
import { atOf } from "./instants.js";
import type { Scope } from "./model.js";
import { invalid, pageReply, type Reply } from "./reply.js";
import type { BatchQueries, Cursor } from "./store.js";
import { PageTokens, type TokenCodec } from "./tokens.js";

/** One list request, once its credentials are known. */
export interface ListRequest {
  scope: Scope;
  params: URLSearchParams;
}

export type ListHandler = (request: ListRequest) => Reply;
export type QueryParser = (params: URLSearchParams) => ParsedQuery<ListBatchesParams>;

/** The seams of the list endpoint: each can be wrapped from outside (see `faults/`). */
export interface ListParts {
  parseQuery: QueryParser;
  store: BatchQueries;
  tokens: TokenCodec;
  defaultPageSize: number;
  maxPageSize: number;
}

/** `GET /api/v2/batches` for an authenticated caller: validation, scope, keyset page, token. */
export function createList({ parseQuery, store, tokens, defaultPageSize, maxPageSize }: ListParts): ListHandler {
  return ({ scope, params }) => {
    const checked = parseQuery(params);
    if (!checked.ok) return invalid(checked.issues);
    const q = checked.query;
    const after = q.created_at_on_or_after === undefined ? undefined : atOf(q.created_at_on_or_after, "ceil");
    const before = q.created_at_on_or_before === undefined ? undefined : atOf(q.created_at_on_or_before, "floor");
    const binding = PageTokens.bind([
      scope.organization_id,
      scope.project_id,
      q.organization_id ?? null,
      q.project_id ?? null,
      q.source_directory_id ?? null,
      q.status ?? null,
      after ? after.s : null,
      after ? after.us : null,
      before ? before.s : null,
      before ? before.us : null,
    ]);
    let cursor: Cursor | undefined;
    if (q.page_token !== undefined) {
      const read = tokens.read(q.page_token, binding);
      if ("error" in read) {
        return invalid([
          {
            type: "value_error",
            loc: ["query", "page_token"],
            msg: `Value error, invalid page token (${read.error})`,
            input: q.page_token,
            ctx: { error: read.error },
          },
        ]);
      }
      cursor = read.cursor;
    }
    const target = visible(store, scope, q);
    if (!target) return pageReply([], undefined);
    // Named fields, not `...target`: a spread here made this handler four times slower (V8 clones
    // the object into a slow shape that every row of the scan then reads).
    const result = store.query({
      organization_id: target.organization_id,
      project_id: target.project_id,
      source_directory_id: q.source_directory_id,
      status: q.status,
      createdOnOrAfter: after,
      createdOnOrBefore: before,
      after: cursor,
      // Above the maximum, the maximum (decided, as the platform's sibling list endpoints do).
      limit: Math.min(q.page_size ?? defaultPageSize, maxPageSize),
    });
    return pageReply(result.items, result.next && tokens.issue(result.next, binding));
  };
}

/** Which organization and project a query may see, or undefined when it may see nothing. */
function visible(store: BatchQueries, scope: Scope, q: ListBatchesParams): { organization_id: string; project_id?: string } | undefined {
  if (q.organization_id !== undefined && q.organization_id !== scope.organization_id) return undefined;
  if (scope.project_id !== null) {
    if (q.project_id !== undefined && q.project_id !== scope.project_id) return undefined;
    return { organization_id: scope.organization_id, project_id: scope.project_id };
  }
  if (q.project_id === undefined) return { organization_id: scope.organization_id };
  return store.organizationOf(q.project_id) === scope.organization_id
    ? { organization_id: scope.organization_id, project_id: q.project_id }
    : undefined;
}
