import { cancelFinal409 } from "./cancel-final-409.js";
import { cancelFinalMutates } from "./cancel-final-mutates.js";
import { createIgnoresBody } from "./create-ignores-body.js";
import { createNotReadable } from "./create-not-readable.js";
import { dropLastItem } from "./drop-last-item.js";
import { exclusiveDateBounds } from "./exclusive-date-bounds.js";
import { expandIgnored } from "./expand-ignored.js";
import { ignoreStatusFilter } from "./ignore-status-filter.js";
import { leaky404 } from "./leaky-404.js";
import { lenientBody } from "./lenient-body.js";
import { lenientValidation } from "./lenient-validation.js";
import { noAuth } from "./no-auth.js";
import { pageSizeOffByOne } from "./page-size-off-by-one.js";
import { repeatItem } from "./repeat-item.js";
import { resultsAlways } from "./results-always.js";
import { reverseOrder } from "./reverse-order.js";
import { schemaBreak } from "./schema-break.js";
import { scopeLeak } from "./scope-leak.js";
import type { Fault, FaultContext, Seams } from "./seams.js";
import { serverError } from "./server-error.js";
import { strictBody } from "./strict-body.js";
import { tokenIgnoresFilters } from "./token-ignores-filters.js";
import { unstableOrder } from "./unstable-order.js";

export type { FaultContext, Seams } from "./seams.js";

/**
 * Deliberate, realistic bugs, each switchable at start (`--fault NAME`, or `fault` in
 * startReferenceApi), so that the contract suite can be shown to catch every one. Each wraps the
 * server's parts from outside: with no fault, the request path holds no fault check at all.
 */
const REGISTRY = {
  "drop-last-item": dropLastItem,
  "repeat-item": repeatItem,
  "ignore-status-filter": ignoreStatusFilter,
  "exclusive-date-bounds": exclusiveDateBounds,
  "page-size-off-by-one": pageSizeOffByOne,
  "unstable-order": unstableOrder,
  "token-ignores-filters": tokenIgnoresFilters,
  "schema-break": schemaBreak,
  "server-error": serverError,
  "scope-leak": scopeLeak,
  "no-auth": noAuth,
  "lenient-validation": lenientValidation,
  "reverse-order": reverseOrder,
  // The single-batch operations and create.
  "cancel-final-409": cancelFinal409,
  "cancel-final-mutates": cancelFinalMutates,
  "leaky-404": leaky404,
  "results-always": resultsAlways,
  "expand-ignored": expandIgnored,
  "create-ignores-body": createIgnoresBody,
  "strict-body": strictBody,
  "lenient-body": lenientBody,
  "create-not-readable": createNotReadable,
} satisfies Record<string, Fault>;

export type FaultName = keyof typeof REGISTRY;

/** Every fault mode and what it does. */
export const FAULTS: Readonly<Record<FaultName, string>> = Object.fromEntries(
  Object.entries(REGISTRY).map(([name, fault]) => [name, fault.description]),
) as Record<FaultName, string>;

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(REGISTRY, name);
}

export function parseFaults(input: string | readonly string[] | undefined): ReadonlySet<FaultName> {
  const names = (typeof input === "string" ? input.split(",") : (input ?? [])).map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!isFaultName(name)) throw new Error(`unknown fault "${name}"; known: ${Object.keys(REGISTRY).join(", ")}`);
  }
  return new Set(names as FaultName[]);
}

/** The parts with every named fault wrapped around them, in the registry's order. */
export function applyFaults(seams: Seams, faults: ReadonlySet<FaultName>, context: FaultContext): Seams {
  let out = seams;
  for (const [name, fault] of Object.entries(REGISTRY)) if (faults.has(name as FaultName)) out = fault.wrap(out, context);
  return out;
}
