import { contractInvariants } from "./contract.js";
import { filterInvariants } from "./filters.js";
import { lifecycleInvariants } from "./lifecycle.js";
import { orderInvariants } from "./order.js";
import { paginationInvariants } from "./pagination.js";
import { retrieveInvariants } from "./retrieve.js";
import type { Invariant } from "./support.js";
import { writeInvariants } from "./writes.js";

export type { Context, Invariant, Profile } from "./support.js";
export { Violation } from "./support.js";

/** Every invariant, by stable id. The ones that write come last: every read sees the data as observed. */
export const INVARIANTS: readonly Invariant[] = [
  ...contractInvariants,
  ...retrieveInvariants,
  ...paginationInvariants,
  ...filterInvariants,
  ...orderInvariants,
  ...writeInvariants,
  ...lifecycleInvariants,
];
