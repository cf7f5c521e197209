/**
 * `POST /api/v2/batches` against its rules in the spec (`x-rules` of createBatch): a new PENDING
 * batch echoing what was sent (create-echoes, created-pending), at once readable and listed
 * (created-readable), extra fields ignored, FastAPI 422s naming the field under `body`, and the
 * project resolved from the credentials (unseen-scope-404: a project or organization the key
 * cannot see is the spec's ScopeNotFound, exactly like one that does not exist).
 */
import { randomUUID } from "node:crypto";
import type { Batch } from "@llama-batches/client";
import { compareInstants, getSpec, instantOf } from "@llama-batches/spec";
import { describe, expect, test } from "vitest";
import { BODY_LIMIT_BYTES } from "../src/index.js";
import { bodyFor, CREATED_STATUS, create, created, EXAMPLE_BODY, keysOf, projectsOf, read, SCOPE_NOT_FOUND, scopeKeys } from "./batches.js";
import { asPage, bearer, getList, useReferenceApi } from "./helpers.js";

const spec = getSpec();
const ref = useReferenceApi({ seed: 11, size: 200 });
const directory = () => `dir-${randomUUID()}`;

function issuesOf(body: unknown): { type: string; loc: unknown[] }[] {
  return (body as { detail: { type: string; loc: unknown[] }[] }).detail;
}

describe("a valid create", () => {
  test("answers a new PENDING batch with what was sent, in the key's project, readable and listed at once", async () => {
    const [key] = keysOf(ref.api).project;
    if (!key) throw new Error("no project key");
    const dir = directory();
    const reply = await create(ref.api, key, bodyFor(dir));
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const batch = reply.body as Batch;
    expect(spec.validateSchema("Batch", batch)).toEqual([]);
    expect(batch.id).toMatch(/^bat-[0-9a-f-]{36}$/);
    expect(ref.data.some((b) => b.id === batch.id)).toBe(false);
    expect(batch).toMatchObject({
      config: EXAMPLE_BODY.config,
      source_directory_id: dir,
      project_id: key.project_id,
      status: CREATED_STATUS,
      results: null,
    });
    // Microseconds, as the backend writes them; created and updated together.
    expect(batch.created_at).toMatch(/\.\d{6}(Z|\+00:00)$/);
    expect(batch.updated_at).toBe(batch.created_at);

    expect(await read(ref.api, key, batch.id)).toEqual(batch);
    const page = asPage(await getList(ref.api, bearer(key.key), { source_directory_id: dir }));
    expect(page.items).toEqual([batch]);
    // Newest first: the created batch heads the key's list.
    expect(asPage(await getList(ref.api, bearer(key.key), { page_size: 1 })).items[0]?.id).toBe(batch.id);
  });

  test("the same body twice makes two batches, the later one after the earlier in time", async () => {
    const [key] = keysOf(ref.api).project;
    if (!key) throw new Error("no project key");
    const body = bodyFor(directory());
    const first = await created(ref.api, key, body);
    const second = await created(ref.api, key, body);
    expect(second.id).not.toBe(first.id);
    expect(compareInstants(instantOf(second.created_at ?? ""), instantOf(first.created_at ?? ""))).toBeGreaterThan(0);
    const page = asPage(await getList(ref.api, bearer(key.key), { source_directory_id: body.source_directory_id }));
    expect(page.items.map((b) => b.id)).toEqual([second.id, first.id]);
  });

  test("extra fields, at the top and inside config, are ignored", async () => {
    const [key] = keysOf(ref.api).project;
    if (!key) throw new Error("no project key");
    const dir = directory();
    const body = {
      ...bodyFor(dir),
      priority: "high",
      config: { ...EXAMPLE_BODY.config, extra: 1, job: { ...EXAMPLE_BODY.config.job, x: [] } },
    };
    const batch = await created(ref.api, key, body);
    expect(batch.config).toEqual(EXAMPLE_BODY.config);
    expect(Object.keys(batch)).not.toContain("priority");
    expect(spec.validateSchema("Batch", batch)).toEqual([]);
  });

  test("webhook settings are accepted and never echoed (the signing secret is write-only)", async () => {
    const [key] = keysOf(ref.api).project;
    if (!key) throw new Error("no project key");
    const secret = `whsec-${randomUUID()}`;
    const hooks = [{ webhook_url: "https://example.com/hook", webhook_signing_secret: secret, webhook_events: null }];
    const reply = await create(ref.api, key, bodyFor(directory(), { webhook_configurations: hooks, webhook_configuration_ids: ["wh-1"] }));
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(JSON.stringify(reply.body)).not.toContain(secret);
    expect(spec.validateSchema("Batch", reply.body)).toEqual([]);
  });

  test("a session cookie creates like its project's key", async () => {
    const session = ref.api.sessions[0];
    if (!session) throw new Error("no session");
    const reply = await create(
      ref.api,
      undefined,
      bodyFor(directory()),
      {},
      { "content-type": "application/json", cookie: `session=${session.session}` },
    );
    expect(reply.status).toBe(200);
    expect((reply.body as Batch).project_id).toBe(session.project_id);
  });
});

