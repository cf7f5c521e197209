/**
 * `client.batches.sync` against the reference API while the data changes between runs, as a
 * pipeline sees it: new batches are created, recent ones reach a final status, a run crashes half-way
 * and resumes from its checkpoint. Every run must see each batch it should exactly once, the lookback
 * must bring back recent status changes, and a resume must lose nothing.
 *
 * The data changes only through the admin routes, over HTTP; what a run should see is read from the
 * store directly (the model in helpers.ts), never through the API under test.
 */
import {
  type Batch,
  type BatchesClient,
  type BatchStatus,
  createBatchesClient,
  type SyncCheckpoint,
  type SyncParams,
} from "@llama-batches/client";
import { compareInstants, getSpec, instantOf } from "@llama-batches/spec";
import { beforeAll, expect, test } from "vitest";
import { ADMIN_TOKEN_HEADER } from "../src/index.js";
import { DAY, expectedBatches, useReferenceApi } from "./helpers.js";

const ref = useReferenceApi({ port: 0, seed: 41, size: 400, admin: true, precision: "microseconds" });

const spec = getSpec();
const finals = new Set(spec.finalStatuses);
const [final] = spec.finalStatuses as [BatchStatus];
const [unfinished] = (spec.enumOf("BatchStatus") as BatchStatus[]).filter((s) => !finals.has(s)) as [BatchStatus];
const HOUR = 3_600_000;

const key = () => ref.orgKeys[0] as (typeof ref.orgKeys)[number];
const visible = (b: Batch) => ref.organizationOf.get(b.project_id) === key().organization_id;
const ms = (dateTime: string) => instantOf(dateTime).seconds * 1000;
/** An RFC 3339 date-time `offset` ms after `dateTime`'s second, with a microsecond fraction. */
const micro = (dateTime: string, offset: number, fraction = "000001") =>
  new Date(ms(dateTime) + offset).toISOString().replace(/\.\d{3}Z$/, `.${fraction}Z`);
const newest = (batches: readonly Batch[]): string =>
  batches.flatMap((b) => (b.created_at ? [b.created_at] : [])).sort((a, b) => compareInstants(instantOf(b), instantOf(a)))[0] as string;
/** The run's lower bound, as the client must send it: since − lookback, down to the second. */
const lowerBound = (since: string, lookback: number) => new Date(Math.floor((ms(since) - lookback) / 1000) * 1000).toISOString();
/** What the key must see now from `from` on. */
const expectedIds = (from: string) =>
  new Set(expectedBatches(ref.api.store.all(), ref.organizationOf, key(), { after: from }).map((b) => b.id));

