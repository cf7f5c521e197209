import { retryDelayMs } from "@llama-batches/client";

export const LIST_PATH = "/api/v2/batches";

/** How a request authenticates: the target's key, nothing, or exactly these headers. */
export type Auth = "key" | "none" | { authorization?: string; cookie?: string };

export interface Exchange {
  url: string;
  query: Readonly<Record<string, string>>;
  auth: string;
  status: number;
  contentType: string | null;
  /** The server's `Date` header: its clock, read to pin comparisons before the run. */
  date: string | null;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: unknown;
  text: string;
}

export interface TargetOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  /** Most requests the whole run may send (429 retries included). */
  budget?: number | undefined;
  /** Requests in flight at once: gentle by default. */
  concurrency?: number | undefined;
  timeoutMs?: number | undefined;
  fetch?: typeof fetch | undefined;
}

export class BudgetExhausted extends Error {
  override name = "BudgetExhausted";
}

export class Unreachable extends Error {
  override name = "Unreachable";
}

const MAX_RATE_LIMIT_RETRIES = 5;

/**
 * A server under test: base URL, credentials, a request budget and a concurrency limit. Sends only
 * GETs, so it is safe against a production account. 429s are retried with the client's own
 * backoff; nothing else is retried, so a 5xx is seen as it is.
 */
export class Target {
  readonly baseUrl: string;
  readonly hasKey: boolean;
  readonly budget: number;
  requests = 0;
  readonly #apiKey: string | undefined;
  readonly #concurrency: number;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(options: TargetOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#apiKey = options.apiKey;
    this.hasKey = Boolean(options.apiKey);
    this.budget = options.budget ?? Number.POSITIVE_INFINITY;
    this.#concurrency = options.concurrency ?? 4;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  async get(query: Readonly<Record<string, string | number | undefined>>, auth: Auth = "key"): Promise<Exchange> {
    const params = new URLSearchParams();
    const sent: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      params.append(k, String(v));
      sent[k] = String(v);
    }
    const search = params.toString();
    const url = `${this.baseUrl}${LIST_PATH}${search ? `?${search}` : ""}`;
    const headers: Record<string, string> = { accept: "application/json" };
    if (auth === "key" && this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    if (typeof auth === "object") Object.assign(headers, auth);
    for (let attempt = 0; ; attempt++) {
      const response = await this.#send(url, headers);
      if (response.status === 429 && attempt < MAX_RATE_LIMIT_RETRIES) {
        await response.body?.cancel().catch(() => undefined);
        await new Promise((r) => setTimeout(r, retryDelayMs(attempt, response.headers)));
        continue;
      }
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return {
        url,
        query: sent,
        auth: describeAuth(auth),
        status: response.status,
        contentType: response.headers.get("content-type"),
        date: response.headers.get("date"),
        body,
        text,
      };
    }
  }

  async #send(url: string, headers: Record<string, string>): Promise<Response> {
    if (this.requests >= this.budget) throw new BudgetExhausted(`request budget of ${this.budget} used up`);
    this.requests += 1;
    await this.#acquire();
    try {
      return await this.#fetch(url, { headers, signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (error) {
      throw new Unreachable(`GET ${url} failed: ${(error as Error).message}${causeOf(error)}`);
    } finally {
      this.#release();
    }
  }

  /** A slot of the concurrency limit; waiters are served first come, first served. */
  #acquire(): Promise<void> | undefined {
    if (this.#inFlight < this.#concurrency) {
      this.#inFlight += 1;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** A freed slot goes to the longest waiter directly, so a newcomer can never take it first. */
  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#inFlight -= 1;
  }
}

function describeAuth(auth: Auth): string {
  if (auth === "key") return "Bearer <key>";
  if (auth === "none") return "(no credentials)";
  return Object.entries(auth)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause ? ` (${cause.code ?? cause.message})` : "";
}
