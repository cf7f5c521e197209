import type { Batch } from "@llama-batches/client";
import fc from "fast-check";
import { cancelCall, createCall, getCall, listCall, send, unknownId } from "../calls.js";
import type { Exchange } from "../target.js";
import { type Context, type Invariant, itemsOf, tokenOf, violation } from "./support.js";
import { create, validCreate, validCreateBody } from "./writes.js";

const batchOf = (x: Exchange) => x.body as Batch | undefined;
const ok = (x: Exchange) => x.status >= 200 && x.status < 300;

/** Whether every leaf of `sent` is in `got` with the same value: what an echo must carry. */
function carries(got: unknown, sent: unknown): boolean {
  if (sent === null || typeof sent !== "object") return JSON.stringify(got) === JSON.stringify(sent);
  if (got === null || typeof got !== "object") return false;
  return Object.entries(sent).every(([k, v]) => carries((got as Record<string, unknown>)[k], v));
}

/** The status the spec answers a create with (its 200 example): the status of a batch just made. */
function createdStatus(ctx: Context): string | undefined {
  const [first] = Object.values(ctx.spec.responseExamples("createBatch", 200));
  return (first?.value as Batch | undefined)?.status;
}

/** Creates a batch the property can then act on; a create that fails is that property's violation. */
async function created(ctx: Context, body: Record<string, unknown>): Promise<{ x: Exchange; batch: Batch }> {
  const x = await create(ctx, createCall(body));
  const batch = batchOf(x);
  if (!ok(x) || typeof batch?.id !== "string") throw violation("a valid create did not answer a batch", x);
  return { x, batch };
}

/**
 * A cancel that was refused may be fine on a live server: the batch may have reached a final
 * status on its own since it was created. Re-read it: refused only counts while it is not final.
 */
async function finishedMeanwhile(ctx: Context, id: string): Promise<boolean> {
  const again = await send(ctx, getCall(id));
  return again.status === 200 && ctx.finalStatuses.has(String(batchOf(again)?.status));
}

/** A project or organization the key cannot see: UUIDs no batch it sees belongs to. */
const unseenScope = (ctx: Context) =>
  fc.oneof(
    fc
      .uuid()
      .filter((u) => !ctx.observed.projectIds.includes(u))
      .map((project_id): Record<string, string> => ({ project_id })),
    fc.uuid().map((organization_id): Record<string, string> => ({ organization_id })),
  );

const finalBatches = (ctx: Context) => ctx.observed.batches.filter((b) => ctx.finalStatuses.has(b.status));

const body = validCreateBody;

/**
 * A body over a directory of its own: the list filtered by it holds only what this run created
 * there. With a source directory given (one that exists), that one: it may hold many batches.
 */
const ownDirectory = (ctx: Context) =>
  ctx.createIds.sourceDirectoryId === undefined
    ? fc.tuple(body(ctx), fc.uuid()).map(([b, u]) => ({ ...b, source_directory_id: `dir-${u}` }))
    : body(ctx);

/** Pages of a shared directory's list followed to find one batch: more than any run creates in it. */
const MAX_LIST_PAGES = 20;

/**
 * Whether the list filtered by the batch's directory holds it. In a directory of its own one page
 * says so; in a shared one (`--source-directory-id`) the pages are followed, from the batch's own
 * `created_at` on (bounds are inclusive), since no order is assumed.
 */
async function listedInDirectory(ctx: Context, batch: Batch, directory: string): Promise<{ found: boolean; last: Exchange }> {
  const shared = ctx.createIds.sourceDirectoryId !== undefined;
  const query = shared
    ? {
        source_directory_id: directory,
        page_size: ctx.model.pageSize.maximum,
        created_at_on_or_after: typeof batch.created_at === "string" ? batch.created_at : undefined,
      }
    : { source_directory_id: directory };
  let token: string | undefined;
  for (let page = 1; ; page++) {
    const last = await send(ctx, listCall({ ...query, page_token: token }));
    if (itemsOf(last).some((b) => b.id === batch.id)) return { found: true, last };
    token = tokenOf(last);
    if (!shared || !token || itemsOf(last).length === 0 || page >= MAX_LIST_PAGES) return { found: false, last };
  }
}

