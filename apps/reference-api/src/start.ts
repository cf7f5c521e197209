import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ListBatchesParams } from "@llama-batches/client";
import { createSpec, getSpec } from "@llama-batches/spec";
import { answerClientErrors, serverOptions } from "@llama-batches/spec/http";
import { ADMIN_PREFIX, createAdmin, newAdminToken } from "./admin.js";
import { createAuthenticator } from "./auth.js";
import { createCancel } from "./cancel.js";
import { microsecondClock } from "./clock.js";
import { createCreate } from "./create.js";
import { generateDataset, loadFixture } from "./dataset.js";
import { documentedDetail } from "./documented.js";
import { applyFaults, type FaultName, parseFaults, type Seams } from "./faults/index.js";
import { Lifecycle } from "./lifecycle.js";
import { createList } from "./list.js";
import type { ApiKey, Dataset, Session } from "./model.js";
import type { BatchCreateRequest } from "./requests.js";
import { createRetrieve } from "./retrieve.js";
import { createHandler } from "./server.js";
import { BatchStore } from "./store.js";
import { PageTokens } from "./tokens.js";

export interface StartReferenceApiOptions {
  /** 0 (the default): a free port. */
  port?: number | undefined;
  /** Loopback by default. */
  host?: string | undefined;
  /** Seed of the generated dataset (default 1). */
  seed?: number | undefined;
  /** Batches in the generated dataset (default 2,000). */
  size?: number | undefined;
  /** Generated `created_at` values to the millisecond (default) or to the microsecond, as Python writes them. */
  precision?: "milliseconds" | "microseconds" | undefined;
  /** How generated instants write UTC: `Z` (default) or `+00:00`. */
  utc?: "Z" | "+00:00" | undefined;
  /** A JSON fixture file (or its parsed content) instead of generated data. */
  fixture?: string | Dataset | undefined;
  /** Fault modes to switch on: see FAULTS. */
  fault?: FaultName | readonly FaultName[] | undefined;
  /**
   * Serve the admin routes (`POST /_admin/batches`, `PATCH /_admin/batches/{id}`). Off by default.
   * They need the admin token in `x-admin-token` (see `adminToken`).
   */
  admin?: boolean | undefined;
  /** The admin routes' token; random per start by default (the running API tells it). */
  adminToken?: string | undefined;
  /** Key that signs page tokens; random per start by default. */
  tokenSecret?: string | undefined;
  /** Path to the OpenAPI document whose rules the server enforces; the bundled contract by default. */
  spec?: string | undefined;
  /**
   * Move the batches created through the API one lifecycle step every `stepMs` milliseconds
   * (PENDING → RUNNING → one file per step → COMPLETED; a cancel → CANCELLED). Without it they move
   * only when `step()` is called.
   */
  stepMs?: number | undefined;
}

export interface RunningReferenceApi {
  url: string;
  /** Keys it accepts, each with its scope (project_id null: organization-wide). */
  apiKeys: readonly ApiKey[];
  /** `session` cookies it accepts. */
  sessions: readonly Session[];
  /** The live data: insert and update batches while the server runs. */
  store: BatchStore;
  faults: ReadonlySet<FaultName>;
  /** With `admin`: the token the admin routes need, in `x-admin-token`. */
  adminToken: string | undefined;
  /** One lifecycle step of every moving batch, now (see `stepMs`); returns how many changed. */
  step(): number;
  stop(): Promise<void>;
}

export async function startReferenceApi(options: StartReferenceApiOptions = {}): Promise<RunningReferenceApi> {
  const spec = options.spec === undefined ? getSpec() : createSpec(options.spec);
  const dataset =
    typeof options.fixture === "string"
      ? loadFixture(options.fixture, spec)
      : (options.fixture ??
        generateDataset({ seed: options.seed, size: options.size, precision: options.precision, utc: options.utc }, spec));
  const faults = parseFaults(typeof options.fault === "string" ? [options.fault] : options.fault);
  const store = new BatchStore(dataset.projects, dataset.batches);
  const operation = spec.operation("listBatches");
  const adminToken = options.admin ? (options.adminToken ?? newAdminToken()) : undefined;
  if (!operation.pageSize) throw new Error("the spec's listBatches has no page_size");
  if (options.stepMs !== undefined && !(Number.isInteger(options.stepMs) && options.stepMs > 0)) {
    throw new Error(`stepMs must be a whole number of milliseconds above 0, not ${options.stepMs}`);
  }
  const clock = microsecondClock(options.utc);
  const lifecycle = new Lifecycle(store, clock, spec.finalStatuses);
  const batchNotFound = documentedDetail(spec, "getBatch", 404);

  const plain: Seams = {
    authenticate: createAuthenticator(dataset.apiKeys, dataset.sessions),
    parseQuery: (params) => spec.parseQuery<ListBatchesParams>(operation.id, params),
    store,
    tokens: new PageTokens(options.tokenSecret),
    list: (handler) => handler,
    parseBody: (text, contentType) => spec.parseBody<BatchCreateRequest>("createBatch", text, contentType),
    create: (handler) => handler,
    retrieve: (handler) => handler,
    cancel: (handler) => handler,
  };
  // Faults wrap the parts from outside, once; without faults, `seams` is `plain`.
  const seams = faults.size > 0 ? applyFaults(plain, faults, { projects: dataset.projects, apiKeys: dataset.apiKeys, store, spec }) : plain;
  const handler = createHandler({
    route: (method, pathname) => spec.route(method, pathname),
    authenticate: seams.authenticate,
    operations: {
      list: seams.list(createList({ ...seams, defaultPageSize: operation.pageSize.default, maxPageSize: operation.pageSize.maximum })),
      create: seams.create(
        createCreate({
          spec,
          parseBody: seams.parseBody,
          store,
          projects: dataset.projects,
          lifecycle,
          clock,
          scopeNotFound: documentedDetail(spec, "createBatch", 404),
        }),
      ),
      retrieve: seams.retrieve(createRetrieve({ spec, store, lifecycle, batchNotFound })),
      cancel: seams.cancel(createCancel({ spec, store, lifecycle, batchNotFound })),
    },
    admin: adminToken ? { prefix: ADMIN_PREFIX, handle: createAdmin(spec, store, adminToken) } : undefined,
  });
  // Test-double-sized limits, and what node's parser refuses answered in the spec's error shape.
  const server = createServer(serverOptions(), handler);
  answerClientErrors(server);
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`Cannot start the reference API: port ${options.port} on ${host} is already in use.`)
          : error,
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  // Steps never keep the process alive on their own, and stop with the server.
  const stepper = options.stepMs === undefined ? undefined : setInterval(() => lifecycle.step(), options.stepMs).unref();
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    apiKeys: dataset.apiKeys,
    sessions: dataset.sessions,
    store,
    faults,
    adminToken,
    step: () => lifecycle.step(),
    stop: () => {
      clearInterval(stepper);
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
