/**
 * Tiny servers for the suite's own tests, routed by the spec (`spec.route`) so that every
 * operation answers in its declared shape: bodies come from the spec's examples and its body
 * reader, never from literals here. Each records what it was sent.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getSpec } from "@llama-batches/spec";

export interface Recorded {
  method: string;
  url: string;
  body: string;
  /** What it answered. */
  status?: number;
  response?: unknown;
}

export interface TestServer {
  url: string;
  requests: Recorded[];
  stop(): Promise<void>;
}

const spec = getSpec();
const example = (op: string) => Object.values(spec.responseExamples(op, 200))[0]?.value as Record<string, unknown>;

/**
 * Starts on 127.0.0.1, port 0; `list` is what every list request gets. Two ways to break one rule:
 * `createStatus` answers a valid create with another status (create-status, decided), and
 * `validateQuery: false` serves any query (typed-input, documented).
 */
export async function specServer(list: unknown = { items: [] }, createStatus = 200, validateQuery = true): Promise<TestServer> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const recorded: Recorded = { method: req.method ?? "", url: req.url ?? "", body: text };
      requests.push(recorded);
      const reply = (status: number, body: unknown) => {
        Object.assign(recorded, { status, response: body });
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (!/^Bearer \S+$/.test(req.headers.authorization ?? "")) return reply(401, { detail: "Not authenticated" });
      const { pathname, searchParams } = new URL(req.url ?? "/", "http://x");
      const match = spec.route(req.method ?? "GET", pathname);
      if (!match || !("operation" in match)) return reply(404, { detail: "Not Found" });
      const query = spec.parseQuery(match.operation.id, searchParams);
      if (!query.ok && validateQuery) return reply(422, { detail: query.issues });
      const id = match.pathParams.batch_id;
      switch (match.operation.id) {
        case "listBatches":
          return reply(200, list);
        case "getBatch":
          return reply(200, { ...example("getBatch"), id });
        case "cancelBatch":
          return reply(200, { ...example("cancelBatch"), id });
        case "createBatch": {
          const parsed = spec.parseBody<Record<string, unknown>>("createBatch", text, req.headers["content-type"]);
          if (!parsed.ok) return reply(422, { detail: parsed.issues });
          const { config, source_directory_id } = parsed.body ?? {};
          // A new batch each time, as a server must answer (create-echoes).
          return reply(createStatus, { ...example("createBatch"), id: `bat-${randomUUID()}`, config, source_directory_id });
        }
        default:
          return reply(404, { detail: "Not Found" });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface StoreServerOptions {
  /** Batches there before the run. */
  batches?: Record<string, unknown>[];
  /** The first `delayCreates` creates are stored at once but answered only after `delayMs`: past a client's timeout. */
  delayCreates?: number;
  delayMs?: number;
  /** The status a create is answered with (create-status); the batch is stored whatever it is. */
  createStatus?: number;
  /** A batch is neither read nor listed until it is `lagMs` old: a lagging index (`Infinity`: never). */
  lagMs?: number;
}

export interface StoreServer extends TestServer {
  batches: Map<string, Record<string, unknown>>;
}

/**
 * A server that keeps what it is sent: creates are stored (the list filters by
 * `source_directory_id`, `status` and `created_at_on_or_after`, one page), reads and cancels act
 * on the store, a cancel makes a batch CANCELLED. Bodies are the spec's examples with the stored
 * fields; it records every request like `specServer`.
 */
export async function storeServer(options: StoreServerOptions = {}): Promise<StoreServer> {
  const requests: Recorded[] = [];
  const batches = new Map<string, Record<string, unknown>>((options.batches ?? []).map((b) => [String(b.id), b]));
  const born = new Map<string, number>();
  let delayed = 0;
  const visible = (b: Record<string, unknown>) => Date.now() - (born.get(String(b.id)) ?? 0) >= (options.lagMs ?? 0);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const recorded: Recorded = { method: req.method ?? "", url: req.url ?? "", body: text };
      requests.push(recorded);
      const reply = (status: number, body: unknown, after = 0) => {
        Object.assign(recorded, { status, response: body });
        setTimeout(() => {
          if (res.destroyed) return;
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        }, after);
      };
      if (!/^Bearer \S+$/.test(req.headers.authorization ?? "")) return reply(401, { detail: "Not authenticated" });
      const { pathname, searchParams } = new URL(req.url ?? "/", "http://x");
      const match = spec.route(req.method ?? "GET", pathname);
      if (!match || !("operation" in match)) return reply(404, { detail: "Not Found" });
      const query = spec.parseQuery(match.operation.id, searchParams);
      if (!query.ok) return reply(422, { detail: query.issues });
      const found = batches.get(match.pathParams.batch_id ?? "");
      const stored = found && visible(found) ? found : undefined;
      switch (match.operation.id) {
        case "listBatches": {
          const after = searchParams.get("created_at_on_or_after");
          const items = [...batches.values()].filter(
            (b) =>
              visible(b) &&
              [..."source_directory_id status".split(" ")].every((k) => !searchParams.has(k) || b[k] === searchParams.get(k)) &&
              (after === null || Date.parse(String(b.created_at)) >= Date.parse(after)),
          );
          return reply(200, { items });
        }
        case "getBatch":
          return stored ? reply(200, stored) : reply(404, { detail: "Not Found" });
        case "cancelBatch":
          if (!stored) return reply(404, { detail: "Not Found" });
          stored.status = "CANCELLED";
          return reply(200, stored);
        case "createBatch": {
          const parsed = spec.parseBody<Record<string, unknown>>("createBatch", text, req.headers["content-type"]);
          if (!parsed.ok) return reply(422, { detail: parsed.issues });
          const { config, source_directory_id } = parsed.body ?? {};
          const id = `bat-${randomUUID()}`;
          const batch = { ...example("createBatch"), id, config, source_directory_id, created_at: new Date().toISOString() };
          batches.set(id, batch);
          born.set(id, Date.now());
          const late = delayed < (options.delayCreates ?? 0);
          if (late) delayed += 1;
          return reply(options.createStatus ?? 200, batch, late ? (options.delayMs ?? 0) : 0);
        }
        default:
          return reply(404, { detail: "Not Found" });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    batches,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
