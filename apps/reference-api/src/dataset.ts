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
  /**
   * `milliseconds` (the default, `…T11:00:00.123Z`), or `microseconds` as a Python backend writes
   * them, with several distinct instants inside one millisecond.
   */
  precision?: "milliseconds" | "microseconds" | undefined;
  /** How UTC is written: `Z` (the default) or `+00:00` (Python's `isoformat()`). */
  utc?: "Z" | "+00:00" | undefined;
}

/** The newest `created_at`: fixed, so the same seed gives the same data whatever the date. */
const EPOCH_MS = Date.UTC(2026, 10, 1);
const SPAN_MS = 180 * 24 * 3600 * 1000;
/** Share of batches that take the previous batch's exact timestamp: ties are the hard case for keyset paging. */
const TIE_RATE = 0.15;
/** With microseconds: share of batches created less than a millisecond after the previous one. */
const SAME_MS_RATE = 0.25;
/** A built-in configuration preset, which the SDK documents beside saved configuration ids. */
const PRESETS: Partial<Record<BatchJobType, string>> = { parse_v2: "cfg-PARSE_AGENTIC" };

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

  const micro = options.precision === "microseconds";
  const write = (us: number) => writeInstant(us, micro, options.utc ?? "Z");
  const batches: Batch[] = new Array(size);
  let createdUs = EPOCH_MS * 1000;
  const step = (SPAN_MS * 1000) / Math.max(size, 1);
  for (let i = 0; i < size; i++) {
    if (i === 0 || rng() >= TIE_RATE) {
      const small = micro && rng() < SAME_MS_RATE;
      const drop = small ? 1 + Math.floor(rng() * 400) : Math.max(1000, Math.round(rng() * 2 * step));
      createdUs -= micro ? drop : Math.max(1000, Math.round(drop / 1000) * 1000);
    }
    const where = pick(rng, layout);
    const type = pick(rng, jobTypes);
    const status = pick(rng, statuses);
    const done = final.has(status);
    batches[i] = {
      id: `bat-${uuid(rng)}`,
      config: { job: { configuration_id: pick(rng, [...where.configurations[type], ...(PRESETS[type] ? [PRESETS[type]] : [])]), type } },
      project_id: where.project.id,
      source_directory_id: pick(rng, where.directories),
      status,
      created_at: write(createdUs),
      updated_at: write(createdUs + (done ? Math.round(rng() * 3_600_000_000) : 0)),
      results: null,
    };
  }
  return { projects, apiKeys, sessions, batches };
}

/** An instant given in µs since the epoch, written to the ms or the µs, with `Z` or `+00:00`. */
function writeInstant(us: number, micro: boolean, utc: "Z" | "+00:00"): string {
  const seconds = Math.floor(us / 1_000_000);
  const fraction = String(us - seconds * 1_000_000).padStart(6, "0");
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${base}.${micro ? fraction : fraction.slice(0, 3)}${utc}`;
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
