import { BatchesError, PaginationLoopError } from "./errors.js";
import type { Batch, ListBatchesParams, ListBatchesResponse } from "./types.js";

/** Per-request options; they carry over to every page of a traversal. */
export interface RequestOptions {
  signal?: AbortSignal | undefined;
  /** Per attempt, in ms: from sending the request to the last byte of the body. */
  timeout?: number | undefined;
  maxRetries?: number | undefined;
  headers?: Record<string, string> | undefined;
  /** Overrides the client's `redirect`. */
  redirect?: "follow" | "error" | undefined;
}

/** @internal Fetches one page; the client supplies it. */
export type PageFetcher = (query: ListBatchesParams, options: RequestOptions | undefined) => Promise<BatchesPage>;

/** One page of batches, with what is needed to fetch the next. */
export class BatchesPage implements ListBatchesResponse {
  items: Batch[];
  next_page_token?: string | null;
  total_size?: number | null;
  readonly #response: Response;
  readonly #query: ListBatchesParams;
  readonly #options: RequestOptions | undefined;
  readonly #fetchPage: PageFetcher;

  constructor(
    body: ListBatchesResponse,
    response: Response,
    query: ListBatchesParams,
    options: RequestOptions | undefined,
    fetchPage: PageFetcher,
  ) {
    this.items = body.items;
    if (body.next_page_token !== undefined) this.next_page_token = body.next_page_token;
    if (body.total_size !== undefined) this.total_size = body.total_size;
    this.#response = response;
    this.#query = query;
    this.#options = options;
    this.#fetchPage = fetchPage;
  }

  /** The raw HTTP response (headers, status) this page came from. */
  get response(): Response {
    return this.#response;
  }

  /** Like the official SDKs: a page is last when it has no token or no items. */
  hasNextPage(): boolean {
    return this.items.length > 0 && Boolean(this.next_page_token);
  }

  getNextPage(): Promise<BatchesPage> {
    const token = this.next_page_token;
    if (!this.hasNextPage() || !token) {
      return Promise.reject(new BatchesError("No next page: check `hasNextPage()` before calling `getNextPage()`."));
    }
    return this.#fetchPage({ ...this.#query, page_token: token }, this.#options);
  }

  /** This page, then every following one. */
  iterPages(): AsyncGenerator<BatchesPage, void, undefined> {
    return walkPages(Promise.resolve(this));
  }

  /** Every batch from this page on. */
  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    return new ItemIterator(this.iterPages());
  }
}

/**
 * What `client.batches.list()` returns: `await` it for the first page, `for await` it for every
 * batch across pages, or call `iterPages()`. The first request is sent at once, like a promise.
 */
export class PagePromise implements PromiseLike<BatchesPage>, AsyncIterable<Batch> {
  readonly #first: Promise<BatchesPage>;

  constructor(first: Promise<BatchesPage>) {
    this.#first = first;
  }

  // biome-ignore lint/suspicious/noThenProperty: a page promise is a thenable by design.
  then<A = BatchesPage, B = never>(
    onfulfilled?: ((page: BatchesPage) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#first.then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<BatchesPage | B> {
    return this.#first.catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<BatchesPage> {
    return this.#first.finally(onfinally);
  }

  iterPages(): AsyncGenerator<BatchesPage, void, undefined> {
    return walkPages(this.#first);
  }

  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    return new ItemIterator(this.iterPages());
  }

  get [Symbol.toStringTag](): string {
    return "PagePromise";
  }
}

/**
 * Follows tokens until a page is last. A server that hands back a token already sent would make
 * this loop forever; Brent's cycle detection finds any such loop while keeping only two tokens,
 * so memory stays constant however long the traversal (a long cycle may repeat some pages before
 * it is caught; a token that points at its own page is caught at once).
 */
async function* walkPages(first: Promise<BatchesPage>): AsyncGenerator<BatchesPage, void, undefined> {
  let page = await first;
  yield page;
  let checkpoint = page.next_page_token;
  let power = 1;
  let steps = 0;
  while (page.hasNextPage()) {
    const sent = page.next_page_token;
    page = await page.getNextPage();
    const token = page.next_page_token;
    if (page.hasNextPage() && (token === sent || token === checkpoint)) {
      throw new PaginationLoopError(`The server returned page token ${JSON.stringify(token)} a second time; stopping instead of looping.`);
    }
    yield page;
    if (++steps === power) {
      checkpoint = token;
      power *= 2;
      steps = 0;
    }
  }
}

/**
 * Hand-written rather than an async generator: items already in memory are handed out without the
 * generator machinery, which keeps `for await` close to a hand-written loop in speed.
 */
class ItemIterator implements AsyncIterator<Batch> {
  readonly #pages: AsyncGenerator<BatchesPage, void, undefined>;
  #items: Batch[] = [];
  #index = 0;

  constructor(pages: AsyncGenerator<BatchesPage, void, undefined>) {
    this.#pages = pages;
  }

  next(): Promise<IteratorResult<Batch>> {
    const items = this.#items;
    if (this.#index < items.length) {
      return Promise.resolve({ value: items[this.#index++] as Batch, done: false });
    }
    return this.#nextPage();
  }

  async return(): Promise<IteratorResult<Batch>> {
    this.#items = [];
    await this.#pages.return();
    return { value: undefined, done: true };
  }

  async #nextPage(): Promise<IteratorResult<Batch>> {
    for (;;) {
      const next = await this.#pages.next();
      if (next.done) {
        this.#items = [];
        return { value: undefined, done: true };
      }
      this.#items = next.value.items;
      this.#index = 0;
      if (this.#items.length > 0) return { value: this.#items[this.#index++] as Batch, done: false };
    }
  }
}
