import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError } from "../errors.js";
import { isRetryableResponse, retryDelayMs } from "./backoff.js";
import { sleep } from "./sleep.js";

export type FetchLike = (input: Request, init?: RequestInit) => Promise<Response>;

export interface AttemptPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Per attempt, headers and body, in ms. */
  timeout: number;
}

/** Only methods that are safe to repeat are retried. */
const RETRYABLE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const decoder = new TextDecoder();
const ignore = () => undefined;

/** An answer whose body was read within its attempt (`undefined`: no body, or one we will not read). */
type Answer = [response: Response, body: Bytes | undefined];
type Bytes = Uint8Array<ArrayBuffer>;

/**
 * Sends a request with timeouts and retries. It sits under openapi-fetch (as its `fetch`), so raw
 * `client.api` calls get the same behaviour as `client.batches.list`.
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
  const retries = RETRYABLE_METHODS.has(request.method) ? policy.maxRetries : 0;
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw new APIUserAbortError();
    const retry = attempt < retries;
    let answer: Answer;
    try {
      answer = await attemptOnce(fetchImpl, request, policy.timeout, signal, retry);
    } catch (error) {
      if (signal?.aborted) throw new APIUserAbortError();
      if (!retry) throw error instanceof APIConnectionError ? error : new APIConnectionError({ cause: error });
      await sleep(retryDelayMs(attempt), signal);
      continue;
    }
    const [response, body] = answer;
    if (body) {
      if (!sink || !response.ok) return rebuild(response, body);
      sink(decoder.decode(body));
      return response;
    }
    if (!retry || response.ok || !isRetryableResponse(response)) return response;
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
  retry: boolean,
): Promise<Answer> {
  const controller = new AbortController();
  let reader: ReadableStreamDefaultReader<Bytes> | undefined;
  let over = false;
  const read = async (): Promise<Answer> => {
    const response = await fetchImpl(request, { signal: controller.signal });
    const body = response.body;
    if (over) body?.cancel().catch(ignore);
    if (over || !body || (retry && !response.ok && isRetryableResponse(response))) return [response, undefined];
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
  return new Promise<Answer>((resolve, reject) => {
    const end = () => {
      over = true;
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    };
    const fail = (error: Error) => {
      end();
      controller.abort(outer?.reason);
      reader?.cancel(error).catch(ignore);
      reject(error);
    };
    const onAbort = () => fail(new APIUserAbortError());
    const timer = setTimeout(() => fail(new APIConnectionTimeoutError()), timeout);
    outer?.addEventListener("abort", onAbort, { once: true });
    read().then(
      (answer) => {
        end();
        resolve(answer);
      },
      (error: unknown) => {
        end();
        reject(error);
      },
    );
  });
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
