import createClient, { type Client } from "openapi-fetch";
import { BatchesError, makeApiError } from "./errors.js";
import { DEFAULT_REGION, REGIONS } from "./generated/constants.js";
import { readEnv } from "./internal/env.js";
import { parseBatch, parsePage } from "./internal/parse.js";
import { type AttemptPolicy, type FetchLike, send } from "./internal/transport.js";
import { BatchesPage, PagePromise, type RequestOptions } from "./pagination.js";
import { type Region, regionHint, resolveBaseUrl } from "./regions.js";
import { type SyncEvent, type SyncParams, sync } from "./sync.js";
import type {
  Batch,
  BatchCancelParams,
  BatchCreateParams,
  BatchRetrieveParams,
  BatchScopeParams,
  ListBatchesParams,
  paths,
} from "./types.js";
import { type WaitForOptions, waitFor } from "./wait.js";

/** The default region's URL, from the spec. */
export const DEFAULT_BASE_URL: string = REGIONS[DEFAULT_REGION];
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
  /** Defaults to `LLAMA_CLOUD_BASE_URL`, else the region's URL (see `region`). Not with `region`. */
  baseUrl?: string | undefined;
  /**
   * The region whose API to call (keys are region-bound); defaults to `LLAMA_CLOUD_REGION`, else the
   * spec's default. An alternative to `baseUrl`; precedence: `baseUrl`, `region`,
   * `LLAMA_CLOUD_BASE_URL`, `LLAMA_CLOUD_REGION`.
   */
  region?: Region | undefined;
  /** Defaults to the global `fetch`, looked up at each request (so test interceptors work). */
  fetch?: FetchLike | undefined;
  /**
   * Retries after the first attempt: for GETs on 408, 409, 429, ≥500 and connection errors; for
   * POSTs only where a repeat cannot act twice (see README, Retries).
   */
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
    /**
     * Creates a batch (`PENDING`). The body's fields and the scope (`organization_id`, `project_id`,
     * sent as query parameters) in one object, as the official SDK takes them. Not idempotent: see
     * README, Retries.
     */
    create(params: BatchCreateParams, options?: RequestOptions): Promise<Batch>;
    /** One batch; `expand: ["results"]` fills in `results` (sent as repeated `expand=`). */
    retrieve(id: string, params?: BatchRetrieveParams, options?: RequestOptions): Promise<Batch>;
    /** Asks a batch to stop: answers with the batch as it is; it reaches `CANCELLED` later. */
    cancel(id: string, params?: BatchCancelParams, options?: RequestOptions): Promise<Batch>;
    /** Polls until a final status (or one of `until`); see README, Waiting. */
    waitFor(id: string, options?: WaitForOptions): Promise<Batch>;
    /** Incremental reads for pipelines: batches and checkpoints; see README, Sync. */
    sync(params: SyncParams, options?: RequestOptions): AsyncGenerator<SyncEvent, void, undefined>;
  };
  /** The underlying openapi-fetch client, with the same auth, retries and timeouts. */
  readonly api: Client<paths>;
}

/** What each call hands openapi-fetch: read the body within the attempt, through our transport. */
interface CallInit {
  parseAs: "stream";
  fetch: (request: Request) => Promise<Response>;
  headers?: Record<string, string>;
  redirect?: RequestRedirect;
}

/** One openapi-fetch call, handed the per-call init. */
type Run = (init: CallInit) => Promise<{ error?: unknown; response: Response }>;

export function createBatchesClient(options: BatchesClientOptions = {}): BatchesClient {
  const apiKey = options.apiKey === undefined ? readEnv("LLAMA_CLOUD_API_KEY") : (options.apiKey ?? undefined);
  const session = options.session || undefined;
  if (!apiKey && !session && options.apiKey !== null) {
    throw new BatchesError("No credentials: pass `apiKey` (or `session`) to createBatchesClient, or set LLAMA_CLOUD_API_KEY.");
  }
  const secrets = [apiKey, session].filter((s): s is string => Boolean(s));
  const baseUrl = resolveBaseUrl(options.baseUrl, options.region);
  const hint = regionHint(baseUrl);
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

  /**
   * One request. Always a per-request fetch: it hands the caller's signal (or its absence) to the
   * transport directly and carries per-request overrides. The transport reads a 2xx body within the
   * attempt and hands its text over here; openapi-fetch, asked for a stream, leaves the body alone.
   */
  const call = async <T>(
    run: Run,
    opts: RequestOptions | undefined,
    parse: (text: string | undefined, response: Response, secrets: readonly string[]) => T,
  ): Promise<T> => {
    let text: string | undefined;
    const attempt: AttemptPolicy = {
      maxRetries: opts?.maxRetries ?? policy.maxRetries,
      timeout: opts?.timeout ?? policy.timeout,
      // A per-call `maxRetries` is the caller's consent that a POST may act twice (see README, Retries).
      repeatable: opts?.maxRetries !== undefined,
    };
    const signal = opts?.signal ?? null;
    const { error, response } = await run({
      parseAs: "stream",
      ...(opts?.headers && { headers: opts.headers }),
      ...(opts?.redirect && { redirect: toFetch(opts.redirect) }),
      fetch: (request: Request) =>
        send(fetchImpl, request, attempt, signal, (t) => {
          text = t;
        }),
    });
    const { status, headers } = response;
    if (!response.ok) throw makeApiError(status, error, headers, secrets, status === 401 ? hint : undefined);
    return parse(text, response, secrets);
  };

  const fetchPage = (query: ListBatchesParams, opts: RequestOptions | undefined): Promise<BatchesPage> =>
    call(
      (init) => api.GET("/api/v2/batches", { params: { query }, ...init }),
      opts,
      (text, response) => new BatchesPage(parsePage(text, response, secrets), response, query, opts, fetchPage),
    );

  const one = (run: Run, opts: RequestOptions | undefined) => call(run, opts, parseBatch);

  const retrieve = (batch_id: string, query: BatchRetrieveParams = {}, opts?: RequestOptions) =>
    one((init) => api.GET("/api/v2/batches/{batch_id}", { params: { path: { batch_id }, query }, ...init }), opts);

  const list = (query: ListBatchesParams = {}, opts?: RequestOptions) => new PagePromise(fetchPage(query, opts));

  return {
    baseUrl,
    batches: {
      list,
      create: ({ organization_id, project_id, ...body }, opts) =>
        // openapi-fetch leaves undefined query values out.
        one(
          (init) => api.POST("/api/v2/batches", { params: { query: { organization_id, project_id } as BatchScopeParams }, body, ...init }),
          opts,
        ),
      retrieve,
      cancel: (batch_id, query = {}, opts) =>
        one((init) => api.POST("/api/v2/batches/{batch_id}/cancel", { params: { path: { batch_id }, query }, ...init }), opts),
      waitFor: (id, opts) => waitFor(retrieve, id, opts),
      sync: (params, opts) => sync(list, params, opts),
    },
    api,
  };
}
