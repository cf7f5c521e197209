/**
 * Deliberate, realistic bugs, each switchable at start, so that the contract suite can be shown
 * to catch every one of them (`--fault NAME`, or `fault` in startReferenceApi).
 */
export const FAULTS = {
  "drop-last-item": "a page that has a successor drops its last item (the token still points past it)",
  "repeat-item": "the last item of a page comes again at the top of the next page",
  "ignore-status-filter": "the status filter is ignored",
  "exclusive-date-bounds": "created_at bounds are exclusive instead of inclusive",
  "page-size-off-by-one": "pages hold page_size + 1 items",
  "unstable-order": "on pages reached with a token, ties on created_at are ordered by ascending id",
  "token-ignores-filters": "tokens are not bound to their query, and pages after the first ignore the filters",
  "schema-break": "the first batch of every page has a job type outside the enum",
  "server-error": "a 500 when status and created_at_on_or_after are given together",
  "scope-leak": "a batch of another organization leaks into every first page",
  "no-auth": "requests without credentials are served, as the first key",
  "lenient-validation": "invalid parameters are ignored instead of refused with a 422",
} as const;

export type FaultName = keyof typeof FAULTS;

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}

export function parseFaults(input: string | readonly string[] | undefined): ReadonlySet<FaultName> {
  const names = (typeof input === "string" ? input.split(",") : (input ?? [])).map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!isFaultName(name)) throw new Error(`unknown fault "${name}"; known: ${Object.keys(FAULTS).join(", ")}`);
  }
  return new Set(names as FaultName[]);
}
