import { contractInvariants } from "./contract.js";
import { filterInvariants } from "./filters.js";
import { orderInvariants } from "./order.js";
import { paginationInvariants } from "./pagination.js";
import type { Invariant } from "./support.js";

export type { Context, Invariant, Profile } from "./support.js";
export { Violation } from "./support.js";

/** Every invariant, by stable id. */
export const INVARIANTS: readonly Invariant[] = [...contractInvariants, ...paginationInvariants, ...filterInvariants, ...orderInvariants];
