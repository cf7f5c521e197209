/**
 * MSW 2 handlers for the four operations of the Batches API (list, create, get, cancel), typed
 * from the spec's generated types, answering as the Prism mock does (the spec's named examples,
 * 401 without credentials, FastAPI 422s for a bad query or body) without a process or a port; and
 * typed per-operation answers for the cases a test needs (a 503 on create, a given batch on get).
 *
 * For Node test runners only (vitest, jest, node:test with `msw/node`): the examples are read from
 * the bundled contract on disk by `@llama-batches/spec`, so these handlers cannot run in a browser worker.
 *
 * @example
 * import { setupServer } from "msw/node";
 * import { batchesHandlers, createBatchesHttp } from "@llama-batches/mock/msw";
 *
 * const server = setupServer(...batchesHandlers());
 * server.use(...batchesHandlers({ answers: { createBatch: { status: 503, body: { detail: "Service Unavailable" } } } }));
 */
import type { operations, paths } from "@llama-batches/client";
import { getSpec, readCredentials, validationError } from "@llama-batches/spec";
import { type HttpHandler, HttpResponse } from "msw";
import { createOpenApiHttp, type OpenApiHttpHandlers } from "openapi-msw";
import { EXPAND_PARAM, expandedExample } from "./internal/expand.js";
import { judgeInput } from "./internal/input.js";
import { examplesOf } from "./internal/msw-examples.js";
import { preferredExample } from "./internal/prefer.js";

// Spelled out rather than derived, so that a name is checked at compile time; `batchesHandlers`
// fails loudly if the spec ever stops providing one of them.
const EXAMPLE_NAMES = ["final-page", "middle-page", "empty", "seed"] as const;

/** A named 200 example of `GET /api/v2/batches` in the spec (a file name in `spec/examples/`). */
export type BatchesExampleName = (typeof EXAMPLE_NAMES)[number];

/** The operations the handlers serve. */
export type BatchesOperationId = "listBatches" | "createBatch" | "getBatch" | "cancelBatch";

type Responses<Op extends BatchesOperationId> = operations[Op]["responses"];
type JsonOf<R> = R extends { content: { "application/json": infer Body } } ? Body : never;

/** An answer the spec allows for an operation: a status it declares with that status's JSON body. */
export type BatchesAnswer<Op extends BatchesOperationId> = {
  [S in keyof Responses<Op> & number]: { status: S; body: JsonOf<Responses<Op>[S]>; headers?: Record<string, string> };
}[keyof Responses<Op> & number];

/** What a handler is given to choose its answer: the request, its path parameters, and which call this is (1 first). */
export interface BatchesAnswerContext {
  request: Request;
  params: Readonly<Record<string, string>>;
  call: number;
}

/**
 * An operation's answer instead of the spec's example: always the same one, or chosen per request
 * (undefined: the handler's usual answer, credentials and validation included).
 */
export type BatchesOverride<Op extends BatchesOperationId> =
  | BatchesAnswer<Op>
  | ((context: BatchesAnswerContext) => BatchesAnswer<Op> | undefined | Promise<BatchesAnswer<Op> | undefined>);

export type BatchesAnswers = { [Op in BatchesOperationId]?: BatchesOverride<Op> | undefined };

export interface BatchesHandlersOptions {
  /** Origin the handlers match; defaults to the spec's default server, as the client does. */
  baseUrl?: string | undefined;
  /**
   * The list's example when the request does not ask for one with `Prefer: example=<name>`.
   * Defaults to `"final-page"`: it has no `next_page_token`, so a client paging the mock stops.
   */
  example?: BatchesExampleName | undefined;
  /**
   * When true (the default), a request with neither `Authorization: Bearer <token>` nor a
   * `session` cookie gets a 401 `{ "detail": "Not authenticated" }` (a malformed `Authorization`
   * gets `Invalid authentication credentials`), as the real API would.
   */
  requireAuth?: boolean | undefined;
  /** Per operation, the answer to give instead (typed: only a status and body the spec declares compile). */
  answers?: BatchesAnswers | undefined;
}

/** The spec's default server (the first one naming a region): where the official SDK and our client go. */
function defaultBaseUrl(): string {
  const [first] = getSpec().regions;
  if (!first) throw new Error("The contract names no server with an x-region.");
  return first.url;
}

/**
 * The typed openapi-msw `http` object for `baseUrl`: only spec paths are accepted, and
 * `response(status).json(body)` only compiles for a status and body the spec defines. Use it to
 * override `batchesHandlers()` in a single test with `server.use(...)`.
 */
export function createBatchesHttp(baseUrl: string = defaultBaseUrl()): OpenApiHttpHandlers<paths> {
  // openapi-msw concatenates baseUrl and path: a trailing slash would make every handler miss.
  return createOpenApiHttp<paths>({ baseUrl: baseUrl.replace(/\/+$/, "") });
}

/**
 * Handlers for the four operations, answering with the spec's examples.
 *
 * - Credentials first (401), then the query and the body, judged by `@llama-batches/spec` exactly
 *   as the mock's front and the reference API judge them (one FastAPI 422 naming every issue).
 * - The example is the operation's first (`options.example` for the list), unless the request sends
 *   `Prefer: example=<name>` (Prism's convention, so tests written against Prism carry over); a get
 *   with `expand=results` answers the example the spec names for it (`x-expand-examples`), so
 *   `results` is filled in. An unknown example name is a 404 `{ "detail": ... }`, as with Prism.
 * - What a static answer can honour, it does: a create answers the `config` and
 *   `source_directory_id` it was sent, a get or cancel the batch id it was asked for.
 * - Filters and paging are not applied, as with Prism; use the reference API for semantics.
 * - Every response is a fresh deep copy: a test mutating a page cannot leak into another.
 */
