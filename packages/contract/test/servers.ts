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
