import { readFileSync } from "node:fs";
import type { Batch, BatchJobType, BatchStatus } from "@llama-batches/client";
import { getSpec, type Spec } from "@llama-batches/spec";
import { createRng, pick, uuid } from "./internal/prng.js";
import type { ApiKey, Dataset, Project, Session } from "./model.js";

export interface GenerateOptions {
  seed?: number | undefined;
  size?: number | undefined;
  organizations?: number | undefined;
  projectsPerOrganization?: number | undefined;
  directoriesPerProject?: number | undefined;
}

/** The newest `created_at`: fixed, so the same seed gives the same data whatever the date. */
const EPOCH_MS = Date.UTC(2026, 10, 1);
const SPAN_MS = 180 * 24 * 3600 * 1000;
/** Share of batches that take the previous batch's exact timestamp: ties are the hard case for keyset paging. */
const TIE_RATE = 0.15;

/**
 * A deterministic dataset: organizations × projects × source directories, every status and job
 * type, realistic ids, `created_at` spread over six months with deliberate ties. Each project gets a
 * project-scoped key and a session; each organization an organization-wide key.
 */
export function generateDataset(options: GenerateOptions = {}, spec: Spec = getSpec()): Dataset {
  const statuses = spec.enumOf("BatchStatus") as readonly BatchStatus[];
  const jobTypes = spec.enumOf("BatchJobType") as readonly BatchJobType[];
  const final = new Set(spec.finalStatuses);
  const seed = options.seed ?? 1;
  const size = options.size ?? 2_000;
  const rng = createRng(seed);
  const projects: Project[] = [];
  const apiKeys: ApiKey[] = [];
  const sessions: Session[] = [];
  const layout: { project: Project; directories: string[]; configurations: Record<BatchJobType, string[]> }[] = [];

  for (let o = 0; o < (options.organizations ?? 3); o++) {
    const organization_id = uuid(rng);
    apiKeys.push({ key: `llx-ref-org${o}-${uuid(rng).slice(0, 8)}`, organization_id, project_id: null });
    for (let p = 0; p < (options.projectsPerOrganization ?? 2); p++) {
      const project = { id: uuid(rng), organization_id };
      projects.push(project);
      apiKeys.push({ key: `llx-ref-org${o}-prj${p}-${uuid(rng).slice(0, 8)}`, organization_id, project_id: project.id });
      sessions.push({ session: `sess-${uuid(rng)}`, organization_id, project_id: project.id });
      layout.push({
        project,
        directories: Array.from({ length: options.directoriesPerProject ?? 8 }, () => `dir-${uuid(rng)}`),
        configurations: {
          parse_v2: Array.from({ length: 3 }, () => `cfg-${uuid(rng)}`),
          extract_v2: Array.from({ length: 3 }, () => `cfg-${uuid(rng)}`),
        },
      });
    }
  }

  const batches: Batch[] = new Array(size);
  let createdMs = EPOCH_MS;
  const step = SPAN_MS / Math.max(size, 1);
  for (let i = 0; i < size; i++) {
    if (i === 0 || rng() >= TIE_RATE) createdMs -= Math.max(1, Math.round(rng() * 2 * step));
    const where = pick(rng, layout);
    const type = pick(rng, jobTypes);
    const status = pick(rng, statuses);
    const done = final.has(status);
    batches[i] = {
      id: `bat-${uuid(rng)}`,
      config: { job: { configuration_id: pick(rng, where.configurations[type]), type } },
      project_id: where.project.id,
      source_directory_id: pick(rng, where.directories),
      status,
      created_at: new Date(createdMs).toISOString(),
      updated_at: new Date(createdMs + (done ? Math.round(rng() * 3_600_000) : 0)).toISOString(),
      results: null,
    };
  }
  return { projects, apiKeys, sessions, batches };
}

/**
 * A dataset from a JSON file: `{ projects, apiKeys, sessions?, batches }`. Every batch is checked
 * against the spec's Batch schema and must belong to a listed project, so a fixture cannot hold
 * data the API could not have returned.
 */
export function loadFixture(path: string, spec: Spec = getSpec()): Dataset {
  const raw = JSON.parse(readFileSync(path, "utf8")) as Partial<Dataset>;
  if (!Array.isArray(raw.projects) || !Array.isArray(raw.apiKeys) || !Array.isArray(raw.batches)) {
    throw new Error(`${path}: a fixture needs "projects", "apiKeys" and "batches" arrays`);
  }
  const projects = new Set(raw.projects.map((p) => p.id));
  raw.batches.forEach((batch, i) => {
    const errors = spec.validateSchema("Batch", batch);
    if (errors.length > 0) throw new Error(`${path}: batches[${i}] breaks the spec: ${errors.join("; ")}`);
    if (!projects.has(batch.project_id)) throw new Error(`${path}: batches[${i}] is in unknown project ${batch.project_id}`);
  });
  return { projects: raw.projects, apiKeys: raw.apiKeys, sessions: raw.sessions ?? [], batches: raw.batches };
}
