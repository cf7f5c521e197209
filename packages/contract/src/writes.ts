/**
 * The write gate's rules, in one place for the Target (which enforces them) and the CLI (which
 * refuses bad usage before anything is sent).
 */

/** A write is anything but GET and HEAD: the only methods that cannot act on the target's data. */
export function isWrite(method: string): boolean {
  const m = method.toUpperCase();
  return m !== "GET" && m !== "HEAD";
}

/** A write was asked for without `--allow-writes`: a bug in the suite if it ever shows, never a verdict. */
export class WritesNotAllowed extends Error {
  override name = "WritesNotAllowed";
}

/** `--max-writes` is used up: the invariants that write are skipped from here on. */
export class WriteBudgetExhausted extends Error {
  override name = "WriteBudgetExhausted";
}

export const WRITES_NOT_ALLOWED = "writes not allowed: --allow-writes sends creates and cancels to the target";
export const WRITE_BUDGET_EXHAUSTED = "write budget exhausted";

/** Whether a base URL is this machine (a test server, a local mock): no one pays for a write there. */
export function isLoopback(baseUrl: string): boolean {
  let host: string;
  try {
    host = new URL(baseUrl).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === "localhost" || host.endsWith(".localhost") || /^127(\.\d{1,3}){3}$/.test(host) || host === "[::1]";
}

/**
 * Why a write policy is refused, or undefined when it is fine: a cap without writes is a mistake,
 * and writes to another machine (the live API, where a create costs money) need a cap.
 */
export function writePolicyProblem(baseUrl: string, allowWrites: boolean | undefined, maxWrites: number | undefined): string | undefined {
  if (maxWrites !== undefined && allowWrites !== true) return "--max-writes caps writes, which need --allow-writes";
  if (maxWrites !== undefined && (!Number.isSafeInteger(maxWrites) || maxWrites < 0)) return "--max-writes needs a whole number ≥ 0";
  if (allowWrites === true && maxWrites === undefined && !isLoopback(baseUrl)) {
    return `--allow-writes against ${new URL(baseUrl).host}, not this machine, needs --max-writes N: each create there may cost money`;
  }
  return undefined;
}

/**
 * The existing resources a create the suite means to succeed is made from: on a server we did not
 * write, a drawn `source_directory_id` or `configuration_id` exists nowhere, so a correct server
 * refuses the create and the verdict would be wrong. A configuration belongs to one job type, so
 * `configurationId` comes with its `jobType`.
 */
export interface CreateIds {
  /** `source_directory_id` of every create meant to succeed (`--source-directory-id`). */
  sourceDirectoryId?: string | undefined;
  /** `config.job.configuration_id` of every create meant to succeed (`--configuration-id`). */
  configurationId?: string | undefined;
  /** `config.job.type` that configuration is for (`--job-type`). */
  jobType?: string | undefined;
}

/**
 * Why the ids a run creates from are refused, or undefined when they are fine: they shape creates
 * (so they need writes), a configuration needs its job type, and writes to another machine need
 * both ids (there, drawn ones name nothing and a correct server refuses them).
 */
export function createIdsProblem(baseUrl: string, allowWrites: boolean | undefined, ids: CreateIds): string | undefined {
  const given = ids.sourceDirectoryId !== undefined || ids.configurationId !== undefined || ids.jobType !== undefined;
  if (given && allowWrites !== true)
    return "--source-directory-id, --configuration-id and --job-type shape creates, which need --allow-writes";
  if ((ids.configurationId === undefined) !== (ids.jobType === undefined)) {
    return "--configuration-id and --job-type go together: a configuration is for one job type";
  }
  if (allowWrites === true && !isLoopback(baseUrl) && (ids.sourceDirectoryId === undefined || ids.configurationId === undefined)) {
    return `--allow-writes against ${new URL(baseUrl).host}, not this machine, needs --source-directory-id and --configuration-id (with --job-type) that exist there: a correct server refuses creates from drawn ids`;
  }
  return undefined;
}