async function admin(method: "POST" | "PATCH", path: string, body: unknown): Promise<Batch> {
  const res = await fetch(`${ref.api.url}/_admin/batches${path}`, {
    method,
    headers: { "content-type": "application/json", [ADMIN_TOKEN_HEADER]: ref.api.adminToken ?? "" },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as Batch;
  expect(res.status, JSON.stringify(answer)).toBeLessThan(300);
  return answer;
}

let serial = 0;
/** A new unfinished batch, in a project the key sees, created at `createdAt`. */
function insert(createdAt: string): Promise<Batch> {
  serial += 1;
  const template = ref.data.find(visible) as Batch;
  const id = `bat-5c000000-0000-4000-8000-${String(serial).padStart(12, "0")}`;
  return admin("POST", "", { ...template, id, status: unfinished, created_at: createdAt, updated_at: createdAt, results: null });
}
const finish = (id: string) => admin("PATCH", `/${id}`, { status: final });

/** One run: its batches, its checkpoints; it stops after `crashAfter` checkpoints (a crash). */
async function run(client: BatchesClient, params: SyncParams, crashAfter = Number.POSITIVE_INFINITY) {
  const batches: Batch[] = [];
  const checkpoints: SyncCheckpoint[] = [];
  for await (const event of client.batches.sync(params)) {
    if (event.type === "batch") batches.push(event.batch);
    else if (checkpoints.push(event.checkpoint) >= crashAfter) break;
  }
  const ids = batches.map((b) => b.id);
  expect(ids.length, "a batch was yielded twice in one run").toBe(new Set(ids).size);
  return { batches, ids: new Set(ids), checkpoints, last: checkpoints.at(-1) as SyncCheckpoint };
}
const statusIn = (r: { batches: Batch[] }, id: string) => r.batches.find((b) => b.id === id)?.status;

let client: BatchesClient;
beforeAll(() => {
  client = createBatchesClient({ apiKey: key().key, baseUrl: ref.api.url, maxRetries: 0 });
});

test("run → writes → run from the checkpoint → crash → writes → resume → run: nothing skipped, nothing twice, status changes seen", async () => {
  const seeded = newest(ref.data.filter(visible));
  // Unfinished batches an hour and five days before the newest: one inside the next run's lookback, one far out of it.
  const recent = await insert(micro(seeded, -HOUR));
  const old = await insert(micro(seeded, -5 * DAY));
  const since = micro(seeded, -14 * DAY, "999999");

  // Run 1: everything from since − lookback (a day), in pages of 3.
  const first = await run(client, { since, page_size: 3 });
  expect(first.ids).toEqual(expectedIds(lowerBound(since, DAY)));
  expect(first.checkpoints.length, "several pages").toBeGreaterThan(2);
  expect(first.checkpoints.slice(0, -1).every((c) => c.watermark === since && c.resumeToken !== null)).toBe(true);
  expect(first.last).toEqual({ watermark: seeded, resumeToken: null });

  // Between runs: two batches created after the watermark (one in its very second), one created
  // late (before it, inside the lookback), and two batches reaching a final status.
  const created = [await insert(micro(seeded, 0, "999999")), await insert(micro(seeded, 60_000))];
  const late = await insert(micro(seeded, -2 * HOUR));
  await finish(recent.id);
  await finish(old.id);

  // Run 2, from run 1's checkpoint: the new, the late, and the recent change; not the old one.
  const second = await run(client, { since: first.last.watermark, page_size: 3 });
  expect(second.ids).toEqual(expectedIds(lowerBound(seeded, DAY)));
  for (const b of [...created, late]) expect(second.ids.has(b.id), b.id).toBe(true);
  expect(statusIn(second, recent.id)).toBe(final);
  expect(second.ids.has(old.id), "outside the lookback: not read again").toBe(false);
  expect(second.last.watermark).toBe(created[1]?.created_at);

  // Run 3 crashes after its second checkpoint; meanwhile a batch arrives and an unread one finishes.
  const params: SyncParams = { since: second.last.watermark, lookback: 7 * DAY, page_size: 3 };
  const window = expectedIds(lowerBound(second.last.watermark, 7 * DAY));
  const crashed = await run(client, params, 2);
  expect(crashed.last.resumeToken).not.toBeNull();
  expect(crashed.last.watermark, "a checkpoint mid-run keeps the run's start").toBe(second.last.watermark);
  const meanwhile = await insert(micro(second.last.watermark, HOUR));
  const unread = [...window].find((id) => !crashed.ids.has(id) && !finals.has(ref.api.store.get(id)?.status ?? final));
  expect(unread, "the window has an unfinished batch past the crash").toBeDefined();
  await finish(unread as string);

  const resumed = await run(client, { ...params, since: crashed.last.watermark, resumeToken: crashed.last.resumeToken });
  const union = new Set([...crashed.ids, ...resumed.ids]);
  for (const id of window) expect(union.has(id), `${id} was lost across the crash`).toBe(true);
  expect(statusIn(resumed, unread as string)).toBe(final);
  // The run's newest batch was read before the crash: the resumed run's watermark still counts it.
  expect(resumed.last).toEqual({ watermark: second.last.watermark, resumeToken: null });

  // The batch that arrived during the crash is newer than the whole window: the next run has it.
  const fourth = await run(client, { since: resumed.last.watermark, lookback: 0 });
  expect(fourth.ids.has(meanwhile.id)).toBe(true);
  expect(fourth.last.watermark).toBe(meanwhile.created_at);
});

test("the same run twice with no writes between sees the same batches, whatever the page size", async () => {
  const since = micro(newest(ref.api.store.all().filter(visible)), -3 * DAY);
  const a = await run(client, { since, page_size: 2 });
  const b = await run(client, { since, page_size: 100 });
  expect(a.ids.size).toBeGreaterThan(2);
  expect(a.ids).toEqual(b.ids);
  expect(a.last).toEqual(b.last);
});

test("a project key's sync stays in its project", async () => {
  const projectKey = ref.projectKeys[0] as (typeof ref.projectKeys)[number];
  const scoped = createBatchesClient({ apiKey: projectKey.key, baseUrl: ref.api.url, maxRetries: 0 });
  const { batches } = await run(scoped, { since: micro(newest(ref.api.store.all()), -60 * DAY), lookback: 0 });
  expect(batches.length).toBeGreaterThan(0);
  expect(batches.every((b) => b.project_id === projectKey.project_id)).toBe(true);
});
