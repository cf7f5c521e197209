/**
 * Plumbing of the tests of the single-batch operations and create: the paths from the spec, a
 * create body from the spec's own request example, and one call per operation that never throws
 * on what the server answers.
 */
import type { Batch, components } from "@llama-batches/client";
import { getSpec } from "@llama-batches/spec";
import type { ApiKey, RunningReferenceApi } from "../src/index.js";
import { bearer, type Reply, send } from "./helpers.js";

type CreateBody = components["schemas"]["BatchCreateRequest"];

const spec = getSpec();
export const CREATE_PATH = spec.operation("createBatch").path;
const GET_PATH = spec.operation("getBatch").path;
const CANCEL_PATH = spec.operation("cancelBatch").path;

/** The spec's first create example: a body the spec itself calls valid. */
export const EXAMPLE_BODY = Object.values(spec.requestExamples("createBatch"))[0]?.value as CreateBody;
/** The spec's documented 404 bodies, by the operation that answers them. */
export const SCOPE_NOT_FOUND = Object.values(spec.responseExamples("createBatch", 404))[0]?.value;
export const BATCH_NOT_FOUND = Object.values(spec.responseExamples("getBatch", 404))[0]?.value;
/** The status a created batch is answered with: the spec's create example's (rule created-pending). */
export const CREATED_STATUS = (Object.values(spec.responseExamples("createBatch", 200))[0]?.value as Batch | undefined)?.status;
export const FINAL_STATUSES: readonly string[] = spec.finalStatuses;
export const [EXPANDED = ""] = spec.enumOf("BatchExpand");

/** A body for a fresh directory, so that each test's batches are its own. */
export function bodyFor(directory: string, overrides: Partial<CreateBody> = {}): CreateBody {
  return { ...EXAMPLE_BODY, source_directory_id: directory, ...overrides };
}

const query = (params: Record<string, string | readonly string[]>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) for (const v of typeof value === "string" ? [value] : value) search.append(name, v);
  const text = search.toString();
  return text ? `?${text}` : "";
};

export const batchPath = (id: string, params: Record<string, string | readonly string[]> = {}) =>
  `${GET_PATH.replace("{batch_id}", encodeURIComponent(id))}${query(params)}`;
export const cancelPath = (id: string, params: Record<string, string | readonly string[]> = {}) =>
  `${CANCEL_PATH.replace("{batch_id}", encodeURIComponent(id))}${query(params)}`;

/** The bearer header of a key (or of its text), none without one. */
const authOf = (key: ApiKey | string | undefined): Record<string, string> =>
  key === undefined ? {} : bearer(typeof key === "string" ? key : key.key);

export function create(
  api: RunningReferenceApi,
  key: ApiKey | string | undefined,
  body: unknown,
  params: Record<string, string> = {},
  headers: Record<string, string> = { "content-type": "application/json" },
): Promise<Reply> {
  return send(api, `${CREATE_PATH}${query(params)}`, {
    method: "POST",
    headers: { ...authOf(key), ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

/** A create that must succeed: its batch. */
export async function created(api: RunningReferenceApi, key: ApiKey, body: unknown, params: Record<string, string> = {}): Promise<Batch> {
  const reply = await create(api, key, body, params);
  if (reply.status !== 200) throw new Error(`create answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body as Batch;
}

export function retrieve(
  api: RunningReferenceApi,
  key: ApiKey | string | undefined,
  id: string,
  params: Record<string, string | readonly string[]> = {},
): Promise<Reply> {
  return send(api, batchPath(id, params), { headers: authOf(key) });
}

/** A read that must succeed: the batch. */
export async function read(api: RunningReferenceApi, key: ApiKey, id: string, expand = false): Promise<Batch> {
  const reply = await retrieve(api, key, id, expand ? { expand: EXPANDED } : {});
  if (reply.status !== 200) throw new Error(`retrieve answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body as Batch;
}

export function cancel(
  api: RunningReferenceApi,
  key: ApiKey | string | undefined,
  id: string,
  params: Record<string, string> = {},
  init: { body?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return send(api, cancelPath(id, params), {
    method: "POST",
    headers: { ...authOf(key), ...(init.headers ?? {}) },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
}

/** The raw text of a reply, for byte-for-byte comparisons. */
export async function rawText(api: RunningReferenceApi, path: string, init: RequestInit): Promise<{ status: number; text: string }> {
  const res = await fetch(`${api.url}${path}`, init);
  return { status: res.status, text: await res.text() };
}

export function keysOf(api: RunningReferenceApi): { org: ApiKey[]; project: ApiKey[] } {
  return { org: api.apiKeys.filter((k) => k.project_id === null), project: api.apiKeys.filter((k) => k.project_id !== null) };
}

/** An organization-wide key, one of another organization, and a project key of the first's organization. */
export function scopeKeys(api: RunningReferenceApi): { orgKey: ApiKey; otherOrg: ApiKey; projectKey: ApiKey } {
  const { org, project } = keysOf(api);
  const [orgKey, otherOrg] = org;
  const projectKey = project.find((k) => k.organization_id === orgKey?.organization_id);
  if (!orgKey || !otherOrg || !projectKey) throw new Error("keys missing");
  return { orgKey, otherOrg, projectKey };
}

/** The organization's projects in the order the keys list them: the first is its default project. */
export function projectsOf(api: RunningReferenceApi, organizationId: string): string[] {
  return api.apiKeys.flatMap((k) => (k.organization_id === organizationId && k.project_id !== null ? [k.project_id] : []));
}
