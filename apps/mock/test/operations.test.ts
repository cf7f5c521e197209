/**
 * The three operations beside the list (create, get, cancel), served by the Prism mock behind its
 * front: the official SDK works against it unchanged, request bodies are judged as FastAPI judges
 * them (by `@llama-batches/spec`, the reference API's rules), `expand=results` fills `results` in.
 */
import type { Batch } from "@llama-batches/client";
import { getSpec, validationError } from "@llama-batches/spec";
import { HTTP_LIMITS } from "@llama-batches/spec/http";
import LlamaCloud, { AuthenticationError, UnprocessableEntityError } from "@llamaindex/llama-cloud";
import { describe, expect, inject, test } from "vitest";
import { BODY_LIMIT_BYTES } from "../src/index.js";
import { exchange, rawRequest } from "./raw-http.js";

const mock = { url: inject("mockUrl") };
const spec = getSpec();
const AUTH = { authorization: "Bearer test" };
const CREATE = spec.operation("createBatch").path;
const ID = "bat-7c2e9d14-3b5a-4f6e-8d1c-2a3b4c5d6e7f";
const GET = spec.operation("getBatch").path.replace("{batch_id}", ID);
const CANCEL = spec.operation("cancelBatch").path.replace("{batch_id}", ID);

/** The spec's own request example: a valid create body. */
const validBody = () => {
  const [example] = Object.values(spec.requestExamples("createBatch"));
  if (!example) throw new Error("the spec has no createBatch request example");
  return structuredClone(example.value) as Record<string, unknown> & { config: { job: Record<string, unknown> } };
};
/** A 200 example of an operation, by name (the first when none is given). */
const example = (operationId: string, name?: string): Batch => {
  const examples = spec.responseExamples(operationId, 200);
  const found = name === undefined ? Object.values(examples)[0] : examples[name];
  if (!found) throw new Error(`the spec has no 200 example ${name} of ${operationId}`);
  return found.value as Batch;
};
/** The example the spec answers `expand=results` with (`x-expand-examples`), read, not copied. */
const expandExample = (spec.operation("getBatch").extensions["x-expand-examples"] as Record<string, string>).results;

const sdk = () => new LlamaCloud({ apiKey: "test", baseURL: mock.url, maxRetries: 0, logLevel: "off" });
const post = (path: string, body: string | undefined, headers: Record<string, string> = { ...AUTH, "content-type": "application/json" }) =>
  fetch(`${mock.url}${path}`, { method: "POST", headers, ...(body === undefined ? {} : { body }) });
/** What the spec package says of a body: the very 422 the reference API sends. */
const expected422 = (text: string | undefined, contentType = "application/json") => {
  const parsed = spec.parseBody("createBatch", text, contentType);
  if (parsed.ok) throw new Error(`expected ${text} to be refused`);
  return validationError(parsed.issues);
};

