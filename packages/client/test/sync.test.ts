import { getSpec } from "@llama-batches/spec";
import { describe, expect, test } from "vitest";
import {
  type Batch,
  BatchesError,
  type BatchStatus,
  compareBatches,
  compareDateTimes,
  createBatchesClient,
  type SyncEvent,
  type SyncParams,
} from "../src/index.js";
import { batch, type Call, fakeFetch, json, TEST_KEY } from "./helpers/fake-fetch.js";

/**
 * A list endpoint over `data` (read at each request, so a test may change it between pages): newest
 * first, `created_at_on_or_after` and `status` applied, keyset page tokens bound to the lower bound
 * as the spec's are (a token sent with another bound is a 422).
 */
function listServer(data: Batch[]) {
  const { fetch, calls } = fakeFetch((call: Call) => {
    const q = call.url.searchParams;
    const from = q.get("created_at_on_or_after");
    const size = Number(q.get("page_size") ?? 20);
    const rows = data
      .filter((b) => from === null || (b.created_at != null && compareDateTimes(b.created_at, from) >= 0))
      .filter((b) => !q.has("status") || b.status === q.get("status"))
      .sort(compareBatches);
    let start = 0;
    const token = q.get("page_token");
    if (token !== null) {
      const [bound, after] = JSON.parse(token) as [string | null, Batch];
      if (bound !== from)
        return json({ detail: [{ type: "value_error", loc: ["query", "page_token"], msg: "bad token", input: token }] }, 422);
      start = rows.findIndex((b) => compareBatches(b, after) > 0);
      if (start < 0) start = rows.length;
    }
    const items = rows.slice(start, start + size);
    const last = items.at(-1);
    return json(start + size < rows.length && last ? { items, next_page_token: JSON.stringify([from, last]) } : { items });
  });
  return { client: createBatchesClient({ apiKey: TEST_KEY, fetch, maxRetries: 0 }), calls };
}

const at = (iso: string, overrides: Partial<Batch> = {}) => batch({ created_at: iso, ...overrides });

async function collect(events: AsyncIterable<SyncEvent>, stopAfterCheckpoints = Number.POSITIVE_INFINITY) {
  const batches: Batch[] = [];
  const checkpoints: { watermark: string; resumeToken: string | null }[] = [];
  for await (const event of events) {
    if (event.type === "batch") batches.push(event.batch);
    else {
      checkpoints.push(event.checkpoint);
      if (checkpoints.length >= stopAfterCheckpoints) break;
    }
  }
  return { batches, checkpoints, ids: batches.map((b) => b.id) };
}

const DAY = 86_400_000;
const finals = new Set(getSpec().finalStatuses);
const statuses = getSpec().enumOf("BatchStatus") as BatchStatus[];
const [unfinished] = statuses.filter((s) => !finals.has(s)) as [BatchStatus];
const [final] = getSpec().finalStatuses as [BatchStatus];

