import type { Batch, ListBatchesResponse } from "../../src/index.js";

export interface Call {
  url: URL;
  headers: Headers;
  method: string;
}

type Reply = Response | Error | ((call: Call) => Response | Promise<Response>);

/**
 * An injected `fetch` that records every request and answers from a script: one reply per call,
 * the last one repeated. An `Error` reply makes the fetch throw it (a connection failure).
 */
export function fakeFetch(...replies: Reply[]) {
  const calls: Call[] = [];
  const fetch = async (request: Request, _init?: RequestInit): Promise<Response> => {
    const call = { url: new URL(request.url), headers: request.headers, method: request.method };
    calls.push(call);
    const reply = replies[Math.min(calls.length - 1, replies.length - 1)];
    if (reply === undefined) throw new Error("fakeFetch: no reply scripted");
    if (reply instanceof Error) throw reply;
    return typeof reply === "function" ? reply(call) : reply.clone();
  };
  return { fetch, calls };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

let counter = 0;
export function batch(overrides: Partial<Batch> = {}): Batch {
  counter += 1;
  const n = counter.toString(16).padStart(12, "0");
  return {
    id: `bat-00000000-0000-4000-8000-${n}`,
    config: { job: { configuration_id: `cfg-00000000-0000-4000-8000-${n}`, type: "parse_v2" } },
    project_id: "9b2f1c3e-5a4d-4e8f-9c1b-2d3e4f5a6b7c",
    source_directory_id: `dir-00000000-0000-4000-8000-${n}`,
    status: "COMPLETED",
    created_at: "2026-11-20T09:15:02.481Z",
    ...overrides,
  };
}

export function page(items: Batch[], next_page_token?: string): ListBatchesResponse {
  return next_page_token === undefined ? { items } : { items, next_page_token };
}

export const TEST_KEY = "llx-test-SECRET-0123456789abcdef";

/**
 * A reply (for {@link fakeFetch}) whose body sends `chunks`, then ends as told: `"close"`, `"stall"`
 * (never another byte, never closed) or an `Error` (the connection dropped mid-body). `cancelled`
 * counts the bodies cancelled by the client.
 */
export function streamed(chunks: readonly string[], end: "close" | "stall" | Error, init: ResponseInit = { status: 200 }) {
  const encoder = new TextEncoder();
  const out = {
    cancelled: 0,
    reply: (): Response => {
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller): Promise<void> | undefined {
          const chunk = chunks[sent++];
          if (chunk !== undefined) controller.enqueue(encoder.encode(chunk));
          else if (end === "stall") return new Promise<void>(() => undefined);
          else if (end === "close") controller.close();
          else controller.error(end);
          return undefined;
        },
        cancel() {
          out.cancelled += 1;
        },
      });
      return new Response(body, init);
    },
  };
  return out;
}
