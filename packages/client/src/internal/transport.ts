import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError } from "../errors.js";
import { isRetryableResponse, isThrottled, notSent, retryDelayMs } from "./backoff.js";
import { race, sleep } from "./sleep.js";

export type FetchLike = (input: Request, init?: RequestInit) => Promise<Response>;

export interface AttemptPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Per attempt, headers and body, in ms. */
  timeout: number;
  /**
   * The caller accepts that a non-idempotent request (a POST) may act twice: it is then retried
   * like a GET. Without it, a POST is retried only where a repeat cannot act twice.
   */
  repeatable?: boolean | undefined;
}

/** Methods that are safe to repeat: retried on every retryable failure. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS"]);
const decoder = new TextDecoder();
const ignore = () => undefined;

/** An answer whose body was read within its attempt (`undefined`: no body, or one we will not read). */
type Answer = [response: Response, body: Bytes | undefined];
type Bytes = Uint8Array<ArrayBuffer>;

/**
 * Sends a request with timeouts and retries. It sits under openapi-fetch (as its `fetch`), so raw
 * `client.api` calls get the same behaviour as `client.batches.*`. GETs are retried on every
 * retryable failure; a POST only on a throttle (429/503 with a delay) or a connection error that
 * happened before the request was sent, unless `policy.repeatable` (see README, Retries).
 *
 * `signal` is the caller's abort signal: `undefined` means "read it off the request" (raw calls);
 * `null` means the caller has none, which spares the per-request cost of materialising and
 * listening to the request's own signal (about 2 µs, measured in `pnpm bench`).
 *
 * The body is read within the attempt, so that the timeout and the signal cover it and a connection
 * dropped mid-body is a connection error like any other (retried for GETs). `sink` takes the text of
 * a 2xx body and the response is handed back as read (the caller asks openapi-fetch for a stream it
 * never reads); otherwise the response is rebuilt from the bytes for openapi-fetch to read.
 */
export async function send(
  fetchImpl: FetchLike,
  request: Request,
  policy: AttemptPolicy,
  callerSignal?: AbortSignal | null,
  sink?: (text: string) => void,
): Promise<Response> {
  const signal = callerSignal === undefined ? request.signal : (callerSignal ?? undefined);
  // A GET, or a call whose caller accepts acting twice, is retried on every retryable failure; any
  // other only where the server refused it with a delay (a throttle) or never got it.
  const safe = policy.repeatable || IDEMPOTENT.has(request.method);
  const retryable = safe ? isRetryableResponse : isThrottled;
  // A body is a stream that the attempt sending it uses up: an attempt that may be followed by
  // another sends a copy, keeping the original for the next.
  const hasBody = request.body !== null;
  // An aborted signal rejects each attempt before it starts (see `race`), and each pause.
  for (let attempt = 0; ; attempt++) {
    const retry = attempt < policy.maxRetries;
    let answer: Answer;
    try {
      answer = await attemptOnce(
        fetchImpl,
        hasBody && retry ? request.clone() : request,
        policy.timeout,
        signal,
        retry ? retryable : undefined,
      );
    } catch (error) {
      if (signal?.aborted) throw new APIUserAbortError();
      if (!retry || !(safe || notSent(error))) throw error instanceof APIConnectionError ? error : new APIConnectionError({ cause: error });
      await sleep(retryDelayMs(attempt), signal);
      continue;
    }
    const [response, body] = answer;
    if (body) {
      if (!sink || !response.ok) return rebuild(response, body);
      sink(decoder.decode(body));
      return response;
    }
    if (!retry || response.ok || !retryable(response)) return response;
    // The body of a response we retry is never read: release the connection. Not awaited: the
    // cancel of a teed body only settles once every branch is cancelled.
    response.body?.cancel().catch(ignore);
    await sleep(retryDelayMs(attempt, response.headers), signal);
  }
}

/**
 * One attempt: headers, then the whole body unless the response is to be retried. Races both
 * against the timeout and the caller's signal, so that even a `fetch` or a body that ignores its
 * signal cannot make us wait past either; a body left behind is cancelled.
 */
function attemptOnce(
  fetchImpl: FetchLike,
  request: Request,
  timeout: number,
  outer: AbortSignal | undefined,
  retryable: ((response: Response) => boolean) | undefined,
): Promise<Answer> {
  const controller = new AbortController();
  let reader: ReadableStreamDefaultReader<Bytes> | undefined;
  const read = async (): Promise<Answer> => {
    const response = await fetchImpl(request, { signal: controller.signal });
    const body = response.body;
    // Aborted: the attempt is over (timed out, or the caller aborted) and no one will read this body.
    const over = controller.signal.aborted;
    if (over) body?.cancel().catch(ignore);
    if (over || !body || (retryable && !response.ok && retryable(response))) return [response, undefined];
    reader = body.getReader();
    const chunks: Bytes[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
    return [response, concat(chunks, size)];
  };
  return race(
    timeout,
    outer,
    () => new APIConnectionTimeoutError(),
    read,
    (error) => {
      controller.abort(outer?.reason);
      reader?.cancel(error).catch(ignore);
    },
  );
}

function concat(chunks: Bytes[], size: number): Bytes {
  const [first] = chunks;
  if (first && chunks.length === 1) return first;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** A response like `response`, with `body` as its body; its `url` and `redirected` are kept too. */
function rebuild(response: Response, body: Bytes): Response {
  const copy = new Response(body, response);
  if (response.url) Object.defineProperties(copy, { url: { value: response.url }, redirected: { value: response.redirected } });
  return copy;
}
