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
  WaitForTimeoutError,
} from "./errors.js";
export { DEFAULT_REGION, FINAL_STATUSES, REGIONS } from "./generated/constants.js";
export { isRetryableResponse, isThrottled, retryDelayMs } from "./internal/backoff.js";
export { compareBatches, compareDateTimes } from "./order.js";
export { BatchesPage, PagePromise, type RequestOptions } from "./pagination.js";
export type { Region } from "./regions.js";
export type { SyncCheckpoint, SyncEvent, SyncParams } from "./sync.js";
export type {
  Batch,
  BatchCancelParams,
  BatchCreateParams,
  BatchCreateRequest,
  BatchExpand,
  BatchJobType,
  BatchRetrieveParams,
  BatchScopeParams,
  BatchStatus,
  BatchWebhookEvent,
  BatchWebhookEventType,
  components,
  ListBatchesParams,
  ListBatchesResponse,
  operations,
  paths,
  WebhookConfiguration,
  WebhookEventType,
  WebhookOutputFormat,
} from "./types.js";
export type { WaitForOptions } from "./wait.js";