describe("sync", () => {
  test("reads from since − lookback rounded down to the second, 100 a page unless told", async () => {
    const { client, calls } = listServer([]);
    await collect(client.batches.sync({ since: "2026-11-30T08:00:00.999999Z" }));
    expect(calls[0]?.url.searchParams.get("created_at_on_or_after")).toBe(new Date(Date.parse("2026-11-30T08:00:00Z") - DAY).toISOString());
    expect(calls[0]?.url.searchParams.get("page_size")).toBe("100");
    await collect(client.batches.sync({ since: new Date("2026-11-30T08:00:00.5Z"), lookback: 0, page_size: 7, status: final }));
    const q = calls[1]?.url.searchParams;
    expect(q?.get("created_at_on_or_after")).toBe("2026-11-30T08:00:00.000Z");
    expect(q?.get("page_size")).toBe("7");
    expect(q?.get("status")).toBe(final);
  });

  test("a batch at the watermark's own second is not skipped (microseconds the client cannot hold)", async () => {
    const edge = at("2026-11-30T08:00:00.000001Z");
    const { client } = listServer([edge]);
    const { ids } = await collect(client.batches.sync({ since: "2026-11-30T08:00:00.5Z", lookback: 0 }));
    expect(ids).toEqual([edge.id]);
  });

  test("every batch once, checkpoints after each page; the watermark moves only at the end, to the newest created_at to the digit", async () => {
    const data = Array.from({ length: 7 }, (_, i) => at(`2026-11-30T08:00:0${i}.12345${i}Z`));
    const { client } = listServer(data);
    const since = "2026-11-30T07:00:00Z";
    const run = await collect(client.batches.sync({ since, lookback: 0, page_size: 3 }));
    expect(run.ids.sort()).toEqual(data.map((b) => b.id).sort());
    expect(run.checkpoints.map((c) => c.watermark)).toEqual([since, since, "2026-11-30T08:00:06.123456Z"]);
    expect(run.checkpoints.map((c) => c.resumeToken === null)).toEqual([false, false, true]);
  });

  test("the watermark never goes back: a run that sees nothing newer keeps since", async () => {
    const { client } = listServer([at("2026-11-30T08:00:00Z")]);
    const since = "2026-11-30T09:00:00.25+01:00";
    const { checkpoints } = await collect(client.batches.sync({ since }));
    expect(checkpoints).toEqual([{ watermark: since, resumeToken: null }]);
  });

  test("exactly once per id per run, even when the server repeats one across pages", async () => {
    const data = Array.from({ length: 6 }, (_, i) => at(`2026-11-30T08:00:0${i}Z`));
    const { client } = listServer(data);
    // A status change between pages moves a batch's row into a later page's window: simulate the repeat.
    const events = client.batches.sync({ since: "2026-11-30T00:00:00Z", lookback: 0, page_size: 2 });
    const seen: string[] = [];
    let pages = 0;
    for await (const e of events) {
      if (e.type === "batch") seen.push(e.batch.id);
      else if (++pages === 1) data.push({ ...(data[5] as Batch), created_at: "2026-11-30T08:00:00.5Z", status: final });
    }
    expect(seen).toHaveLength(new Set(seen).size);
    expect(new Set(seen)).toEqual(new Set(data.map((b) => b.id)));
  });

  test("a run stopped half-way resumes from its token: nothing lost, and the final watermark counts what came before", async () => {
    const data = Array.from({ length: 9 }, (_, i) => at(`2026-11-30T08:00:0${i}Z`));
    const { client, calls } = listServer(data);
    const params: SyncParams = { since: "2026-11-29T00:00:00Z", lookback: 0, page_size: 4 };
    const first = await collect(client.batches.sync(params), 1);
    expect(first.ids).toHaveLength(4);
    const checkpoint = first.checkpoints[0];
    // New batches arrive while the pipeline is down: newer than the run's first page.
    data.push(at("2026-11-30T09:00:00Z"));
    const resumed = await collect(
      client.batches.sync({ ...params, since: checkpoint?.watermark ?? "", resumeToken: checkpoint?.resumeToken }),
    );
    expect(new Set([...first.ids, ...resumed.ids])).toEqual(new Set(data.slice(0, 9).map((b) => b.id)));
    expect(resumed.ids.filter((id) => first.ids.includes(id))).toEqual([]);
    // The same bound as the first run (the token is bound to it), and the newest seen before the stop.
    expect(calls.at(-1)?.url.searchParams.get("created_at_on_or_after")).toBe(calls[0]?.url.searchParams.get("created_at_on_or_after"));
    expect(resumed.checkpoints.at(-1)).toEqual({ watermark: "2026-11-30T08:00:08Z", resumeToken: null });
    // The next run from that watermark sees the batch that arrived meanwhile.
    const next = await collect(client.batches.sync({ since: "2026-11-30T08:00:08Z", lookback: 0 }));
    expect(next.ids).toContain(data[9]?.id);
  });

  test("status changes inside the lookback are seen again on the next run", async () => {
    const old = at("2026-11-30T06:00:00Z", { status: unfinished });
    const { client } = listServer([old, at("2026-11-30T08:00:00Z")]);
    const first = await collect(client.batches.sync({ since: "2026-11-30T00:00:00Z" }));
    const watermark = first.checkpoints.at(-1)?.watermark ?? "";
    old.status = final;
    const again = await collect(client.batches.sync({ since: watermark, lookback: 3 * 3_600_000 }));
    expect(again.batches.find((b) => b.id === old.id)?.status).toBe(final);
    const narrow = await collect(client.batches.sync({ since: watermark, lookback: 3_600_000 }));
    expect(narrow.ids).not.toContain(old.id);
  });

  test.each<[string, Partial<SyncParams>]>([
    ["a since that is no date", { since: "yesterday" }],
    ["a since without an offset (local time on this machine)", { since: "2026-11-30T00:00:00" }],
    ["a negative lookback", { lookback: -1 }],
    ["an invalid Date", { since: new Date(Number.NaN) }],
    ["an endless lookback", { lookback: Number.POSITIVE_INFINITY }],
    ["a forged resume token", { resumeToken: "page-2" }],
    ["a token of the wrong shape", { resumeToken: "[1,2,3]" }],
  ])("%s is a BatchesError before any request", async (_, bad) => {
    const { client, calls } = listServer([]);
    await expect(collect(client.batches.sync({ since: "2026-11-30T00:00:00Z", ...bad }))).rejects.toBeInstanceOf(BatchesError);
    expect(calls).toHaveLength(0);
  });
});
