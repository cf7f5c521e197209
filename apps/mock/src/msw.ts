/**
 * MSW 2 handlers for `GET /api/v2/batches`, typed from the spec's generated `paths`, answering with
 * the spec's named examples the way the Prism mock does, without a process or a port.
 *
 * For Node test runners only (vitest, jest, node:test with `msw/node`): the examples are read from
 * the bundled contract on disk by `@llama-batches/spec`, so these handlers cannot run in a browser worker.
 *
 * @example
 * import { setupServer } from "msw/node";
 * import { batchesHandlers, createBatchesHttp } from "@llama-batches/mock/msw";
 *
 * const server = setupServer(...batchesHandlers());
 * const batchesHttp = createBatchesHttp();
 * server.use(batchesHttp.get("/api/v2/batches", ({ response }) => response(200).json({ items: [] })));
 */
import { DEFAULT_BASE_URL, type ListBatchesResponse, type paths } from "@llama-batches/client";
import { getSpec, readCredentials } from "@llama-batches/spec";
import { type HttpHandler, HttpResponse } from "msw";
import { createOpenApiHttp, type OpenApiHttpHandlers } from "openapi-msw";

// Spelled out rather than derived, so that a name is checked at compile time; `loadPages` fails
// loudly if the spec ever stops providing one of them.
const EXAMPLE_NAMES = ["final-page", "middle-page", "empty", "seed"] as const;

/** A named 200 example of `GET /api/v2/batches` in the spec (a file name in `spec/examples/`). */
export type BatchesExampleName = (typeof EXAMPLE_NAMES)[number];

export interface BatchesHandlersOptions {
  /** Origin the handlers match; defaults to the production API, as the client does. */
  baseUrl?: string | undefined;
  /**
   * Example answered when the request does not ask for one with `Prefer: example=<name>`.
   * Defaults to `"final-page"`: it has no `next_page_token`, so a client paging the mock stops.
   */
  example?: BatchesExampleName | undefined;
  /**
   * When true (the default), a request with neither `Authorization: Bearer <token>` nor a
   * `session` cookie gets a 401 `{ "detail": "Not authenticated" }` (a malformed `Authorization`
   * gets `Invalid authentication credentials`), as the real API would.
   */
  requireAuth?: boolean | undefined;
}

/**
 * The typed openapi-msw `http` object for `baseUrl`: only spec paths are accepted, and
 * `response(status).json(body)` only compiles for a status and body the spec defines. Use it to
 * override `batchesHandlers()` in a single test with `server.use(...)`.
 */
export function createBatchesHttp(baseUrl: string = DEFAULT_BASE_URL): OpenApiHttpHandlers<paths> {
  // openapi-msw concatenates baseUrl and path: a trailing slash would make every handler miss.
  return createOpenApiHttp<paths>({ baseUrl: baseUrl.replace(/\/+$/, "") });
}

/**
 * Handlers answering `GET /api/v2/batches` with the spec's examples.
 *
 * - The example is `options.example`, unless the request sends `Prefer: example=<name>` (Prism's
 *   convention, so tests written against Prism carry over). Other preferences are ignored.
 * - An unknown example name in `Prefer` is a 404 `{ "detail": ... }`, the status Prism uses for it;
 *   a 200 with some other example would hide the typo.
 * - Query parameters (filters, `page_size`, `page_token`) are neither validated nor applied, as
 *   with Prism's static examples; use the Prism mock to test 422s, or override per test.
 * - Every response is a fresh deep copy: a test mutating a page cannot leak into another.
 */
export function batchesHandlers(options: BatchesHandlersOptions = {}): HttpHandler[] {
  const fallback = options.example ?? "final-page";
  // Checked here too, for callers without types: a bad default should fail the setup, not every
  // request of the suite.
  if (!isExampleName(fallback)) {
    throw new TypeError(`Unknown example ${JSON.stringify(fallback)}: expected one of ${EXAMPLE_NAMES.join(", ")}.`);
  }
  const requireAuth = options.requireAuth ?? true;
  // Read now rather than at the first request: a spec missing an example then fails in
  // `beforeAll`, instead of as a 500 the client would retry and report far from the cause.
  const pages = loadPages();
  const http = createBatchesHttp(options.baseUrl);

  return [
    http.get("/api/v2/batches", ({ request, response }) => {
      const credentials = requireAuth ? readCredentials(request.headers).kind : "bearer";
      if (credentials === "none" || credentials === "malformed") {
        // The same answer as the Prism mock and the reference API; RFC 9110 requires the challenge.
        const detail = credentials === "none" ? "Not authenticated" : "Invalid authentication credentials";
        return response(401).json({ detail }, { headers: { "www-authenticate": "Bearer" } });
      }
      const name = preferredExample(request.headers.get("prefer")) ?? fallback;
      if (!isExampleName(name)) {
        // 404 is not a response of the spec: an answer about the mock, not about the API.
        return response.untyped(
          HttpResponse.json(
            { detail: `No example named ${JSON.stringify(name)}; the spec has ${EXAMPLE_NAMES.join(", ")}.` },
            { status: 404 },
          ),
        );
      }
      return response(200).json(structuredClone(pages[name]));
    }),
  ];
}

let cachedPages: Readonly<Record<BatchesExampleName, ListBatchesResponse>> | undefined;

// Once per process: parsing the YAML for every handler set would dominate a suite that calls
// `batchesHandlers()` in each file or test.
function loadPages(): Readonly<Record<BatchesExampleName, ListBatchesResponse>> {
  if (cachedPages) return cachedPages;
  const examples = getSpec().responseExamples("listBatches", 200);
  const pages: Partial<Record<BatchesExampleName, ListBatchesResponse>> = {};
  for (const name of EXAMPLE_NAMES) {
    const example = examples[name];
    if (!example) {
      throw new Error(`The contract has no 200 example of listBatches named ${JSON.stringify(name)} (spec/examples/${name}.yaml).`);
    }
    // The contract suite validates every example against BatchListResponse; no need to here.
    pages[name] = example.value as ListBatchesResponse;
  }
  cachedPages = Object.freeze(pages as Record<BatchesExampleName, ListBatchesResponse>);
  return cachedPages;
}

function isExampleName(name: string): name is BatchesExampleName {
  return (EXAMPLE_NAMES as readonly string[]).includes(name);
}

/**
 * The `example` preference of a `Prefer` header (RFC 7240): preferences are separated by commas,
 * parameters by semicolons, and a value may be quoted.
 */
function preferredExample(prefer: string | null): string | undefined {
  if (!prefer) return undefined;
  for (const part of prefer.split(/[,;]/)) {
    const [key, ...rest] = part.split("=");
    if (key?.trim().toLowerCase() !== "example" || rest.length === 0) continue;
    const value = rest
      .join("=")
      .trim()
      .replace(/^"(.*)"$/, "$1");
    if (value) return value;
  }
  return undefined;
}
