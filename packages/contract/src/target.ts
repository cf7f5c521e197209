import { retryDelayMs } from "@llama-batches/client";
import { isLoopback, isWrite, WriteBudgetExhausted, WritesNotAllowed, writePolicyProblem } from "./writes.js";

export const LIST_PATH = "/api/v2/batches";

/** How a request authenticates: the target's key, nothing, or exactly these headers. */
export type Auth = "key" | "none" | { authorization?: string; cookie?: string };

/** A query value; an array is sent as the parameter repeated (`expand=a&expand=b`), as the official SDK sends it. */
export type QueryValue = string | number | readonly (string | number)[] | undefined;

/** Any request of the spec: the list's GET when only a query is given. */
export interface Request {
  /** Default `GET`. Anything else but `HEAD` is a write, sent only when the target allows writes. */
  method?: string | undefined;
  /** A path template of the spec (`/api/v2/batches/{batch_id}`); default the list's path. */
  path?: string | undefined;
  pathParams?: Readonly<Record<string, string>> | undefined;
  query?: Readonly<Record<string, QueryValue>> | undefined;
  /** A value sent as JSON (`content-type: application/json`). */
  json?: unknown;
  /** Bytes sent as they are, for bodies no JSON value can give (bad JSON, another content type). */
  raw?: { text: string; contentType?: string | undefined } | undefined;
  auth?: Auth | undefined;
}

export interface Exchange {
  /** `GET` unless the request said otherwise. */
  method: string;
  url: string;
  /** The query as sent; a repeated parameter's values joined by `&name=`. */
  query: Readonly<Record<string, string>>;
  auth: string;
  /** The request body as sent, when there was one. */
  requestBody?: string;
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
  /** Send writes (any method but GET and HEAD): creates and cancels act on the target's data. Off by default. */
  allowWrites?: boolean | undefined;
  /**
   * Most writes the run may send, 429 retries and refused bodies included. Required with
   * `allowWrites` unless the base URL is loopback: on the live API a create costs money.
   */
  maxWrites?: number | undefined;
  /** Once aborted, no budgeted request leaves (they throw `Interrupted`); the cleanup still goes. */
  signal?: AbortSignal | undefined;
}

export class BudgetExhausted extends Error {
  override name = "BudgetExhausted";
}

export class Unreachable extends Error {
  override name = "Unreachable";
}

/** The run was interrupted (SIGINT): nothing more is sent but the cleanup. */
export class Interrupted extends Error {
  override name = "Interrupted";
}

const MAX_RATE_LIMIT_RETRIES = 5;

/**
 * A server under test: base URL, credentials, a request budget and a concurrency limit. Sends
 * writes only when allowed, and never more than `maxWrites` of them, whoever asks: the gate is here
 * so that no invariant can get around it. 429s are retried with the client's own backoff (a 429 has
 * not acted, so a write may be repeated); nothing else is retried, so a 5xx is seen as it is.
 */
export class Target {
  readonly baseUrl: string;
  readonly hasKey: boolean;
  readonly budget: number;
  readonly allowWrites: boolean;
  readonly maxWrites: number;
  requests = 0;
  writes = 0;
  /** Requests sent by {@link Target.requestOutsideBudget}: the cleanup's, counted apart. */
  cleanupRequests = 0;
  readonly #apiKey: string | undefined;
  readonly #concurrency: number;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #signal: AbortSignal | undefined;
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(options: TargetOptions) {
    const problem = writePolicyProblem(options.baseUrl, options.allowWrites, options.maxWrites);
    if (problem) throw new Error(problem);
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#apiKey = options.apiKey;
    this.hasKey = Boolean(options.apiKey);
    this.budget = options.budget ?? Number.POSITIVE_INFINITY;
    this.allowWrites = options.allowWrites === true;
    this.maxWrites = this.allowWrites ? (options.maxWrites ?? Number.POSITIVE_INFINITY) : 0;
    this.#concurrency = options.concurrency ?? 4;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#signal = options.signal;
  }