describe("the project a create acts in", () => {
  test("an organization-wide key creates in its organization's default project, or in the one it names", async () => {
    const [key] = keysOf(ref.api).org;
    if (!key) throw new Error("no organization key");
    const [first, second] = projectsOf(ref.api, key.organization_id);
    if (!first || !second) throw new Error("the organization needs two projects");
    expect((await created(ref.api, key, bodyFor(directory()))).project_id).toBe(first);
    expect((await created(ref.api, key, bodyFor(directory()), { project_id: second })).project_id).toBe(second);
    expect((await created(ref.api, key, bodyFor(directory()), { organization_id: key.organization_id })).project_id).toBe(first);
  });

  test("a project or organization the key cannot see is the spec's 404, the same as one that does not exist", async () => {
    const { orgKey, otherOrg: otherOrgKey, projectKey } = scopeKeys(ref.api);
    const foreignProject = projectsOf(ref.api, otherOrgKey.organization_id)[0] ?? "";
    const sibling = projectsOf(ref.api, orgKey.organization_id).find((p) => p !== projectKey.project_id) ?? "";
    const before = ref.api.store.size;
    const cases: [typeof orgKey, Record<string, string>][] = [
      [orgKey, { project_id: foreignProject }],
      [orgKey, { project_id: randomUUID() }],
      [orgKey, { organization_id: otherOrgKey.organization_id }],
      [orgKey, { organization_id: randomUUID() }],
      [projectKey, { project_id: sibling }],
      [projectKey, { project_id: randomUUID() }],
      [projectKey, { organization_id: otherOrgKey.organization_id }],
    ];
    for (const [key, params] of cases) {
      const reply = await create(ref.api, key, bodyFor(directory()), params);
      expect([JSON.stringify(params), reply.status, reply.body]).toEqual([JSON.stringify(params), 404, SCOPE_NOT_FOUND]);
    }
    expect(ref.api.store.size, "nothing was created").toBe(before);
  });
});

