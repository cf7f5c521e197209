import { describe, expect, test } from "vitest";
import { BudgetExhausted, type Exchange, Target } from "../src/index.js";

/** A fetch whose answers the test releases by hand, counting requests in flight. */
function gatedFetch() {
  const gates: (() => void)[] = [];
  const state = { inFlight: 0, maxInFlight: 0, started: 0 };
  const fetch = async (): Promise<Response> => {
    state.started += 1;
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    await new Promise<void>((resolve) => gates.push(resolve));
    state.inFlight -= 1;
    return new Response('{"items":[]}', { headers: { "content-type": "application/json" } });
  };
  const releaseOne = async () => {
    gates.shift()?.();
    // Let the released request finish and the next one start.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    await new Promise((r) => setImmediate(r));
  };
  return { fetch: fetch as typeof globalThis.fetch, state, releaseOne };
}

describe("Target", () => {
  test("never has more requests in flight than its concurrency, even when a newcomer arrives as a slot frees", async () => {
    const { fetch, state, releaseOne } = gatedFetch();
    const target = new Target({ baseUrl: "http://server.test", concurrency: 1, fetch });
    const pending = [target.get({}), target.get({})];
    await new Promise((r) => setImmediate(r));
    expect(state.inFlight).toBe(1);
    // Free the slot while one request waits, and send a newcomer after each of the next 40
    // microtask hops: whichever hop falls between the slot freeing and the waiter taking it, the
    // newcomer must queue rather than slip in.
    const afterHops = (hops: number): Promise<Exchange> => {
      let p: Promise<unknown> = Promise.resolve();
      for (let i = 0; i < hops; i++) p = p.then(() => undefined);
      return p.then(() => target.get({}));
    };
    const released = releaseOne();
    for (let hops = 0; hops < 40; hops++) pending.push(afterHops(hops));
    await released;
    while (state.started < pending.length || state.inFlight > 0) await releaseOne();
    await Promise.all(pending);
    expect(state.started).toBe(42);
    expect(state.maxInFlight).toBe(1);
  });

  test("waiting requests are served in the order they came", async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((r) => {
      release = r;
    });
    const fetch = (async (url: string) => {
      order.push(new URL(url).searchParams.get("n") ?? "");
      if (order.length === 1) await blocked;
      return new Response("{}");
    }) as typeof globalThis.fetch;
    const target = new Target({ baseUrl: "http://server.test", concurrency: 1, fetch });
    const all = [1, 2, 3, 4].map((n) => target.get({ n }));
    await new Promise((r) => setImmediate(r));
    release();
    await Promise.all(all);
    expect(order).toEqual(["1", "2", "3", "4"]);
  });

  test("the budget counts every request sent, 429 retries included, and refuses the one beyond it", async () => {
    let calls = 0;
    const fetch = (async () => {
      calls += 1;
      return calls === 1
        ? new Response('{"detail":"slow down"}', { status: 429, headers: { "retry-after-ms": "1" } })
        : new Response('{"items":[]}', { status: 200 });
    }) as typeof globalThis.fetch;
    const target = new Target({ baseUrl: "http://server.test", budget: 3, fetch });
    expect((await target.get({})).status).toBe(200);
    expect(target.requests).toBe(2);
    await target.get({});
    expect(target.requests).toBe(3);
    await expect(target.get({})).rejects.toBeInstanceOf(BudgetExhausted);
    expect(calls).toBe(3);
  });
});

describe("Target.request: any operation of the spec", () => {
  /** A fetch that records what it was asked to send. */
  function recordingFetch() {
    const sent: { url: string; method: string; headers: Record<string, string>; body: string | undefined }[] = [];
    const fetch = (async (url: string, init: RequestInit) => {
      sent.push({
        url,
        method: String(init.method),
        headers: init.headers as Record<string, string>,
        body: init.body as string | undefined,
      });
      return new Response('{"id":"bat-1"}', { headers: { "content-type": "application/json" } });
    }) as typeof globalThis.fetch;
    return { fetch, sent };
  }

  test("fills path parameters as one encoded segment, repeats array parameters, and sends JSON or raw bodies", async () => {
    const { fetch, sent } = recordingFetch();
    const target = new Target({ baseUrl: "http://127.0.0.1:1/", apiKey: "k", fetch, allowWrites: true });
    const got = await target.request({
      path: "/api/v2/batches/{batch_id}",
      pathParams: { batch_id: "a/b c" },
      query: { expand: ["results", "x"] },
    });
    expect(sent[0]).toMatchObject({
      url: "http://127.0.0.1:1/api/v2/batches/a%2Fb%20c?expand=results&expand=x",
      method: "GET",
      body: undefined,
    });
    expect(got).toMatchObject({ method: "GET", query: { expand: "results&expand=x" }, body: { id: "bat-1" } });
    await target.request({ method: "post", json: { a: 1 } });
    expect(sent[1]).toMatchObject({
      method: "POST",
      body: '{"a":1}',
      headers: { "content-type": "application/json", authorization: "Bearer k" },
    });
    const raw = await target.request({ method: "POST", raw: { text: "{bad", contentType: "text/plain" }, auth: "none" });
    expect(sent[2]?.body).toBe("{bad");
    expect(sent[2]?.headers).toEqual({ accept: "application/json", "content-type": "text/plain" });
    expect(raw.requestBody).toBe("{bad");
    expect(target.writes).toBe(2);
    await expect(target.request({ path: "/api/v2/batches/{batch_id}" })).rejects.toThrow(/batch_id/);
  });

  test("the list's get is the same request as before: a GET of the list path, no body", async () => {
    const { fetch, sent } = recordingFetch();
    const target = new Target({ baseUrl: "http://127.0.0.1:1", fetch });
    await target.get({ page_size: 5, status: undefined });
    expect(sent).toEqual([
      { url: "http://127.0.0.1:1/api/v2/batches?page_size=5", method: "GET", headers: { accept: "application/json" }, body: undefined },
    ]);
  });
});
