import type { Batch, BatchJobType, components } from "@llama-batches/client";
import { createRng, uuid } from "./internal/prng.js";

export type BatchResult = components["schemas"]["BatchResult"];

/**
 * Invented, deterministic stand-ins for what the live service keeps elsewhere: the files of a
 * source directory, and the job each file of a batch became. The kit's servers do not store
 * directories (the spec says they do not check that one exists), so a directory's files are drawn
 * from its id: the same id always has the same files, in every batch and every run.
 */
export const MAX_FILES = 3;
/** A file whose drawn number falls under this fails on its own (the spec's example wording). */
const FILE_FAILURE_RATE = 0.25;
const FILE_ERROR = "Unsupported file type";
/** Job id prefixes: `pjb-` is the parse job's (seen in the SDK); the extract job's is invented here. */
const JOB_PREFIX: Record<BatchJobType, string> = { parse_v2: "pjb-", extract_v2: "ejb-" };

/** FNV-1a: a stable 32-bit seed from a string. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The files of a source directory: one to MAX_FILES `dfl-` ids, fixed by the directory's id. */
export function directoryFiles(sourceDirectoryId: string): string[] {
  const rng = createRng(seedOf(sourceDirectoryId));
  const count = 1 + Math.floor(rng() * MAX_FILES);
  return Array.from({ length: count }, () => `dfl-${uuid(rng)}`);
}

/** What processing one file of a batch gave: a job, or the file's own error. Fixed by the two ids. */
function finishedFile(batch: Pick<Batch, "id" | "config">, fileId: string): BatchResult {
  const rng = createRng(seedOf(`${batch.id}/${fileId}`));
  if (rng() < FILE_FAILURE_RATE) return { source_directory_file_id: fileId, job_reference: null, error_message: FILE_ERROR };
  const type = batch.config.job.type;
  return { source_directory_file_id: fileId, job_reference: { id: `${JOB_PREFIX[type]}${uuid(rng)}`, type }, error_message: null };
}

/** A file the batch has not processed (yet, or ever): no job, no error. */
function unfinishedFile(fileId: string): BatchResult {
  return { source_directory_file_id: fileId, job_reference: null, error_message: null };
}

/** One entry per file of the batch's directory: the first `finished` processed, the rest not. */
export function resultsOf(batch: Pick<Batch, "id" | "config" | "source_directory_id">, finished: number): BatchResult[] {
  return directoryFiles(batch.source_directory_id).map((file, i) => (i < finished ? finishedFile(batch, file) : unfinishedFile(file)));
}
