import { redact, redactHeaders } from "./internal/redact.js";
import type { Batch } from "./types.js";

/** Base of every error this package throws. */
export class BatchesError extends Error {
  override name = "BatchesError";
}

/**
 * An HTTP-level failure: the server answered with a non-2xx status (or an unusable body), or no
 * answer came at all (`status` undefined, see {@link APIConnectionError}).
 *
 * `secrets` are scrubbed from every string the error holds (message, body keys and values at any
 * depth, header names and values, request id), so that a server echoing a credential cannot leak
 * it into logs.
 */
export class BatchesApiError<TStatus extends number | undefined = number | undefined> extends BatchesError {
  override name = "BatchesApiError";
  declare readonly status: TStatus;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  declare readonly body: unknown;
  /** The response's headers (a copy, when there are secrets to scrub). */
  declare readonly headers: Headers | undefined;
  /** The server's request id (`x-request-id`), to quote to support. */
  declare readonly requestId: string | undefined;

  constructor(status: TStatus, body: unknown, message: string | undefined, headers?: Headers | undefined, secrets: readonly string[] = []) {
    const keys = secrets.filter(Boolean);
    const clean = redact(body, keys);
    super(redact(describe(status, clean, message), keys));
    this.status = status;
    this.body = clean;
    this.headers = redactHeaders(headers, keys);
    this.requestId = this.headers?.get("x-request-id") || this.headers?.get("request-id") || undefined;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, status: this.status, requestId: this.requestId, body: this.body };
  }
}

export class BadRequestError extends BatchesApiError<400> {
  override name = "BadRequestError";
}
export class AuthenticationError extends BatchesApiError<401> {
  override name = "AuthenticationError";
}
export class PermissionDeniedError extends BatchesApiError<403> {
  override name = "PermissionDeniedError";
}
export class NotFoundError extends BatchesApiError<404> {
  override name = "NotFoundError";
}
export class ConflictError extends BatchesApiError<409> {
  override name = "ConflictError";
}
export class UnprocessableEntityError extends BatchesApiError<422> {
  override name = "UnprocessableEntityError";
}
export class RateLimitError extends BatchesApiError<429> {
  override name = "RateLimitError";
}
export class InternalServerError extends BatchesApiError<number> {
  override name = "InternalServerError";
}

/** A redirect not followed, with `redirect: "error"`: `location` is where the server pointed. */
export class RedirectError extends BatchesApiError<number> {
  override name = "RedirectError";
  /** The `Location` header (undefined in a browser, which hides it). */
  readonly location = this.headers?.get("location") ?? undefined;
}

/** No HTTP answer: DNS, refused connection, reset, or a `fetch` that threw. */
export class APIConnectionError extends BatchesApiError<undefined> {
  override name = "APIConnectionError";
  constructor(options: { message?: string; cause?: unknown } = {}) {
    super(undefined, undefined, options.message ?? "Connection error.");
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/** The request took longer than its `timeout` (on every attempt). */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = "APIConnectionTimeoutError";
  constructor(options: { message?: string } = {}) {
    super({ message: options.message ?? "Request timed out." });
  }
}

/** The caller's `AbortSignal` fired. */
export class APIUserAbortError extends BatchesApiError<undefined> {
  override name = "APIUserAbortError";
  constructor(options: { message?: string } = {}) {
    super(undefined, undefined, options.message ?? "Request was aborted.");
  }
}

/** The server sent back a page token that was already sent: following it would never end. */
export class PaginationLoopError extends BatchesError {
  override name = "PaginationLoopError";
}

/** `waitFor` ran out of time before the batch reached a status it waits for. */
export class WaitForTimeoutError extends BatchesError {
  override name = "WaitForTimeoutError";
  declare readonly batchId: string;
  /** The batch as the last successful poll saw it (undefined when no poll succeeded). */
  declare readonly lastBatch: Batch | undefined;

  constructor(batchId: string, lastBatch: Batch | undefined, timeout: number) {
    super(`Batch ${batchId} still ${lastBatch?.status ?? "unseen"} after ${timeout} ms`);
    this.batchId = batchId;
    this.lastBatch = lastBatch;
  }
}

/** What `fetch` answers to `redirect: "manual"`: a redirect status, or 0 where it is opaque (browsers). */
const REDIRECTS = [0, 301, 302, 303, 307, 308];

/** A class of {@link BY_STATUS}: its `status` type is the one status it is filed under. */
type ApiErrorClass = new (status: never, ...rest: Tail<ConstructorParameters<typeof BatchesApiError>>) => BatchesApiError<number>;
type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;

/** The statuses with a class of their own; any other ≥ 500 is an `InternalServerError`. */
const BY_STATUS: Record<number, ApiErrorClass | undefined> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/**
 * The one place a status becomes an error class. `secrets` are scrubbed from everything the error
 * holds (see {@link BatchesApiError}); `hint`, when given, follows the server's words in the message.
 */
export function makeApiError(
  status: number,
  body: unknown,
  headers: Headers | undefined,
  secrets: readonly string[] = [],
  hint?: string,
): BatchesApiError<number> {
  const redirect = REDIRECTS.includes(status);
  const Class = redirect ? RedirectError : (BY_STATUS[status] ?? (status >= 500 ? InternalServerError : BatchesApiError));
  const message = redirect
    ? `redirect to ${headers?.get("location") ?? "(hidden)"} not followed`
    : hint && `${describe(undefined, body, undefined)}. ${hint}`;
  return new Class(status as never, body, message, headers, secrets);
}

/** `422 query.page_size: Input should be ≤ 100` rather than `[object Object]`. */
function describe(status: number | undefined, body: unknown, message: string | undefined): string {
  const detail = (body as { detail?: unknown } | null | undefined)?.detail;
  const text =
    message ||
    (typeof detail === "string"
      ? detail
      : Array.isArray(detail) && detail.length > 0
        ? detail
            .map((d: { loc?: unknown; msg?: unknown }) =>
              Array.isArray(d?.loc) ? `${d.loc.join(".")}: ${d.msg}` : `${d?.msg ?? JSON.stringify(d)}`,
            )
            .join("; ")
        : body === undefined || body === null || body === ""
          ? "status code (no body)"
          : typeof body === "string"
            ? body
            : JSON.stringify(body));
  return status === undefined ? text : `${status} ${text}`;
}
