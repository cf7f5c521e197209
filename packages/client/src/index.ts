export {
  type BatchesClient,
  type BatchesClientOptions,
  createBatchesClient,
  DEFAULT_BASE_URL,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  type Redirect,
} from "./client.js";
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  BatchesApiError,
  BatchesError,
  ConflictError,
  InternalServerError,
  makeApiError,
  NotFoundError,
  PaginationLoopError,
  PermissionDeniedError,
  RateLimitError,
  RedirectError,
  UnprocessableEntityError,
} from "./errors.js";
export { isRetryableResponse, retryDelayMs } from "./internal/backoff.js";
export { compareBatches } from "./order.js";
export { BatchesPage, PagePromise, type RequestOptions } from "./pagination.js";
export type {
  Batch,
  BatchJobType,
  BatchStatus,
  components,
  ListBatchesParams,
  ListBatchesResponse,
  operations,
  paths,
} from "./types.js";