describe("refusals", () => {
  const key = () => keysOf(ref.api).project[0]?.key ?? "";

  test("a missing field, a wrong enum, a wrong type: a 422 naming each under body, nothing created", async () => {
    const before = ref.api.store.size;
    const { source_directory_id: _, ...noDirectory } = bodyFor(directory());
    const missing = await create(ref.api, key(), noDirectory);
    expect(missing.status).toBe(422);
    expect(issuesOf(missing.body)).toEqual([expect.objectContaining({ type: "missing", loc: ["body", "source_directory_id"] })]);

    const wrongType = await create(
      ref.api,
      key(),
      bodyFor(directory(), { config: { job: { configuration_id: "cfg-x", type: "parse_v9" as never } } }),
    );
    expect(wrongType.status).toBe(422);
    expect(issuesOf(wrongType.body).map((i) => [i.type, i.loc])).toEqual([["enum", ["body", "config", "job", "type"]]]);

    const notAString = await create(ref.api, key(), { ...bodyFor(directory()), source_directory_id: 7 });
    expect(notAString.status).toBe(422);
    expect(issuesOf(notAString.body).map((i) => i.loc)).toEqual([["body", "source_directory_id"]]);
    expect(ref.api.store.size).toBe(before);
  });

  test("no body, a JSON null, broken JSON, an array, another content type: FastAPI's 422s", async () => {
    const expectations: [string | undefined, Record<string, string>, string, unknown[]][] = [
      [undefined, {}, "missing", ["body"]],
      ["null", { "content-type": "application/json" }, "missing", ["body"]],
      ['{"config":', { "content-type": "application/json" }, "json_invalid", ["body", 10]],
      ["[]", { "content-type": "application/json" }, "model_attributes_type", ["body"]],
    ];
    for (const [body, headers, type, loc] of expectations) {
      const reply = await create(ref.api, key(), body, {}, headers);
      expect([body, reply.status]).toEqual([body, 422]);
      expect(issuesOf(reply.body)[0]).toEqual(expect.objectContaining({ type, loc }));
      // What the spec package says of the same bytes, whole.
      const parsed = spec.parseBody("createBatch", body, headers["content-type"]);
      expect(parsed.ok ? [] : parsed.issues).toEqual(issuesOf(reply.body));
    }
    const text = await create(ref.api, key(), JSON.stringify(bodyFor(directory())), {}, { "content-type": "text/plain" });
    expect(text.status).toBe(422);
    expect(issuesOf(text.body)[0]?.loc).toEqual(["body"]);
  });

  test("a bad query and a bad body are reported together, the query first (FastAPI's order); broken JSON alone", async () => {
    const reply = await create(ref.api, key(), { config: EXAMPLE_BODY.config }, { organization_id: "not-a-uuid" });
    expect(reply.status).toBe(422);
    expect(issuesOf(reply.body).map((i) => i.loc)).toEqual([
      ["query", "organization_id"],
      ["body", "source_directory_id"],
    ]);
    // FastAPI decodes the body before validating anything: a decode error is the only issue.
    const broken = await create(ref.api, key(), "{", { organization_id: "not-a-uuid" });
    expect(issuesOf(broken.body).map((i) => i.type)).toEqual(["json_invalid"]);
  });

  test("a body nested thousands of levels deep, wrong or extra: a 422 or 200, and the server lives on", async () => {
    const [key] = keysOf(ref.api).project;
    if (!key) throw new Error("no project key");
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    // As a wrong value: the 422 echoes it, cut to a depth that any serialiser can take.
    const wrong = await create(
      ref.api,
      key,
      `{"source_directory_id":${deep(20_000)},"config":{"job":{"type":"parse_v2","configuration_id":"c"}}}`,
    );
    expect(wrong.status).toBe(422);
    expect(JSON.stringify(issuesOf(wrong.body)[0]?.loc)).toBe('["body","source_directory_id"]');
    // As an unknown field: ignored.
    const extra = await create(
      ref.api,
      key,
      `{"x":${deep(20_000)},"source_directory_id":"d","config":{"job":{"type":"parse_v2","configuration_id":"c"}}}`,
    );
    expect(extra.status).toBe(200);
    expect((await getList(ref.api, bearer(key.key), { page_size: "1" })).status).toBe(200);
  });

  test("without credentials: 401 with a challenge, before the body is judged", async () => {
    const reply = await create(ref.api, undefined, "{broken");
    expect(reply.status).toBe(401);
    expect(reply.headers.get("www-authenticate")).toBe("Bearer");
    expect((await create(ref.api, "llx-unknown", bodyFor(directory()))).status).toBe(401);
  });

  test(`a body over ${BODY_LIMIT_BYTES} bytes is a 413, unread`, async () => {
    const reply = await create(ref.api, key(), { ...bodyFor(directory()), padding: "x".repeat(BODY_LIMIT_BYTES) });
    expect(reply.status).toBe(413);
    expect(typeof (reply.body as { detail?: unknown }).detail).toBe("string");
  });
});