  /** Whether the base URL is this machine: writes there need no cap. */
  get loopback(): boolean {
    return isLoopback(this.baseUrl);
  }

  /** Writes the run may still send. */
  get writesLeft(): number {
    return this.maxWrites - this.writes;
  }

  /** The list's GET: the hot path of most invariants. */
  get(query: Readonly<Record<string, QueryValue>>, auth: Auth = "key"): Promise<Exchange> {
    return this.request({ query, auth });
  }

  request(req: Request): Promise<Exchange> {
    return this.#request(req, true);
  }

  /**
   * A request outside `budget` and `maxWrites`, sent even after an interrupt, counted in
   * `cleanupRequests`: for the run's cleanup only (cancelling the batches it created stops them
   * spending; a cap must not keep them running). Writes still need `allowWrites`.
   */
  requestOutsideBudget(req: Request): Promise<Exchange> {
    return this.#request(req, false);
  }

  async #request(req: Request, budgeted: boolean): Promise<Exchange> {
    const method = (req.method ?? "GET").toUpperCase();
    const params = new URLSearchParams();
    const sent: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v === undefined) continue;
      const values = Array.isArray(v) ? v : [v as string | number];
      for (const one of values) params.append(k, String(one));
      sent[k] = values.join(`&${k}=`);
    }
    const search = params.toString();
    const url = `${this.baseUrl}${fillPath(req.path ?? LIST_PATH, req.pathParams)}${search ? `?${search}` : ""}`;
    const auth = req.auth ?? "key";
    const headers: Record<string, string> = { accept: "application/json" };
    if (auth === "key" && this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    if (typeof auth === "object") Object.assign(headers, auth);
    let body: string | undefined;
    if (req.raw) {
      body = req.raw.text;
      if (req.raw.contentType !== undefined) headers["content-type"] = req.raw.contentType;
    } else if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers["content-type"] = "application/json";
    }
    for (let attempt = 0; ; attempt++) {
      const response = await this.#send(method, url, headers, body, budgeted);
      if (response.status === 429 && attempt < MAX_RATE_LIMIT_RETRIES) {
        await response.body?.cancel().catch(() => undefined);
        await new Promise((r) => setTimeout(r, retryDelayMs(attempt, response.headers)));
        continue;
      }
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return {
        method,
        url,
        query: sent,
        auth: describeAuth(auth),
        ...(body === undefined ? {} : { requestBody: body }),
        status: response.status,
        contentType: response.headers.get("content-type"),
        date: response.headers.get("date"),
        body: parsed,
        text,
      };
    }
  }

  async #send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    budgeted: boolean,
  ): Promise<Response> {
    // Checked and counted before anything leaves: a write refused here was never sent.
    if (isWrite(method) && !this.allowWrites) {
      throw new WritesNotAllowed(`${method} ${url} is a write, and writes are not allowed (--allow-writes)`);
    }
    if (!budgeted) {
      this.cleanupRequests += 1;
    } else {
      if (this.#signal?.aborted) throw new Interrupted("interrupted: nothing more is sent but the cleanup");
      if (isWrite(method) && this.writes >= this.maxWrites) {
        throw new WriteBudgetExhausted(`write budget exhausted (--max-writes ${this.maxWrites})`);
      }
      if (this.requests >= this.budget) throw new BudgetExhausted(`request budget of ${this.budget} used up`);
      this.requests += 1;
      if (isWrite(method)) this.writes += 1;
    }
    await this.#acquire();
    try {
      return await this.#fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        // A followed redirect would send the write again, uncounted.
        ...(isWrite(method) ? { redirect: "manual" as const } : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new Unreachable(`${method} ${url} failed: ${(error as Error).message}${causeOf(error)}`);
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

/** The path with its parameters filled in, each percent-encoded as one segment. */
function fillPath(template: string, params: Readonly<Record<string, string>> | undefined): string {
  if (!template.includes("{")) return template;
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`no value for path parameter ${name} of ${template}`);
    return encodeURIComponent(value);
  });
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
