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
 * Delay before retry number `retryIndex` (0-based): `retry-after-ms`, then `Retry-After` (seconds or
 * HTTP date), else `min(0.5·2^n, 8)` seconds minus up to 25% jitter.
 */
export function retryDelayMs(retryIndex: number, headers?: Headers, random: () => number = Math.random): number {
  const fromServer = serverDelayMs(headers);
  if (fromServer !== undefined && fromServer >= 0 && fromServer < MAX_SERVER_DELAY_MS) return fromServer;
  const seconds = Math.min(INITIAL_DELAY_S * 2 ** retryIndex, MAX_DELAY_S);
  return seconds * (1 - random() * 0.25) * 1000;
}

function serverDelayMs(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const n = Number(ms);
    if (Number.isFinite(n)) return n;
  }
  const after = headers.get("retry-after");
  if (after === null || after.trim() === "") return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : date - Date.now();
}
