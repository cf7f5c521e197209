/**
 * `POST /api/v2/batches/{batch_id}/cancel` against its rules (`x-rules` of cancelBatch): a batch
 * that is not final is answered at once as it is and reaches CANCELLED at the next step
 * (cancel-answers-batch), again and again alike (cancel-repeatable); a final one is the decided
 * 400 naming its status and does not change (cancel-final-refused, cancel-final-status); a body is
 * ignored; one 404 for an unknown and an unseen id (same-404).
 */
import { randomUUID } from "node:crypto";
import type { Batch } from "@llama-batches/client";
import { getSpec } from "@llama-batches/spec";
import { describe, expect, test } from "vitest";
import type { ApiKey } from "../src/index.js";
import {
  BATCH_NOT_FOUND,
  bodyFor,
  CREATED_STATUS,
  cancel,
  cancelPath,
  created,
  FINAL_STATUSES,
  keysOf,
  rawText,
  read,
  scopeKeys,
} from "./batches.js";
import { bearer, expectedBatches, useReferenceApi } from "./helpers.js";

const spec = getSpec();
const ref = useReferenceApi({ seed: 17, size: 300 });
const CANCELLED = spec.enumOf("BatchStatus").find((s) => s === "CANCELLED");

function orgKeyOf(b: Batch): ApiKey {
  const key = ref.api.apiKeys.find((k) => k.project_id === null && k.organization_id === ref.organizationOf.get(b.project_id));
  if (!key) throw new Error(`no key for ${b.id}`);
  return key;
}

describe("a batch in a final status", () => {
  test.each(FINAL_STATUSES)("%s: a 400 naming the status, and nothing changes", async (status) => {
    const b = ref.data.find((x) => x.status === status);
    if (!b) throw new Error(`no ${status} batch`);
    const key = orgKeyOf(b);
    const before = await read(ref.api, key, b.id, true);
    for (let i = 0; i < 2; i++) {
      const reply = await cancel(ref.api, key, b.id);
      expect(reply.status).toBe(400);
      expect(spec.validateSchema("ErrorDetail", reply.body)).toEqual([]);
      expect((reply.body as { detail: string }).detail).toContain(status);
      expect((reply.body as { detail: string }).detail).toContain(b.id);
    }
    ref.api.step();
    expect(await read(ref.api, key, b.id, true)).toEqual(before);
  });
});

describe("a batch that is not final", () => {
  test("answered at once as it is, alike when repeated, then CANCELLED at the next step, then refused", async () => {
    const [key] = keysOf(ref.api).project;
    if (!key) throw new Error("no project key");
    const batch = await created(ref.api, key, bodyFor(`dir-${randomUUID()}`));
    const first = await cancel(ref.api, key, batch.id);
    expect(first.status).toBe(200);
    expect(spec.validateSchema("Batch", first.body)).toEqual([]);
    expect(first.body).toEqual(batch);
    expect((first.body as Batch).status).toBe(CREATED_STATUS);
    const second = await cancel(ref.api, key, batch.id);
    expect(second).toMatchObject({ status: 200, body: first.body });
    expect(await read(ref.api, key, batch.id)).toEqual(batch);

    ref.api.step();
    const after = await read(ref.api, key, batch.id);
    expect(after.status).toBe(CANCELLED);
    expect(after.updated_at).not.toBe(batch.updated_at);
    expect((await cancel(ref.api, key, batch.id)).status).toBe(400);
  });

  test("a running batch keeps the results of the files it processed", async () => {
    const running = ref.data.filter((b) => b.status === "RUNNING");
    expect(running.length).toBeGreaterThan(3);
    for (const b of running.slice(0, 4)) {
      const key = orgKeyOf(b);
      const before = await read(ref.api, key, b.id, true);
      expect((await cancel(ref.api, key, b.id)).status).toBe(200);
      ref.api.step();
      const after = await read(ref.api, key, b.id, true);
      expect(after.status).toBe(CANCELLED);
      expect(after.results).toEqual(before.results);
    }
  });

  test("a body, of any type, is ignored", async () => {
    const [key] = keysOf(ref.api).project;
    if (!key) throw new Error("no project key");
    const batch = await created(ref.api, key, bodyFor(`dir-${randomUUID()}`));
    const bodies: [string, string][] = [
      ['{"reason":"x"}', "application/json"],
      ["{broken", "application/json"],
      ["a=b", "application/x-www-form-urlencoded"],
    ];
    for (const [body, type] of bodies) {
      const reply = await cancel(ref.api, key, batch.id, {}, { body, headers: { "content-type": type } });
      expect([body, reply.status]).toEqual([body, 200]);
    }
  });
});

describe("refusals", () => {
  test("one 404, byte for byte, for an unknown id and ids the key cannot see", async () => {
    const { orgKey, otherOrg, projectKey } = scopeKeys(ref.api);
    const notFinal = (b: Batch) => !FINAL_STATUSES.includes(b.status);
    // The data as it is now: other tests cancel batches of the generated data.
    const now = ref.api.store.all();
    const [foreign] = expectedBatches(now, ref.organizationOf, otherOrg).filter(notFinal);
    const [sibling] = expectedBatches(now, ref.organizationOf, orgKey).filter((b) => b.project_id !== projectKey.project_id && notFinal(b));
    if (!foreign || !sibling) throw new Error("data missing");
    const post = (key: string, path: string) => rawText(ref.api, path, { method: "POST", headers: bearer(key) });
    const unknown = await post(projectKey.key, cancelPath(`bat-${randomUUID()}`));
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toEqual(BATCH_NOT_FOUND);
    for (const answer of [
      await post(projectKey.key, cancelPath(foreign.id)),
      await post(projectKey.key, cancelPath(sibling.id)),
      await post(orgKey.key, cancelPath(sibling.id, { organization_id: otherOrg.organization_id })),
    ]) {
      expect(answer).toEqual(unknown);
    }
    // Nothing was cancelled by the refused requests.
    ref.api.step();
    expect((await read(ref.api, otherOrg, foreign.id)).status).toBe(foreign.status);
  });

  test("without credentials: 401; a bad organization_id: a 422 naming it; GET: a 405", async () => {
    const b = ref.data.find((x) => !FINAL_STATUSES.includes(x.status)) as Batch;
    expect((await cancel(ref.api, undefined, b.id)).status).toBe(401);
    const bad = await cancel(ref.api, orgKeyOf(b), b.id, { organization_id: "nope" });
    expect(bad.status).toBe(422);
    expect((bad.body as { detail: { loc: unknown[] }[] }).detail.map((d) => d.loc)).toEqual([["query", "organization_id"]]);
    const get = await fetch(`${ref.api.url}${cancelPath(b.id)}`, { headers: bearer(orgKeyOf(b).key) });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });
});
