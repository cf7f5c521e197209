import { redact, redactHeaders } from "./internal/redact.js";

/** Base of every error this package throws. */
export class BatchesError extends Error {
  override name = "BatchesError";
}

const REQUEST_ID_HEADERS = ["x-request-id", "request-id"] as const;

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
  readonly status: TStatus;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  readonly body: unknown;
  /** The response's headers (a copy, when there are secrets to scrub). */
  readonly headers: Headers | undefined;
  /** The server's request id (`x-request-id`), to quote to support. */
  readonly requestId: string | undefined;

  constructor(status: TStatus, body: unknown, message: string | undefined, headers: Headers | undefined, secrets: readonly string[] = []) {
    const keys = secrets.filter(Boolean);
    const clean = redact(body, keys);
    super(redact(describe(status, clean, message), keys));
    this.status = status;
    this.body = clean;
    this.headers = redactHeaders(headers, keys);
    this.requestId = requestIdOf(this.headers);
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
    super(undefined, undefined, options.message ?? "Connection error.", undefined);
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
    super(undefined, undefined, options.message ?? "Request was aborted.", undefined);
  }
}

/** The server sent back a page token that was already sent: following it would never end. */
export class PaginationLoopError extends BatchesError {
  override name = "PaginationLoopError";
}

/** What `fetch` answers to `redirect: "manual"`: a redirect status, or 0 where it is opaque (browsers). */
const REDIRECTS = [0, 301, 302, 303, 307, 308];

/**
 * The one place a status becomes an error class. `secrets` are scrubbed from everything the error
 * holds (see {@link BatchesApiError}).
 */
export function makeApiError(
  status: number,
  body: unknown,
  headers: Headers | undefined,
  secrets: readonly string[] = [],
): BatchesApiError<number> {
  const args = [body, undefined, headers, secrets] as const;
  if (REDIRECTS.includes(status)) {
    return new RedirectError(status, body, `redirect to ${headers?.get("location") ?? "(hidden)"} not followed`, headers, secrets);
  }
  switch (status) {
    case 400:
      return new BadRequestError(status, ...args);
    case 401:
      return new AuthenticationError(status, ...args);
    case 403:
      return new PermissionDeniedError(status, ...args);
    case 404:
      return new NotFoundError(status, ...args);
    case 409:
      return new ConflictError(status, ...args);
    case 422:
      return new UnprocessableEntityError(status, ...args);
    case 429:
      return new RateLimitError(status, ...args);
    default:
      return status >= 500 ? new InternalServerError(status, ...args) : new BatchesApiError(status, ...args);
  }
}

function requestIdOf(headers: Headers | undefined): string | undefined {
  if (!headers) return undefined;
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name);
    if (value) return value;
  }
  return undefined;
}

/** `422 query.page_size: Input should be ≤ 100` rather than `[object Object]`. */
function describe(status: number | undefined, body: unknown, message: string | undefined): string {
  if (message) return status === undefined ? message : `${status} ${message}`;
  const prefix = status === undefined ? "" : `${status} `;
  const detail = (body as { detail?: unknown } | null | undefined)?.detail;
  if (typeof detail === "string") return prefix + detail;
  if (Array.isArray(detail) && detail.length > 0) {
    return (
      prefix +
      detail
        .map((d: { loc?: unknown; msg?: unknown }) =>
          Array.isArray(d?.loc) ? `${d.loc.join(".")}: ${String(d.msg)}` : String(d?.msg ?? JSON.stringify(d)),
        )
        .join("; ")
    );
  }
  if (body === undefined || body === null || body === "") return `${prefix}status code (no body)`.trim();
  return prefix + (typeof body === "string" ? body : JSON.stringify(body));
}
