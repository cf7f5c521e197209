import type { Server } from "node:http";
import { createSpec, getSpec, specPath } from "@llama-batches/spec";
import { startFront } from "./internal/front.js";
import { type PrismProcess, spawnPrism } from "./internal/prism-process.js";

export interface StartMockOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number | undefined;
  /** Loopback by default: the mock is for tests, not for the network. */
  host?: string | undefined;
  /** Generate data from the schemas (json-schema-faker) instead of answering the spec's examples. */
  dynamic?: boolean | undefined;
  /** With `dynamic`: the same seed gives the same data. */
  seed?: string | number | undefined;
  /** Path to an OpenAPI document; defaults to the Batches contract of `@llama-batches/spec`. */
  spec?: string | undefined;
  /**
   * Validation proxy instead of a mock: forward every request to this server and report where
   * its answers break the spec (`sl-violations` header; with `errors`, an error response).
   */
  proxy?: string | undefined;
  /** Turn request/response violations into error responses instead of headers only. */
  errors?: boolean | undefined;
  /** Receives Prism's log lines (request log, violations), ANSI-free. */
  onLog?: ((line: string) => void) | undefined;
  /** How long Prism may take to start before we give up; default 60 s. */
  readyTimeoutMs?: number | undefined;
}

export interface RunningMock {
  /** Base URL to point a client at, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Stops the server and the Prism process; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts Prism on the spec and resolves once it answers, or rejects with a message that says why
 * (port taken, invalid spec, Prism exited) instead of hanging.
 */
export async function startMock(options: StartMockOptions = {}): Promise<RunningMock> {
  const host = options.host ?? "127.0.0.1";
  const spec = options.spec ?? specPath;
  const args = options.proxy ? ["proxy", spec, options.proxy] : ["mock", spec];
  if (options.dynamic) args.push("--dynamic");
  if (options.seed !== undefined) args.push("--seed", String(options.seed));
  if (options.errors) args.push("--errors");
  // Random extra properties on every object are noise, not realism.
  if (!options.proxy) args.push("--json-schema-faker-fillProperties=false");

  const prism: PrismProcess = await spawnPrism(args, {
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
    fakerSeed: options.seed === undefined ? undefined : String(options.seed),
    onLine: options.onLog,
  });
  let server: Server;
  let url: string;
  try {
    // Read after Prism has accepted the document, so that a broken spec is reported in Prism's words.
    const judge = options.proxy ? undefined : options.spec === undefined ? getSpec() : createSpec(options.spec);
    ({ server, url } = await startFront({ upstream: new URL(prism.url), port: options.port ?? 0, host, spec: judge }));
  } catch (error) {
    await prism.stop();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new Error(`Cannot start the mock: port ${options.port} on ${host} is already in use.`);
    throw new Error(`Cannot start the mock on ${host}:${options.port ?? 0}: ${(error as Error).message}`);
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await prism.stop();
    })();
    return stopping;
  };
  return { url, stop };
}
