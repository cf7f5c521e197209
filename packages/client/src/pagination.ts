import type { Redirect } from "./client.js";
import { BatchesError, PaginationLoopError } from "./errors.js";
import type { Batch, ListBatchesParams, ListBatchesResponse } from "./types.js";

/** Per-request options; they carry over to every page of a traversal. */
export interface RequestOptions {
  signal?: AbortSignal | undefined;
  /** Per attempt, in ms: from sending the request to the last byte of the body. */
  timeout?: number | undefined;
  /**
   * Retries after the first attempt, for this call. On a POST (create, cancel), giving it is also
   * consent that the call may act twice: it is then retried on every failure a GET is (a timeout,
   * a 5xx, a reset), not only where a repeat is safe. See README, Retries.
   */
  maxRetries?: number | undefined;
  headers?: Record<string, string> | undefined;
  /** Overrides the client's `redirect`. */
  redirect?: Redirect | undefined;
}

/** @internal Fetches one page; the client supplies it. */
export type PageFetcher = (query: ListBatchesParams, options: RequestOptions | undefined) => Promise<BatchesPage>;

/** One page of batches, with what is needed to fetch the next. */
export class BatchesPage implements ListBatchesResponse {
  items: Batch[];
  next_page_token?: string | null;
  total_size?: number | null;
  readonly #response: Response;
  /** Fetches the page a token points at, with this page's query and options. */
  readonly #fetchNext: (token: string) => Promise<BatchesPage>;

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
    this.#fetchNext = (page_token) => fetchPage({ ...query, page_token }, options);
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
    return this.#fetchNext(token);
  }

  /** This page, then every following one. */
  iterPages(): AsyncGenerator<BatchesPage, void, undefined> {
    return walkPages(this);
  }

  /** Every batch from this page on. */
  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    return itemsOf(this.iterPages());
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
    return itemsOf(this.iterPages());
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
async function* walkPages(first: BatchesPage | Promise<BatchesPage>): AsyncGenerator<BatchesPage, void, undefined> {
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
 * generator machinery, which keeps `for await` close to a hand-written loop in speed. `next` stays
 * synchronous for them (an async `next` measured slower); closures keep it smaller than a class.
 */
function itemsOf(pages: AsyncGenerator<BatchesPage, void, undefined>): AsyncIterator<Batch> {
  let items: Batch[] = [];
  let index = 0;
  const end = async (): Promise<IteratorResult<Batch>> => {
    items = [];
    await pages.return();
    return { value: undefined, done: true };
  };
  const nextPage = async (): Promise<IteratorResult<Batch>> => {
    for (;;) {
      const next = await pages.next();
      if (next.done) return end();
      items = next.value.items;
      index = 0;
      if (items.length > 0) return { value: items[index++] as Batch, done: false };
    }
  };
  return {
    next: () => (index < items.length ? Promise.resolve({ value: items[index++] as Batch, done: false }) : nextPage()),
    return: end,
  };
}
