import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ListBatchesParams } from "@llama-batches/client";
import { createSpec, getSpec } from "@llama-batches/spec";
import { answerClientErrors, serverOptions } from "@llama-batches/spec/http";
import { ADMIN_PREFIX, createAdmin, newAdminToken } from "./admin.js";
import { createAuthenticator } from "./auth.js";
import { generateDataset, loadFixture } from "./dataset.js";
import { applyFaults, type FaultName, parseFaults, type Seams } from "./faults/index.js";
import { createList } from "./list.js";
import type { ApiKey, Dataset, Session } from "./model.js";
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

  const plain: Seams = {
    authenticate: createAuthenticator(dataset.apiKeys, dataset.sessions),
    parseQuery: (params) => spec.parseQuery<ListBatchesParams>(operation.id, params),
    store,
    tokens: new PageTokens(options.tokenSecret),
    list: (handler) => handler,
  };
  // Faults wrap the parts from outside, once; without faults, `seams` is `plain`.
  const seams = faults.size > 0 ? applyFaults(plain, faults, { projects: dataset.projects, apiKeys: dataset.apiKeys }) : plain;
  const handler = createHandler({
    listPath: operation.path,
    authenticate: seams.authenticate,
    list: seams.list(createList({ ...seams, defaultPageSize: operation.pageSize.default, maxPageSize: operation.pageSize.maximum })),
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
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    apiKeys: dataset.apiKeys,
    sessions: dataset.sessions,
    store,
    faults,
    adminToken,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
