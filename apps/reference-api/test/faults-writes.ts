/**
 * The checks of the fault modes of create, retrieve and cancel (see faults.test.ts, which runs
 * them): each shows, against a fault-free server with the same data, that the fault changes that
 * one behaviour, and that the rest of the operation still works.
 */
import { randomUUID } from "node:crypto";
import type { Batch } from "@llama-batches/client";
import { expect } from "vitest";
import type { ApiKey, FaultName, RunningReferenceApi } from "../src/index.js";
import {
  BATCH_NOT_FOUND,
  batchPath,
  bodyFor,
  cancel,
  create,
  EXAMPLE_BODY,
  EXPANDED,
  FINAL_STATUSES,
  keysOf,
  rawText,
  read,
  retrieve,
} from "./batches.js";
import { asPage, bearer, getList } from "./helpers.js";

export interface Servers {
  /** Started with the fault under test only. */
  faulty: RunningReferenceApi;
  /** Fault-free, same seed and size: the same data and keys. */
  clean: RunningReferenceApi;
}
export type Check = (servers: Servers) => Promise<void>;

const directory = () => `dir-${randomUUID()}`;

function orgKeyOf(api: RunningReferenceApi, b: Batch): ApiKey {
  const org = api.store.organizationOf(b.project_id);
  const key = api.apiKeys.find((k) => k.project_id === null && k.organization_id === org);
  if (!key) throw new Error(`no key for ${b.id}`);
  return key;
}

/** A generated batch in a final status, and one that is not (the same on both servers). */
function finalAndNot(api: RunningReferenceApi): { final: Batch; open: Batch } {
  const all = api.store.all();
  // The first final status (not CANCELLED, which a fault may turn it to).
  const final = all.find((b) => b.status === FINAL_STATUSES[0]);
  const open = all.find((b) => !FINAL_STATUSES.includes(b.status));
  if (!final || !open) throw new Error("the data needs final and open batches");
  return { final, open };
}

function projectKey(api: RunningReferenceApi): ApiKey {
  const [key] = keysOf(api).project;
  if (!key) throw new Error("no project key");
  return key;
}

const issues = (body: unknown) => (body as { detail: { type: string; loc: unknown[] }[] }).detail;

