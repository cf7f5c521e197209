import { randomUUID } from "node:crypto";
import type { Batch, BatchStatus } from "@llama-batches/client";
import type { ErrorDetail, Spec } from "@llama-batches/spec";
import type { Clock } from "./clock.js";
import { documentedExample } from "./documented.js";
import type { Lifecycle } from "./lifecycle.js";
import type { Project } from "./model.js";
import { invalid, type Reply } from "./reply.js";
import type { BodyParser, CreateHandler } from "./requests.js";
import { createProject, type ScopeParams } from "./scope.js";
import type { BatchStore } from "./store.js";

/**
 * The status a created batch starts in (the spec's created-pending rule), read from the create's
 * documented answer: the same source the contract suite judges it by. Read once at start.
 */
function createdStatus(spec: Spec): BatchStatus {
  const status = (documentedExample(spec, "createBatch", 200) as Partial<Batch> | undefined)?.status;
  if (!status) throw new Error("the spec documents no created batch (a 200 example of createBatch)");
  return status;
}

export interface CreateParts {
  spec: Spec;
  parseBody: BodyParser;
  store: BatchStore;
  projects: readonly Project[];
  lifecycle: Lifecycle;
  clock: Clock;
  /** The 404 of a project or organization the credentials cannot see (the spec's ScopeNotFound). */
  scopeNotFound: ErrorDetail;
}

/**
 * `POST /api/v2/batches`: the query and the body validated together (FastAPI reports both in one
 * 422), the project resolved from the credentials and the query, then a new PENDING batch, stored
 * (so listed and readable at once) and handed to the lifecycle. Unknown body fields are ignored;
 * webhook settings are accepted and not echoed (the Batch schema has no place for them, and the
 * signing secret is write-only).
 */
export function createCreate({ spec, parseBody, store, projects, lifecycle, clock, scopeNotFound }: CreateParts): CreateHandler {
  const PENDING = createdStatus(spec);
  return ({ scope, params, body, contentType }) => {
    const query = spec.parseQuery<ScopeParams>("createBatch", params);
    const parsed = parseBody(body, contentType);
    if (!query.ok || !parsed.ok || parsed.body === undefined) {
      const bodyIssues = parsed.ok ? [] : parsed.issues;
      // FastAPI decodes the JSON before it validates anything: a decode error is then the only issue.
      const undecodable = bodyIssues.some((i) => i.type === "json_invalid");
      return invalid(undecodable || query.ok ? bodyIssues : [...query.issues, ...bodyIssues]);
    }
    const projectId = createProject(projects, scope, query.query);
    if (projectId === undefined) return { status: 404, body: scopeNotFound };
    const now = clock();
    const { config, source_directory_id } = parsed.body;
    const batch: Batch = {
      id: `bat-${randomUUID()}`,
      // Only the fields the schema knows: extra ones sent inside config are dropped, as pydantic does.
      config: { job: { configuration_id: config.job.configuration_id, type: config.job.type } },
      project_id: projectId,
      source_directory_id,
      status: PENDING,
      created_at: now,
      updated_at: now,
      results: null,
    };
    store.insert(batch);
    lifecycle.track(batch.id);
    return { status: 200, body: batch } satisfies Reply;
  };
}