export function batchesHandlers(options: BatchesHandlersOptions = {}): HttpHandler[] {
  const fallback = options.example ?? "final-page";
  // Checked here too, for callers without types: a bad default should fail the setup, not every
  // request of the suite.
  if (!(EXAMPLE_NAMES as readonly string[]).includes(fallback)) {
    throw new TypeError(`Unknown example ${JSON.stringify(fallback)}: expected one of ${EXAMPLE_NAMES.join(", ")}.`);
  }
  const list = examplesOf("listBatches");
  for (const name of EXAMPLE_NAMES) {
    if (!list.values.has(name)) {
      throw new Error(`The contract has no 200 example of listBatches named ${JSON.stringify(name)} (spec/examples/${name}.yaml).`);
    }
  }
  // Read now rather than at the first request: a spec missing an example then fails in `beforeAll`,
  // instead of as a 500 the client would retry and report far from the cause.
  const create = examplesOf("createBatch").fallback;
  const get = examplesOf("getBatch").fallback;
  const cancel = examplesOf("cancelBatch").fallback;
  const requireAuth = options.requireAuth ?? true;
  const answers = options.answers ?? {};
  const calls = new Map<BatchesOperationId, number>();
  const http = createBatchesHttp(options.baseUrl);

  /** The override's answer to this request, if it gives one. */
  async function overridden<Op extends BatchesOperationId>(op: Op, request: Request, params: Record<string, string>) {
    const override = answers[op] as BatchesOverride<Op> | undefined;
    if (override === undefined) return undefined;
    const call = (calls.get(op) ?? 0) + 1;
    calls.set(op, call);
    const answer = typeof override === "function" ? await override({ request, params, call }) : override;
    if (answer === undefined) return undefined;
    return HttpResponse.json(structuredClone(answer.body) as object, { status: answer.status, headers: answer.headers ?? {} });
  }

  /** The usual answer: 401, 422, 404 for an unknown example, else the example (shaped by `shape`). */
  async function answer(
    op: BatchesOperationId,
    request: Request,
    defaultExample: string,
    shape: (example: Record<string, unknown>, body: unknown) => unknown,
  ): Promise<Response> {
    const credentials = requireAuth ? readCredentials(request.headers).kind : "bearer";
    if (credentials === "none" || credentials === "malformed") {
      // The same answer as the Prism mock and the reference API; RFC 9110 requires the challenge.
      const detail = credentials === "none" ? "Not authenticated" : "Invalid authentication credentials";
      return HttpResponse.json({ detail }, { status: 401, headers: { "www-authenticate": "Bearer" } });
    }
    const spec = getSpec();
    const params = new URL(request.url).searchParams;
    const operation = spec.operation(op);
    const text = operation.requestBody ? await request.text() : undefined;
    const input = judgeInput(spec, op, params, text, request.headers.get("content-type") ?? undefined);
    if (input.issues.length > 0) return HttpResponse.json(validationError(input.issues), { status: 422 });
    const examples = examplesOf(op);
    const name =
      preferredExample(request.headers.get("prefer")) ?? expandedExample(operation, params.getAll(EXPAND_PARAM)) ?? defaultExample;
    const example = examples.values.get(name);
    if (example === undefined) {
      // 404 is Prism's status for it: an answer about the mock, not about the API.
      const detail = `No example named ${JSON.stringify(name)}; the spec has ${examples.names.join(", ")}.`;
      return HttpResponse.json({ detail }, { status: 404 });
    }
    return HttpResponse.json(shape(structuredClone(example) as Record<string, unknown>, input.body) as object);
  }

  const same = (example: Record<string, unknown>) => example;
  const withId = (id: string) => (example: Record<string, unknown>) => ({ ...example, id });
  const echo = (example: Record<string, unknown>, sent: unknown) => {
    const { config, source_directory_id } = sent as Record<string, unknown>;
    return { ...example, config, source_directory_id };
  };

  return [
    http.get("/api/v2/batches", async ({ request, params, response }) =>
      response.untyped((await overridden("listBatches", request, params)) ?? (await answer("listBatches", request, fallback, same))),
    ),
    http.post("/api/v2/batches", async ({ request, params, response }) =>
      response.untyped((await overridden("createBatch", request, params)) ?? (await answer("createBatch", request, create, echo))),
    ),
    http.get("/api/v2/batches/{batch_id}", async ({ request, params, response }) =>
      response.untyped(
        (await overridden("getBatch", request, params)) ?? (await answer("getBatch", request, get, withId(params.batch_id))),
      ),
    ),
    http.post("/api/v2/batches/{batch_id}/cancel", async ({ request, params, response }) =>
      response.untyped(
        (await overridden("cancelBatch", request, params)) ?? (await answer("cancelBatch", request, cancel, withId(params.batch_id))),
      ),
    ),
  ];
}

/** The part of an MSW server (`setupServer()`) that `drainMockedClones` needs. */
export interface MockedResponseEvents {
  events: { on(event: "response:mocked", listener: (args: { response: Response }) => void): void };
}

/**
 * Lets a client cancel a mocked error body before it retries, as the official SDKs do. MSW keeps a
 * clone (a `tee`) of every mocked response for its events, and under Node a body cancelled on one
 * branch never settles while the other is unread, so the SDK's retry waits forever
 * (mswjs/interceptors#712, #799). Reading each clone lets the cancel settle. Call it once, after
 * `setupServer(...)`.
 */
export function drainMockedClones(server: MockedResponseEvents): void {
  server.events.on("response:mocked", ({ response }) => {
    void response.arrayBuffer().catch(() => undefined);
  });
}
