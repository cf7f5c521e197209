import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { type RunningMock, startMock } from "../src/index.js";

const auth = { authorization: "Bearer test" };
const started: RunningMock[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((m) => m.stop()));
});
async function start(options: Parameters<typeof startMock>[0] = {}) {
  const mock = await startMock(options);
  started.push(mock);
  return mock;
}

describe("startMock", () => {
  test("listens on a free loopback port, answers, and stops", async () => {
    const mock = await start();
    const url = new URL(mock.url);
    expect(url.hostname).toBe("127.0.0.1");
    expect(Number(url.port)).toBeGreaterThan(0);
    const res = await fetch(`${mock.url}/api/v2/batches`, { headers: auth });
    expect(res.status).toBe(200);
    await mock.stop();
    await expect(fetch(`${mock.url}/api/v2/batches`, { headers: auth })).rejects.toThrow();
    await mock.stop(); // idempotent
  });

  test("two mocks run at once, on different ports, independently", async () => {
    const [a, b] = await Promise.all([start(), start({ dynamic: true, seed: 7 })]);
    expect(a.url).not.toBe(b.url);
    const [ra, rb] = await Promise.all([
      fetch(`${a.url}/api/v2/batches`, { headers: auth }).then((r) => r.json()),
      fetch(`${b.url}/api/v2/batches`, { headers: auth }).then((r) => r.json()),
    ]);
    expect(ra).not.toEqual(rb);
    await a.stop();
    expect((await fetch(`${b.url}/api/v2/batches`, { headers: auth })).status).toBe(200);
  });

  test("a port that is taken rejects with a clear message", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const { port } = blocker.address() as { port: number };
    try {
      await expect(startMock({ port })).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });

  test("a broken spec rejects with Prism's reason, instead of hanging", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mock-spec-"));
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "openapi: 3.1.0\ninfo: {title: x\npaths: [\n");
    await expect(startMock({ spec: broken })).rejects.toThrow(/Prism exited before listening[\s\S]*Error parsing/);
    const empty = join(dir, "empty.yaml");
    writeFileSync(empty, "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n");
    await expect(startMock({ spec: empty })).rejects.toThrow(/No operations found/);
    await expect(startMock({ spec: join(dir, "missing.yaml") })).rejects.toThrow(/Error opening file[\s\S]*no such file/);
  });

  test("a spec given explicitly is served", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mock-spec-"));
    const spec = join(dir, "ping.yaml");
    writeFileSync(
      spec,
      `openapi: 3.1.0
info: {title: ping, version: '1'}
paths:
  /ping:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              example: {pong: true}
`,
    );
    const mock = await start({ spec });
    expect(await (await fetch(`${mock.url}/ping`)).json()).toEqual({ pong: true });
  });
});
