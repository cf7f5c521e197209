const INITIAL_DELAY_S = 0.5;
const MAX_DELAY_S = 8;
/** Server-given delays beyond this are ignored in favour of our own backoff, as the official SDKs do. */
const MAX_SERVER_DELAY_MS = 60_000;

/** Whether a failed response is worth another attempt: the official SDKs' rule. */
export function isRetryableResponse(response: Response): boolean {
  const explicit = response.headers.get("x-should-retry");
  if (explicit === "true") return true;
  if (explicit === "false") return false;
  const s = response.status;
  return s === 408 || s === 409 || s === 429 || s >= 500;
}

/**
 * A refusal that says when to come back: 429 or 503 with `retry-after-ms` or `Retry-After`. The
 * server did not act on the request, so even a POST may be repeated.
 */
export function isThrottled(response: Response): boolean {
  const h = response.headers;
  return (
    (response.status === 429 || response.status === 503) &&
    h.get("x-should-retry") !== "false" &&
    (h.has("retry-after") || h.has("retry-after-ms"))
  );
}

/**
 * Error codes (on `fetch`'s `TypeError`, as its `cause`, in Node/undici) that mean no connection was
 * made, so no byte of the request left: DNS failed, the connection was refused, no route, or the
 * connect itself timed out. A reset, a closed socket or a dropped body may come after the server read
 * the request, so they are not here. A browser's `fetch` gives no cause: nothing counts as not sent.
 */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Whether a `fetch` failure certainly happened before the request was sent (see `NOT_SENT`). */
export function notSent(error: unknown): boolean {
  let e = error as { code?: unknown; cause?: unknown; errors?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === "string" && NOT_SENT.has(e.code)) return true;
    // Happy eyeballs: one failed connect per address, all before sending.
    if (Array.isArray(e.errors)) return e.errors.length > 0 && e.errors.every(notSent);
    e = e.cause as typeof e;
  }
  return false;
}

/**
 * Delay before retry number `retryIndex` (0-based): `retry-after-ms`, then `Retry-After` (seconds or
 * HTTP date), else `min(0.5·2^n, 8)` seconds minus up to 25% jitter.
 */
export function retryDelayMs(retryIndex: number, headers?: Headers, random: () => number = Math.random): number {
  const fromServer = serverDelayMs(headers);
  if (fromServer >= 0 && fromServer < MAX_SERVER_DELAY_MS) return fromServer;
  const seconds = Math.min(INITIAL_DELAY_S * 2 ** retryIndex, MAX_DELAY_S);
  return seconds * (1 - random() * 0.25) * 1000;
}

/** The server's delay in ms, NaN when it gave none (a blank or unreadable header is none). */
function serverDelayMs(headers: Headers | undefined): number {
  const ms = headers?.get("retry-after-ms")?.trim();
  if (ms && Number.isFinite(+ms)) return +ms;
  const after = headers?.get("retry-after")?.trim();
  if (!after) return Number.NaN;
  return Number.isFinite(+after) ? +after * 1000 : Date.parse(after) - Date.now();
}
