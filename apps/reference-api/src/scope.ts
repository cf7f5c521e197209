import type { Batch } from "@llama-batches/client";
import type { Project, Scope } from "./model.js";

/** The scope parameters every single-batch operation and create accept. */
export interface ScopeParams {
  organization_id?: string | undefined;
  project_id?: string | undefined;
}

/**
 * Whether a credential, acting in the organization and project the query names (if any), may see
 * a batch. Anything else is answered exactly like an id that does not exist (the spec's same-404).
 */
export function canSee(organizationOf: (projectId: string) => string | undefined, scope: Scope, q: ScopeParams, batch: Batch): boolean {
  if (organizationOf(batch.project_id) !== scope.organization_id) return false;
  if (scope.project_id !== null && batch.project_id !== scope.project_id) return false;
  if (q.organization_id !== undefined && q.organization_id !== scope.organization_id) return false;
  return q.project_id === undefined || q.project_id === batch.project_id;
}

/**
 * The project a create acts in, or undefined when the credential cannot see the one named: a
 * project key's own project; for an organization-wide key, the project named, or else the
 * organization's default project (its first), as the spec's ProjectId parameter says.
 */
export function createProject(projects: readonly Project[], scope: Scope, q: ScopeParams): string | undefined {
  if (q.organization_id !== undefined && q.organization_id !== scope.organization_id) return undefined;
  if (scope.project_id !== null) return q.project_id === undefined || q.project_id === scope.project_id ? scope.project_id : undefined;
  const own = projects.filter((p) => p.organization_id === scope.organization_id);
  if (q.project_id === undefined) return own[0]?.id;
  return own.some((p) => p.id === q.project_id) ? q.project_id : undefined;
}
