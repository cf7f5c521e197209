import createClient, { type Client } from "openapi-fetch";
import { BatchesApiError, BatchesError, makeApiError } from "./errors.js";
import { readEnv } from "./internal/env.js";
import { type AttemptPolicy, type FetchLike, send } from "./internal/transport.js";
import { BatchesPage, PagePromise, type RequestOptions } from "./pagination.js";
import type { ListBatchesParams, ListBatchesResponse, paths } from "./types.js";

export const DEFAULT_BASE_URL = "https://api.cloud.llamaindex.ai";
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface BatchesClientOptions {
  /**
   * Bearer key; defaults to `LLAMA_CLOUD_API_KEY`. Pass `null` to send no credentials at all
   * (for testing a server's 401).
   */
  apiKey?: string | null | undefined;
  /** The web app's `session` cookie, an alternative to `apiKey`. */
  session?: string | undefined;
  /** Defaults to `LLAMA_CLOUD_BASE_URL`, else the production API. */
  baseUrl?: string | undefined;
  /** Defaults to the global `fetch`, looked up at each request (so test interceptors work). */
  fetch?: FetchLike | undefined;
  /** Retries after the first attempt for GETs on 408, 409, 429, ≥500 and connection errors. */
  maxRetries?: number | undefined;
  /** Per attempt, in ms: from sending the request to the last byte of the body. */
  timeout?: number | undefined;
  /** Sent with every request. */
  headers?: Record<string, string> | undefined;
  /**
   * `"follow"` (default): redirects are followed; `fetch` drops the credentials on a redirect to
   * another origin. `"error"`: a redirect is not followed but thrown as a `RedirectError`.
   */
  redirect?: Redirect | undefined;
}

export type Redirect = "follow" | "error";

/** What `fetch` is told, so that a redirect reaches us as a 3xx to turn into a `RedirectError`. */
const toFetch = (redirect: Redirect) => (redirect === "error" ? "manual" : "follow");

export interface BatchesClient {
  readonly baseUrl: string;
  readonly batches: {
    /**
     * `await` for the first page; `for await` for every batch across pages.
     * @example
     * for await (const batch of client.batches.list({ status: "RUNNING" })) console.log(batch.id);
     */
    list(query?: ListBatchesParams, options?: RequestOptions): PagePromise;
  };
  /** The underlying openapi-fetch client, with the same auth, retries and timeouts. */
  readonly api: Client<paths>;
}

export function createBatchesClient(options: BatchesClientOptions = {}): BatchesClient {
  const apiKey = options.apiKey === undefined ? readEnv("LLAMA_CLOUD_API_KEY") : (options.apiKey ?? undefined);
  const session = options.session || undefined;
  if (!apiKey && !session && options.apiKey !== null) {
    throw new BatchesError("No credentials: pass `apiKey` (or `session`) to createBatchesClient, or set LLAMA_CLOUD_API_KEY.");
  }
  const secrets = [apiKey, session].filter((s): s is string => Boolean(s));
  const baseUrl = (options.baseUrl ?? readEnv("LLAMA_CLOUD_BASE_URL") ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const policy: AttemptPolicy = {
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
  };

  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  if (session) headers.cookie = `session=${session}`;

  const api = createClient<paths>({
    baseUrl,
    headers,
    redirect: toFetch(options.redirect ?? "follow"),
    fetch: (request) => send(fetchImpl, request, policy),
  });

  const fetchPage = async (query: ListBatchesParams, opts: RequestOptions | undefined): Promise<BatchesPage> => {
    // Always a per-request fetch: it hands the caller's signal (or its absence) to the transport
    // directly, and carries per-request timeout and retry overrides.
    const attempt: AttemptPolicy =
      opts?.timeout !== undefined || opts?.maxRetries !== undefined
        ? { maxRetries: opts.maxRetries ?? policy.maxRetries, timeout: opts.timeout ?? policy.timeout }
        : policy;
    const signal = opts?.signal ?? null;
    // The transport reads a 2xx body within the attempt and hands its text over here; openapi-fetch,
    // asked for a stream, leaves the body alone.
    let text: string | undefined;
    const { error, response } = await api.GET("/api/v2/batches", {
      params: { query },
      parseAs: "stream",
      ...(opts?.headers ? { headers: opts.headers } : undefined),
      ...(opts?.redirect ? { redirect: toFetch(opts.redirect) } : undefined),
      fetch: (request: Request) =>
        send(fetchImpl, request, attempt, signal, (t) => {
          text = t;
        }),
    });
    if (!response.ok) throw makeApiError(response.status, error, response.headers, secrets);
    return new BatchesPage(parsePage(text, response, secrets), response, query, opts, fetchPage);
  };

  return {
    baseUrl,
    batches: {
      list: (query = {}, opts) => new PagePromise(fetchPage(query, opts)),
    },
    api,
  };
}

/** A 2xx that is not a page is an error too: never hand the caller something that is not a page. */
function parsePage(text: string | undefined, response: Response, secrets: readonly string[]): ListBatchesResponse {
  let body: unknown;
  try {
    body = JSON.parse(text ?? "");
  } catch {
    throw new BatchesApiError(response.status, text, "response body is not JSON", response.headers, secrets);
  }
  if (typeof body !== "object" || body === null || !Array.isArray((body as { items?: unknown }).items)) {
    throw new BatchesApiError(response.status, body, "response body has no `items` array", response.headers, secrets);
  }
  return body as ListBatchesResponse;
}
