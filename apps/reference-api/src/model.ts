import type { Batch } from "@llama-batches/client";

/** What a credential may see: one project, or every project of an organization. */
export interface Scope {
  organization_id: string;
  /** null: an organization-wide key. */
  project_id: string | null;
}

export interface ApiKey extends Scope {
  key: string;
}

export interface Session extends Scope {
  session: string;
}

export interface Project {
  id: string;
  organization_id: string;
}

/** Everything a server starts from: generated or loaded from a fixture file. */
export interface Dataset {
  projects: Project[];
  apiKeys: ApiKey[];
  sessions: Session[];
  batches: Batch[];
}