/** Tries of W8's read and of its list; the waits between them double from READ_BACKOFF_MS (0.2 + 0.4 + 0.8 + 1.6 = 3 s in all). */
export const READ_TRIES = 5;
const READ_BACKOFF_MS = 200;

/** `attempt` until it sees what it looks for, at most READ_TRIES times with doubling waits between. */
async function untilSeen(attempt: () => Promise<{ seen: boolean; last: Exchange }>): Promise<{ seen: boolean; last: Exchange }> {
  for (let i = 0; ; i++) {
    const out = await attempt();
    if (out.seen || i + 1 >= READ_TRIES) return out;
    await new Promise((r) => setTimeout(r, READ_BACKOFF_MS * 2 ** i));
  }
}

export const lifecycleInvariants: Invariant[] = [
  {
    id: "W7",
    title: "a create answers a new batch carrying the config and source_directory_id sent",
    rule: "create-echoes",
    profile: "full",
    writes: true,
    weight: 0.4,
    property: (ctx) =>
      fc.asyncProperty(validCreate(ctx), async (call) => {
        const before = new Set(ctx.created);
        const { x, batch } = await created(ctx, call.json as Record<string, unknown>);
        const sent = call.json as { config: unknown; source_directory_id: unknown };
        if (ctx.observedById.has(batch.id) || before.has(batch.id)) throw violation(`the created batch's id ${batch.id} is not new`, x);
        if (!carries(batch.config, sent.config)) throw violation("the created batch does not carry the config sent", x);
        if (batch.source_directory_id !== sent.source_directory_id) {
          throw violation("the created batch does not carry the source_directory_id sent", x);
        }
      }),
  },
  {
    id: "W8",
    title: "a created batch can be read by its id and is listed (within a few tries, for a lagging index)",
    rule: "created-readable",
    profile: "full",
    writes: true,
    noShrink: true,
    weight: 0.4,
    property: (ctx) =>
      fc.asyncProperty(ownDirectory(ctx), async (sent) => {
        const { batch } = await created(ctx, sent);
        // A live read or list may be served from an index that lags the create by a moment: each is
        // tried again with backoff (READ_TRIES over about 3 s) before the batch counts as unreadable.
        const read = await untilSeen(async () => {
          const x = await send(ctx, getCall(batch.id));
          return { seen: x.status === 200 && batchOf(x)?.id === batch.id, last: x };
        });
        if (!read.seen) throw violation(`created batch ${batch.id} cannot be read by its id (${READ_TRIES} tries over ~3 s)`, read.last);
        const listed = await untilSeen(async () => {
          const { found, last } = await listedInDirectory(ctx, batch, String(sent.source_directory_id));
          return { seen: found, last };
        });
        if (!listed.seen) {
          throw violation(
            `created batch ${batch.id} is not listed under its source_directory_id (${READ_TRIES} tries over ~3 s)`,
            listed.last,
          );
        }
      }),
  },
  {
    id: "W9",
    title: "a created batch is answered in the spec's initial status, without results",
    rule: "created-pending",
    profile: "full",
    writes: true,
    weight: 0.4,
    property: (ctx) =>
      fc.asyncProperty(body(ctx), async (sent) => {
        // The create's own answer, not a later read: on a live server the batch moves on at once.
        const { x, batch } = await created(ctx, sent);
        const initial = createdStatus(ctx);
        if (batch.status !== initial) throw violation(`the created batch is ${batch.status}, not ${initial}`, x);
        if (batch.results !== null && batch.results !== undefined) throw violation("the created batch carries results", x);
      }),
  },
  {
    id: "W10",
    title: "cancelling a batch that is not final answers that batch",
    rule: "cancel-answers-batch",
    profile: "full",
    writes: true,
    weight: 0.4,
    property: (ctx) =>
      fc.asyncProperty(body(ctx), async (sent) => {
        const { batch } = await created(ctx, sent);
        const x = await send(ctx, cancelCall(batch.id));
        if (x.status !== 200 && (await finishedMeanwhile(ctx, batch.id))) return;
        if (x.status !== 200) throw violation(`cancelling batch ${batch.id} was not a 200`, x);
        const problems = ctx.validate("Batch", x.body);
        if (problems.length) throw violation(`the cancel's answer is not a Batch: ${problems.slice(0, 3).join("; ")}`, x);
        if (batchOf(x)?.id !== batch.id) throw violation(`cancelling ${batch.id} answered another batch`, x);
      }),
  },
  {
    id: "W11",
    title: "cancelling a batch that is not final twice is answered alike",
    rule: "cancel-repeatable",
    profile: "full",
    writes: true,
    weight: 0.4,
    property: (ctx) =>
      fc.asyncProperty(body(ctx), async (sent) => {
        const { batch } = await created(ctx, sent);
        const first = await send(ctx, cancelCall(batch.id));
        const second = await send(ctx, cancelCall(batch.id));
        if ((first.status !== 200 || second.status !== 200) && (await finishedMeanwhile(ctx, batch.id))) return;
        if (first.status !== 200 || second.status !== 200 || batchOf(second)?.id !== batch.id) {
          throw violation(`cancelling batch ${batch.id} twice: ${first.status} then ${second.status}`, first, second);
        }
      }),
  },
  {
    id: "W12",
    title: "a batch in a final status cannot be cancelled: a 4xx, and its status stays",
    rule: "cancel-final-refused",
    profile: "full",
    needs: "final",
    writes: true,
    weight: 0.4,
    property: (ctx) =>
      fc.asyncProperty(fc.constantFrom(...finalBatches(ctx)), async (b) => {
        const x = await send(ctx, cancelCall(b.id));
        if (x.status < 400 || x.status >= 500) throw violation(`cancelling ${b.status} batch ${b.id} was not refused with a 4xx`, x);
        const after = await send(ctx, getCall(b.id));
        if (batchOf(after)?.status !== b.status) {
          throw violation(`the refused cancel changed ${b.status} batch ${b.id} to ${batchOf(after)?.status}`, x, after);
        }
      }),
  },
  {
    id: "W13",
    title: "cancelling a batch in a final status is a 400",
    rule: "cancel-final-status",
    profile: "full",
    needs: "final",
    writes: true,
    weight: 0.4,
    property: (ctx) =>
      fc.asyncProperty(fc.constantFrom(...finalBatches(ctx)), async (b) => {
        const x = await send(ctx, cancelCall(b.id));
        if (x.status !== 400) throw violation(`cancelling ${b.status} batch ${b.id} was a ${x.status}, not a 400`, x);
      }),
  },
  {
    id: "W14",
    title: "a create in a project or organization the key cannot see is a 404",
    rule: "unseen-scope-404",
    profile: "full",
    writes: true,
    weight: 0.4,
    property: (ctx) =>
      fc.asyncProperty(validCreate(ctx), unseenScope(ctx), async (call, scope) => {
        const x = await create(ctx, { ...call, query: scope });
        if (x.status !== 404) throw violation(`a create in unseen scope ${JSON.stringify(scope)} was a ${x.status}, not a 404`, x);
      }),
  },
  {
    id: "W15",
    title: "cancelling an unknown id and one in a scope the key cannot see get the same 404",
    rule: "same-404",
    profile: "full",
    needs: "final",
    writes: true,
    weight: 0.4,
    property: (ctx) =>
      // Final batches only: were the scope ignored, the cancel would still change nothing.
      fc.asyncProperty(unknownId(), fc.constantFrom(...finalBatches(ctx)), unseenScope(ctx), async (unknown, b, scope) => {
        const missing = await send(ctx, cancelCall(unknown));
        const hidden = await send(ctx, { ...cancelCall(b.id), query: scope });
        if (missing.status !== 404 || hidden.status !== 404) {
          throw violation(
            `cancels of an unknown id and of ${b.id} out of scope: ${missing.status} and ${hidden.status}, not 404s`,
            missing,
            hidden,
          );
        }
        if (missing.text.split(unknown).join("<id>") !== hidden.text.split(b.id).join("<id>")) {
          throw violation("the two 404s differ: the answer tells a batch that exists from one that does not", missing, hidden);
        }
      }),
  },
];