export const writeChecks: Partial<Record<FaultName, Check>> = {
  async "cancel-final-409"({ faulty, clean }) {
    const { final, open } = finalAndNot(clean);
    const key = orgKeyOf(clean, final);
    const good = await cancel(clean, key, final.id);
    const bad = await cancel(faulty, key, final.id);
    expect(good.status).toBe(400);
    expect([bad.status, bad.body]).toEqual([409, good.body]);
    expect((await read(faulty, key, final.id)).status).toBe(final.status);
    // A batch that is not final is still cancelled normally.
    expect((await cancel(faulty, orgKeyOf(faulty, open), open.id)).status).toBe(200);
  },

  async "cancel-final-mutates"({ faulty, clean }) {
    const { final, open } = finalAndNot(clean);
    const key = orgKeyOf(clean, final);
    expect((await cancel(clean, key, final.id)).status).toBe(400);
    expect((await read(clean, key, final.id)).status).toBe(final.status);
    const bad = await cancel(faulty, key, final.id);
    expect(bad.status).toBe(200);
    const cancelled = await read(faulty, key, final.id);
    expect(cancelled.status).not.toBe(final.status);
    expect(cancelled.status).toBe("CANCELLED");
    expect((bad.body as Batch).status).toBe(cancelled.status);
    // An open batch: answered as it is, as without the fault.
    const openKey = orgKeyOf(faulty, open);
    expect(await cancel(faulty, openKey, open.id)).toMatchObject({ status: 200, body: { status: open.status } });
  },

  async "leaky-404"({ faulty, clean }) {
    const [mine, other] = keysOf(clean).org;
    if (!mine || !other) throw new Error("two organizations needed");
    const foreign = clean.store.all().find((b) => clean.store.organizationOf(b.project_id) === other.organization_id);
    if (!foreign) throw new Error("no foreign batch");
    const get = (api: RunningReferenceApi, id: string) => rawText(api, batchPath(id), { headers: bearer(mine.key) });
    const unknownId = `bat-${randomUUID()}`;
    const [goodUnknown, goodForeign, badUnknown, badForeign] = [
      await get(clean, unknownId),
      await get(clean, foreign.id),
      await get(faulty, unknownId),
      await get(faulty, foreign.id),
    ];
    expect(goodForeign).toEqual(goodUnknown);
    expect(badUnknown).toEqual(goodUnknown);
    expect(JSON.parse(goodUnknown.text)).toEqual(BATCH_NOT_FOUND);
    expect(badForeign.status).toBe(404);
    expect(badForeign.text, "the 404 of an unseen batch differs from an unknown id's").not.toBe(badUnknown.text);
    expect(badForeign.text).toContain(foreign.project_id);
    // Cancel leaks the same way; the batch in its own scope is served.
    expect(JSON.stringify((await cancel(faulty, mine, foreign.id)).body)).toContain(foreign.project_id);
    expect((await retrieve(faulty, other, foreign.id)).status).toBe(200);
  },

  async "results-always"({ faulty, clean }) {
    const { final } = finalAndNot(clean);
    const key = orgKeyOf(clean, final);
    expect((await read(clean, key, final.id)).results).toBeNull();
    const expanded = await read(clean, key, final.id, true);
    expect(Array.isArray(expanded.results)).toBe(true);
    expect(await read(faulty, key, final.id), "results without expand").toEqual(expanded);
    expect((await retrieve(faulty, key, final.id, { expand: "files" })).status).toBe(422);
  },

  async "expand-ignored"({ faulty, clean }) {
    const { final } = finalAndNot(clean);
    const key = orgKeyOf(clean, final);
    const expanded = await read(clean, key, final.id, true);
    expect(Array.isArray(expanded.results)).toBe(true);
    expect(await read(faulty, key, final.id, true), "expand=results ignored").toEqual({ ...expanded, results: null });
    expect(await read(faulty, key, final.id)).toEqual(await read(clean, key, final.id));
    expect((await retrieve(faulty, key, final.id, { expand: [EXPANDED, "files"] })).status).toBe(422);
  },

  async "create-ignores-body"({ faulty, clean }) {
    const key = projectKey(clean);
    const body = bodyFor(directory(), { config: { job: { configuration_id: `cfg-${randomUUID()}`, type: EXAMPLE_BODY.config.job.type } } });
    const good = (await create(clean, key, body)).body as Batch;
    expect([good.source_directory_id, good.config]).toEqual([body.source_directory_id, body.config]);
    const reply = await create(faulty, key, body);
    expect(reply.status).toBe(200);
    const bad = reply.body as Batch;
    expect(bad.source_directory_id).not.toBe(body.source_directory_id);
    expect(bad.config.job.configuration_id).not.toBe(body.config.job.configuration_id);
    // Stored as answered: retrieve agrees with the create's answer, not with the body.
    expect(await read(faulty, key, bad.id)).toEqual(bad);
    // Validation still runs.
    expect((await create(faulty, key, { config: body.config })).status).toBe(422);
  },

  async "strict-body"({ faulty, clean }) {
    const key = projectKey(clean);
    const body = { ...bodyFor(directory()), priority: "high" };
    expect((await create(clean, key, body)).status).toBe(200);
    const bad = await create(faulty, key, body);
    expect(bad.status).toBe(422);
    expect(issues(bad.body)).toEqual([expect.objectContaining({ type: "extra_forbidden", loc: ["body", "priority"] })]);
    expect((await create(faulty, key, bodyFor(directory()))).status).toBe(200);
  },

  async "lenient-body"({ faulty, clean }) {
    const key = projectKey(clean);
    const { source_directory_id: _, ...body } = bodyFor(directory());
    const good = await create(clean, key, body);
    expect(good.status).toBe(422);
    expect(issues(good.body).map((i) => i.loc)).toEqual([["body", "source_directory_id"]]);
    expect((await create(faulty, key, body)).status).toBe(200);
    // Another missing field is still refused.
    expect((await create(faulty, key, { source_directory_id: directory() })).status).toBe(422);
  },

  async "create-not-readable"({ faulty, clean }) {
    const key = projectKey(clean);
    const dir = directory();
    const good = (await create(clean, key, bodyFor(dir))).body as Batch;
    expect((await retrieve(clean, key, good.id)).status).toBe(200);
    const reply = await create(faulty, key, bodyFor(dir));
    expect(reply.status).toBe(200);
    const bad = reply.body as Batch;
    const missing = await retrieve(faulty, key, bad.id);
    expect([missing.status, missing.body]).toEqual([404, BATCH_NOT_FOUND]);
    // The list shows it, and generated batches are still readable.
    expect(asPage(await getList(faulty, bearer(key.key), { source_directory_id: dir })).items.map((b) => b.id)).toEqual([bad.id]);
    const [listed] = asPage(await getList(faulty, bearer(key.key), { page_size: 2 })).items.filter((b) => b.id !== bad.id);
    expect((await retrieve(faulty, key, listed?.id ?? "")).status).toBe(200);
  },
};
