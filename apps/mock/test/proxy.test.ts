import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RunningMock, startMock } from "../src/index.js";

/** An upstream that breaks the contract: a status outside the enum and a missing required field. */
const wrongPage = {
  items: [{ id: "bat-1", config: { job: { configuration_id: "cfg-1", type: "parse_v2" } }, source_directory_id: "dir-1", status: "DONE" }],
};
const goodPage = { items: [] };

let upstream: Server;
let upstreamUrl: string;
const proxies: RunningMock[] = [];
beforeAll(async () => {
  upstream = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(req.url?.includes("good") ? goodPage : wrongPage));
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  upstream.close();
});

describe("validation proxy (llama-batches-mock --proxy URL)", () => {
  test("flags where the upstream's answer breaks the spec, in the log and the sl-violations header", async () => {
    const log: string[] = [];
    const proxy = await startMock({ proxy: upstreamUrl, onLog: (l) => log.push(l) });
    proxies.push(proxy);
    const res = await fetch(`${proxy.url}/api/v2/batches`, { headers: { authorization: "Bearer t" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(wrongPage);
    const violations = JSON.parse(res.headers.get("sl-violations") ?? "[]") as { location: string[]; message: string }[];
    const where = violations.map((v) => v.location.join("."));
    expect(where).toEqual(expect.arrayContaining(["response.body.items.0", "response.body.items.0.status"]));
    expect(log.join("\n")).toMatch(/Violation: response\.body\.items\.0/);
  });

  test("with errors on, a breaking answer becomes an error response", async () => {
    const proxy = await startMock({ proxy: upstreamUrl, errors: true });
    proxies.push(proxy);
    const bad = await fetch(`${proxy.url}/api/v2/batches`, { headers: { authorization: "Bearer t" } });
    expect(bad.status).toBeGreaterThanOrEqual(500);
  });

  test("a conforming answer passes through clean; a bad request is flagged too", async () => {
    const proxy = await startMock({ proxy: upstreamUrl });
    proxies.push(proxy);
    const ok = await fetch(`${proxy.url}/api/v2/batches?source_directory_id=good`, { headers: { authorization: "Bearer t" } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("sl-violations")).toBeNull();
    const bad = await fetch(`${proxy.url}/api/v2/batches?source_directory_id=good&status=NOPE`, { headers: { authorization: "Bearer t" } });
    expect(bad.headers.get("sl-violations")).toMatch(/"query","status"/);
  });

  test("with errors on, a bad request is refused with a 422 naming the parameter, before the upstream", async () => {
    const proxy = await startMock({ proxy: upstreamUrl, errors: true });
    proxies.push(proxy);
    const bad = await fetch(`${proxy.url}/api/v2/batches?source_directory_id=good&status=NOPE`, { headers: { authorization: "Bearer t" } });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ detail: [{ loc: ["query", "status"] }] });
  });
});
