import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { answerClientErrors, type BodyRead, HTTP_LIMITS, readBody, serverOptions } from "../src/http.js";
import { getSpec } from "../src/spec.js";

const spec = getSpec();
const LIMIT = spec.bodyLimitBytes;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/**
 * A loopback server (port 0, closed after each test) whose every request reads its body with
 * `readBody` and answers what it came to: `{ length }` of the bytes, or the refusal. Its reads are
 * kept, to look at.
 */
async function start(timeoutMs: number = HTTP_LIMITS.bodyTimeoutMs): Promise<{ port: number; reads: BodyRead[] }> {
  const reads: BodyRead[] = [];
  const send = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(req.method === "HEAD" ? undefined : text);
  };
  const server = createServer(serverOptions(), (req, res) => {
    void readBody(req, { limitBytes: LIMIT, timeoutMs }).then((read) => {
      reads.push(read);
      if ("reply" in read) send(req, res, read.reply.status, read.reply.body, read.reply.headers);
      else send(req, res, 200, { length: read.bytes.length, head: read.bytes.subarray(0, 20).toString("latin1") });
    });
  });
  answerClientErrors(server);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { port: (server.address() as { port: number }).port, reads };
}

/** Writes raw bytes on one connection (`end` half-closes after them) and reads until the server closes it. */
function raw(port: number, bytes: string | Buffer, { timeoutMs = 5_000 } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
    let out = "";
    socket.on("data", (d: Buffer) => {
      out += d.toString("latin1");
    });
    socket.on("close", () => resolve(out));
    socket.on("error", reject);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no close within ${timeoutMs} ms: ${out}`)));
  });
}

const statuses = (out: string) => [...out.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
const bodies = (out: string) => [...out.matchAll(/\r\n\r\n(\{[^\r]*?\})(?=HTTP\/1\.1 |$)/g)].map((m) => JSON.parse(m[1] ?? ""));
const post = (headers: string[]) => `POST /b HTTP/1.1\r\nhost: x\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n`;
const chunk = (data: string) => `${data.length.toString(16)}\r\n${data}\r\n`;
const TOO_LARGE = { detail: `Request body too large: the limit is ${LIMIT} bytes` };

describe("the limit is the spec's", () => {
  test("Spec#bodyLimitBytes is x-body-limit-bytes of PayloadTooLarge, and the 413 is its example", () => {
    const response = spec.document.components.responses?.PayloadTooLarge as {
      "x-body-limit-bytes": number;
      content: { "application/json": { example: unknown } };
    };
    expect(LIMIT).toBe(response["x-body-limit-bytes"]);
    expect(TOO_LARGE).toEqual(response.content["application/json"].example);
    expect(spec.operation("createBatch").statuses).toContain(413);
  });
});

describe("readBody", () => {
  test("a body up to the limit is read whole, by length and chunked, and the connection kept", async () => {
    const { port } = await start();
    const atLimit = "x".repeat(LIMIT);
    const out = await raw(
      port,
      `${post([`content-length: ${LIMIT}`])}${atLimit}` +
        `${post(["transfer-encoding: chunked"])}${chunk("{")}${chunk("}")}0\r\n\r\n` +
        `${post(["content-length: 0", "connection: close"])}`,
    );
    expect(statuses(out)).toEqual([200, 200, 200]);
    expect(bodies(out)).toEqual([
      { length: LIMIT, head: "x".repeat(20) },
      { length: 2, head: "{}" },
      { length: 0, head: "" },
    ]);
  });

  test("a declared length over the limit: a 413 before a byte is sent, in FastAPI's shape, and the connection closes", async () => {
    const { port } = await start();
    const started = Date.now();
    const out = await raw(port, post([`content-length: ${LIMIT + 1}`]));
    expect(statuses(out)).toEqual([413]);
    expect(out).toMatch(/\r\nconnection: close\r\n/i);
    expect(bodies(out)).toEqual([TOO_LARGE]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test("a chunked body is cut as it passes the limit, not at its end (which never comes)", async () => {
    const { port, reads } = await start();
    const piece = "y".repeat(16 * 1024);
    const chunks = Array.from({ length: LIMIT / piece.length + 1 }, () => chunk(piece)).join("");
    const out = await raw(port, `${post(["transfer-encoding: chunked"])}${chunks}`);
    expect(statuses(out)).toEqual([413]);
    expect(out).toMatch(/\r\nconnection: close\r\n/i);
    expect(bodies(out)).toEqual([TOO_LARGE]);
    expect(reads).toEqual([{ reply: { status: 413, body: TOO_LARGE, headers: { connection: "close" } } }]);
  });

  test("a body that stops coming: a 408 once the timeout passes, and the connection closes", async () => {
    const { port } = await start(300);
    const started = Date.now();
    const out = await raw(port, `${post(["content-length: 10"])}{"a":`);
    expect(statuses(out)).toEqual([408]);
    expect(bodies(out)).toEqual([{ detail: "Request body timeout" }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  test("a whole body followed by pipelined bytes the parser refuses: the body's request is answered, then the refusal", async () => {
    const { port } = await start();
    for (const body of [`${chunk("{")}0\r\n\r\n`, "{}"]) {
      const framing = body === "{}" ? "content-length: 2" : "transfer-encoding: chunked";
      const out = await raw(port, `${post([framing])}${body}GET /b HTTP/1.1\r\nhost: x\r\nx-a : b\r\n\r\n`);
      expect(statuses(out), out).toEqual([200, 400]);
      expect(bodies(out)).toEqual([
        { length: body === "{}" ? 2 : 1, head: body === "{}" ? "{}" : "{" },
        { detail: "Invalid HTTP request" },
      ]);
    }
  });

  test("a body the parser refuses (a bad chunk) is answered with the refusal, once, also behind an earlier pipelined request", async () => {
    const { port, reads } = await start();
    const started = Date.now();
    const out = await raw(port, `${post(["content-length: 2"])}{}${post(["transfer-encoding: chunked"])}${chunk("{")}zz\r\n`);
    expect(statuses(out)).toEqual([200, 400]);
    expect(bodies(out)).toEqual([{ length: 2, head: "{}" }, { detail: "Invalid HTTP request" }]);
    expect(reads.at(-1)).toEqual({ reply: { status: 400, body: { detail: "Invalid HTTP request" }, headers: { connection: "close" } } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test("a client that leaves mid-body: the read ends (a 400), nothing waits for the timeout", async () => {
    const { port, reads } = await start();
    await new Promise<void>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => socket.end(`${post(["content-length: 100"])}{"a":`));
      socket.on("error", () => undefined);
      socket.on("close", () => resolve());
      setTimeout(() => socket.destroy(), 100);
    });
    await expect.poll(() => reads, { timeout: 2_000 }).toEqual([{ reply: expect.objectContaining({ status: 400 }) }]);
  });
});
