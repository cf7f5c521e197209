/**
 * `GET /api/v2/batches/{batch_id}` against its rules (`x-rules` of getBatch): the batch asked for,
 * `results` only with `expand=results` (one entry per file of the source directory, deterministic),
 * another `expand` value a 422, and one 404, byte for byte, for an unknown id and for one the
 * credentials cannot see (same-404, unseen-scope-404).
 */
import { randomUUID } from "node:crypto";
import type { Batch } from "@llama-batches/client";
import { getSpec } from "@llama-batches/spec";
import { describe, expect, test } from "vitest";
import { BATCH_NOT_FOUND, batchPath, EXPANDED, FINAL_STATUSES, keysOf, rawText, read, retrieve, scopeKeys } from "./batches.js";
import { asPage, bearer, expectedBatches, getList, useReferenceApi } from "./helpers.js";

const spec = getSpec();
const ref = useReferenceApi({ seed: 13, size: 300 });

/** Per job type, the prefix of its job ids: the parse job's is the SDK's `pjb-`. */
const JOB_ID = /^(pjb|ejb)-[0-9a-f-]{36}$/;

describe("reading a batch", () => {
  test("every batch of a key's first pages reads back as the list shows it, results null", async () => {
    for (const key of ref.api.apiKeys.slice(0, 3)) {
      const page = asPage(await getList(ref.api, bearer(key.key), { page_size: 30 }));
      expect(page.items.length).toBeGreaterThan(0);
      for (const b of page.items) {
        const reply = await retrieve(ref.api, key, b.id);
        expect(reply.status).toBe(200);
        expect(spec.validateSchema("Batch", reply.body)).toEqual([]);
        expect(reply.body).toEqual({ ...b, results: null });
      }
    }
  });

  test("HEAD is a GET without a body", async () => {
    const [key] = keysOf(ref.api).org;
    const id = ref.data.find((b) => ref.organizationOf.get(b.project_id) === key?.organization_id)?.id ?? "";
    const res = await fetch(`${ref.api.url}${batchPath(id)}`, { method: "HEAD", headers: bearer(key?.key ?? "") });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  test("without credentials: 401; with a malformed expand: a 422 naming it", async () => {
    const b = ref.data[0] as Batch;
    expect((await retrieve(ref.api, undefined, b.id)).status).toBe(401);
    const key = ref.api.apiKeys.find((k) => k.organization_id === ref.organizationOf.get(b.project_id) && k.project_id === null);
    const reply = await retrieve(ref.api, key, b.id, { expand: ["results", "files"] });
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({ detail: [expect.objectContaining({ type: "enum", loc: ["query", "expand", 1], input: "files" })] });
    const bad = await retrieve(ref.api, key, b.id, { organization_id: "x" });
    expect((bad.body as { detail: { loc: unknown[] }[] }).detail[0]?.loc).toEqual(["query", "organization_id"]);
  });
});

describe("expand=results", () => {
  const orgKeyOf = (b: Batch) =>
    ref.api.apiKeys.find((k) => k.project_id === null && k.organization_id === ref.organizationOf.get(b.project_id));

  test("one entry per file of the directory; the same directory has the same files in every batch", async () => {
    const byDirectory = new Map<string, Batch[]>();
    for (const b of ref.data) byDirectory.set(b.source_directory_id, [...(byDirectory.get(b.source_directory_id) ?? []), b]);
    const shared = [...byDirectory.values()].filter((bs) => bs.length >= 2).slice(0, 5);
    expect(shared.length).toBeGreaterThan(0);
    for (const batches of shared) {
      const files = new Set<string>();
      for (const b of batches) {
        const key = orgKeyOf(b);
        if (!key) throw new Error("no key");
        const got = await read(ref.api, key, b.id, true);
        expect(Array.isArray(got.results)).toBe(true);
        const ids = (got.results ?? []).map((r) => r.source_directory_file_id);
        expect(ids.length).toBeGreaterThan(0);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of ids) expect(id).toMatch(/^dfl-[0-9a-f-]{36}$/);
        if (files.size === 0) for (const id of ids) files.add(id);
        expect(new Set(ids)).toEqual(files);
        // The rest of the batch is as it is without expand.
        expect({ ...got, results: null }).toEqual(await read(ref.api, key, b.id));
      }
    }
  });

  test("a completed batch has every file processed: a job of its type, or the file's own error", async () => {
    const completed = ref.data.filter((b) => b.status === "COMPLETED").slice(0, 20);
    expect(completed.length).toBeGreaterThan(5);
    let errors = 0;
    for (const b of completed) {
      const got = await read(ref.api, orgKeyOf(b) ?? (undefined as never), b.id, true);
      for (const r of got.results ?? []) {
        if (r.job_reference) {
          expect(r.job_reference.type).toBe(b.config.job.type);
          expect(r.job_reference.id).toMatch(JOB_ID);
          expect(r.error_message ?? null).toBeNull();
        } else {
          expect(typeof r.error_message).toBe("string");
          errors += 1;
        }
      }
      // Deterministic: the same answer twice.
      expect(await read(ref.api, orgKeyOf(b) ?? (undefined as never), b.id, true)).toEqual(got);
    }
    expect(errors, "some files fail on their own").toBeGreaterThan(0);
  });

  test("a batch not yet running has no file processed", async () => {
    const waiting = ref.data.filter((b) => b.status === "PENDING").slice(0, 5);
    expect(waiting.length).toBeGreaterThan(0);
    for (const b of waiting) {
      const got = await read(ref.api, orgKeyOf(b) ?? (undefined as never), b.id, true);
      for (const r of got.results ?? []) expect([r.job_reference ?? null, r.error_message ?? null]).toEqual([null, null]);
    }
  });

  test("expand repeated is still results; lists keep results null after a batch was expanded", async () => {
    const b = ref.data.find((x) => FINAL_STATUSES.includes(x.status)) as Batch;
    const key = orgKeyOf(b);
    if (!key) throw new Error("no key");
    const once = await retrieve(ref.api, key, b.id, { expand: EXPANDED });
    const twice = await retrieve(ref.api, key, b.id, { expand: [EXPANDED, EXPANDED] });
    expect(twice.body).toEqual(once.body);
    const listed = asPage(await getList(ref.api, bearer(key.key), { source_directory_id: b.source_directory_id, page_size: 100 }));
    expect(listed.items.find((x) => x.id === b.id)?.results ?? null).toBeNull();
  });
});

describe("one 404 for an unknown id and an id the credentials cannot see", () => {
  test("byte for byte, whatever makes the batch unseen", async () => {
    const { orgKey, otherOrg, projectKey } = scopeKeys(ref.api);
    const [own] = expectedBatches(ref.data, ref.organizationOf, projectKey);
    const [sibling] = expectedBatches(ref.data, ref.organizationOf, orgKey).filter((b) => b.project_id !== projectKey.project_id);
    const [foreign] = expectedBatches(ref.data, ref.organizationOf, otherOrg);
    if (!own || !sibling || !foreign) throw new Error("data missing");

    const get = (key: string, path: string) => rawText(ref.api, path, { headers: bearer(key) });
    const unknown = await get(projectKey.key, batchPath(`bat-${randomUUID()}`));
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toEqual(BATCH_NOT_FOUND);
    const unseen = [
      await get(projectKey.key, batchPath(foreign.id)),
      await get(projectKey.key, batchPath(sibling.id)),
      await get(orgKey.key, batchPath(foreign.id)),
      await get(orgKey.key, batchPath(own.id, { project_id: sibling.project_id })),
      await get(orgKey.key, batchPath(own.id, { organization_id: otherOrg.organization_id })),
      await get(projectKey.key, batchPath(own.id, { project_id: randomUUID() })),
      await get(orgKey.key, batchPath(`bat-${randomUUID()}`, { expand: EXPANDED })),
    ];
    for (const answer of unseen) expect(answer).toEqual(unknown);
    // And the same batches read in their own scope are there.
    expect((await get(projectKey.key, batchPath(own.id, { project_id: own.project_id }))).status).toBe(200);
    expect((await get(otherOrg.key, batchPath(foreign.id))).status).toBe(200);
  });
});