describe("the official SDK, unchanged, against the Prism mock", () => {
  test("create → the spec's PENDING batch", async () => {
    const body = validBody();
    const batch = await sdk().batches.create(body as unknown as Parameters<ReturnType<typeof sdk>["batches"]["create"]>[0]);
    expect(batch).toEqual(example("createBatch"));
    expect(batch.results ?? null).toBeNull();
  });

  test("get: results null without expand, filled in with expand: ['results']", async () => {
    const plain = await sdk().batches.get(ID);
    expect(plain).toEqual(example("getBatch"));
    expect(plain.results ?? null).toBeNull();
    const expanded = await sdk().batches.get(ID, { expand: ["results"] });
    expect(expanded).toEqual(example("getBatch", expandExample));
    expect(expanded.results?.length).toBeGreaterThan(0);
  });

  test("cancel → the batch as it is, not yet final", async () => {
    const batch = await sdk().batches.cancel(ID);
    expect(batch).toEqual(example("cancelBatch"));
    expect(spec.finalStatuses).not.toContain(batch.status);
  });

  test("a create missing source_directory_id is the SDK's UnprocessableEntityError naming it", async () => {
    const { source_directory_id: _, ...body } = validBody();
    const error = await sdk()
      .batches.create(body as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect((error as UnprocessableEntityError).error).toEqual(expected422(JSON.stringify(body)));
  });

  test("without credentials, every call is the SDK's AuthenticationError", async () => {
    const anonymous = new LlamaCloud({ apiKey: "", baseURL: mock.url, maxRetries: 0, logLevel: "off" });
    for (const call of [
      () => anonymous.batches.create(validBody() as never),
      () => anonymous.batches.get(ID),
      () => anonymous.batches.cancel(ID),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(AuthenticationError);
    }
  });
});

describe("request bodies, judged as FastAPI judges them", () => {
  test("a missing source_directory_id → 422 naming exactly ['body', 'source_directory_id']", async () => {
    const { source_directory_id: _, ...body } = validBody();
    const res = await post(CREATE, JSON.stringify(body));
    expect(res.status).toBe(422);
    const json = (await res.json()) as { detail: { loc: unknown[] }[] };
    expect(json.detail.map((d) => d.loc)).toEqual([["body", "source_directory_id"]]);
    expect(json).toEqual(expected422(JSON.stringify(body)));
  });

  const wrongJobType = (() => {
    const body = validBody();
    body.config.job.type = "parse_v9";
    return body;
  })();
  test.each([
    ["bad JSON", "{config:", ["body", 1]],
    ["a job type outside the enum", JSON.stringify(wrongJobType), ["body", "config", "job", "type"]],
    ["a number for a string", JSON.stringify({ ...validBody(), source_directory_id: 3 }), ["body", "source_directory_id"]],
    ["an array for the body", "[]", ["body"]],
    ["JSON null", "null", ["body"]],
    ["no body at all", undefined, ["body"]],
  ])("%s → 422 in the spec package's words", async (_name, body, loc) => {
    const res = await post(CREATE, body);
    expect(res.status).toBe(422);
    const json = (await res.json()) as { detail: { loc: unknown[] }[] };
    expect(json.detail.map((d) => d.loc)).toEqual([loc]);
    expect(json).toEqual(expected422(body));
  });

  test("the job type enum is the spec's: every value is accepted", async () => {
    for (const type of spec.enumOf("BatchJobType")) {
      const body = validBody();
      body.config.job.type = type;
      expect([type, (await post(CREATE, JSON.stringify(body))).status]).toEqual([type, 200]);
    }
    expect(spec.enumOf("BatchJobType")).not.toContain(wrongJobType.config.job.type);
  });

  test("extra fields are ignored (decided: extra-fields-ignored)", async () => {
    expect(spec.operation("createBatch").extensions["x-rules"]).toHaveProperty("extra-fields-ignored");
    const body = { ...validBody(), surplus: { deep: [1, 2] }, config: { ...validBody().config, other: true } };
    const res = await post(CREATE, JSON.stringify(body));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(example("createBatch"));
  });

  test("a JSON body without a content type is read as JSON; a form is refused by the model", async () => {
    const body = JSON.stringify(validBody());
    const bare = await rawRequest(mock.url, rawPost(CREATE, body, []), body);
    expect(bare.status, bare.body).toBe(200);
    const form = await post(CREATE, body, { ...AUTH, "content-type": "application/x-www-form-urlencoded" });
    expect(form.status).toBe(422);
    expect(await form.json()).toEqual(expected422(body, "application/x-www-form-urlencoded"));
  });

  test("the query and the body are judged together: one 422 naming both", async () => {
    const res = await post(`${CREATE}?project_id=nope`, "{}");
    expect(res.status).toBe(422);
    const { detail } = (await res.json()) as { detail: { loc: unknown[] }[] };
    expect(detail.map((d) => d.loc)).toEqual([["query", "project_id"], ...expected422("{}").detail.map((d) => d.loc)]);
  });

  test("a body nested thousands of levels deep, wrong or extra: a 422 or 200, and the mock lives on", async () => {
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    const job = '"config":{"job":{"type":"parse_v2","configuration_id":"c"}}';
    const wrong = await post(CREATE, `{"source_directory_id":${deep(20_000)},${job}}`);
    expect(wrong.status).toBe(422);
    expect(((await wrong.json()) as { detail: { loc: unknown[] }[] }).detail[0]?.loc).toEqual(["body", "source_directory_id"]);
    const extra = await post(CREATE, `{"x":${deep(20_000)},"source_directory_id":"d",${job}}`);
    expect(extra.status).toBe(200);
    expect((await post(CREATE, JSON.stringify(validBody()))).status).toBe(200);
  });

  test("credentials come first: a bad body without them is a 401", async () => {
    const res = await post(CREATE, "{bad", { "content-type": "application/json" });
    expect([res.status, await res.json()]).toEqual([401, { detail: "Not authenticated" }]);
  });
});

/** The head of a POST as raw bytes (no blank line): the body framed by its length, with the given extra header lines. */
const rawPost = (path: string, body: string, headers: string[]) =>
  [
    `POST ${path} HTTP/1.1`,
    "host: mock",
    "authorization: Bearer test",
    ...headers,
    `content-length: ${Buffer.byteLength(body)}`,
    "connection: close",
  ].join("\r\n");

describe("bodies are bounded", () => {
  test(`a body of exactly ${BODY_LIMIT_BYTES} bytes is read; one byte more is a 413 in the API's shape`, async () => {
    const json = JSON.stringify(validBody());
    const atLimit = json.padEnd(BODY_LIMIT_BYTES, " ");
    const ok = await rawRequest(mock.url, rawPost(CREATE, atLimit, ["content-type: application/json"]), atLimit);
    expect(ok.status, ok.body).toBe(200);
    const over = `${atLimit} `;
    const { responses, rest, timedOut } = await exchange(
      mock.url,
      `${rawPost(CREATE, over, ["content-type: application/json"])}\r\n\r\n${over}`,
    );
    expect(responses.map((r) => [r.status, r.headers["content-type"], JSON.parse(r.body)])).toEqual([
      [413, "application/json", { detail: expect.stringContaining(String(BODY_LIMIT_BYTES)) }],
    ]);
    expect([rest, timedOut]).toEqual(["", false]);
  });

  test("a declared length over the limit is refused before the body is sent, and the connection closes", async () => {
    const head = `POST ${CREATE} HTTP/1.1\r\nhost: mock\r\nauthorization: Bearer t\r\ncontent-length: ${BODY_LIMIT_BYTES + 1}\r\n\r\n`;
    const { responses, timedOut } = await exchange(mock.url, head);
    expect([responses.map((r) => r.status), timedOut]).toEqual([[413], false]);
  });

  test("a chunked body is cut off as it passes the limit", async () => {
    const chunk = "x".repeat(16 * 1024);
    const chunks = Array.from({ length: BODY_LIMIT_BYTES / chunk.length + 2 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join(
      "",
    );
    const bytes = `POST ${CREATE} HTTP/1.1\r\nhost: mock\r\nauthorization: Bearer t\r\ntransfer-encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`;
    const { responses, timedOut } = await exchange(mock.url, bytes);
    expect([responses.map((r) => r.status), timedOut]).toEqual([[413], false]);
  });

  test(`a body that stops coming gets a 408 once the body timeout (${HTTP_LIMITS.bodyTimeoutMs} ms) passes`, async () => {
    const head = `POST ${CREATE} HTTP/1.1\r\nhost: mock\r\nauthorization: Bearer t\r\ncontent-length: 100\r\n\r\n{"config":`;
    const started = Date.now();
    const { responses, timedOut } = await exchange(mock.url, head, { timeoutMs: 25_000 });
    expect(timedOut).toBe(false);
    expect(responses.map((r) => [r.status, JSON.parse(r.body)])).toEqual([[408, { detail: "Request body timeout" }]]);
    expect(Date.now() - started).toBeLessThan(HTTP_LIMITS.requestTimeoutMs);
  }, 30_000);
});

test("a whole body followed by bytes the parser refuses: the create is answered, then the refusal", async () => {
  const create = `POST ${CREATE} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer t\r\ntransfer-encoding: chunked\r\n\r\n1\r\n{\r\n0\r\n\r\n`;
  const refused = `GET ${CREATE} HTTP/1.1\r\nhost: x\r\nx-a : b\r\n\r\n`;
  for (const halfClose of [false, true]) {
    const { responses, rest, timedOut } = await exchange(mock.url, create + refused, { halfClose, timeoutMs: 5_000 });
    expect([responses.map((r) => r.status), rest, timedOut]).toEqual([[422, 400], "", false]);
  }
});

describe("get and cancel", () => {
  test("a body sent to cancel or get is drained and ignored, and the connection kept", async () => {
    const cancel = `POST ${CANCEL} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer t\r\ncontent-length: 5\r\n\r\n{bad!`;
    const get = `GET ${GET} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer t\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`;
    const again = `POST ${CANCEL} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer t\r\nconnection: close\r\n\r\n`;
    const { responses, rest } = await exchange(mock.url, cancel + get + again);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(rest).toBe("");
  });

  test("expand: only the spec's values; a caller's Prefer wins over the expand example", async () => {
    const bad = await fetch(`${mock.url}${GET}?expand=results&expand=files`, { headers: AUTH });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { detail: { loc: unknown[] }[] }).detail.map((d) => d.loc)).toEqual([["query", "expand", 1]]);
    const running = await fetch(`${mock.url}${GET}?expand=results`, { headers: { ...AUTH, prefer: "example=running" } });
    expect(await running.json()).toEqual(example("getBatch", "running"));
    const asked = await fetch(`${mock.url}${GET}?expand=results`, { headers: { ...AUTH, prefer: "code=404" } });
    expect(asked.status).toBe(404);
  });

  test("HEAD on a batch is its GET without a body", async () => {
    const head = await fetch(`${mock.url}${GET}`, { method: "HEAD", headers: AUTH });
    expect([head.status, await head.text()]).toEqual([200, ""]);
  });

  test("another method on a batch → 405 with the methods the spec allows", async () => {
    const match = spec.route("DELETE", GET);
    if (!match || !("allowed" in match)) throw new Error("expected DELETE on a batch to be unrouted");
    const res = await fetch(`${mock.url}${GET}`, { method: "DELETE", headers: AUTH });
    expect([res.status, res.headers.get("allow"), await res.json()]).toEqual([
      405,
      match.allowed.join(", "),
      { detail: "Method Not Allowed" },
    ]);
  });
});
