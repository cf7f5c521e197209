export { filterArb, type InvalidRule, invalidInputs, invalidQuery, invalidValues, type Query, validQuery } from "./arbitraries.js";
export {
  bodyWithExtras,
  type InvalidBody,
  type InvalidKind,
  invalidBody,
  validBody,
  WEBHOOK_FIELDS,
  withCreateIds,
  withoutWebhooks,
} from "./bodies.js";
export { type Call, send } from "./calls.js";
export { INVARIANTS, type Invariant, type Profile, Violation } from "./invariants/index.js";
export { HORIZON_MARGIN_S, type Observed, observe } from "./observe.js";
export { describeOperation, type OperationModel } from "./operation.js";
export { cleanupLine, failureDetails, jsonReport, junit, progressLine, table, verdict, xmlText } from "./report.js";
export {
  type Cleanup,
  type InvariantResult,
  type Outcome,
  type RunOptions,
  type RunReport,
  runContract,
  selectInvariants,
} from "./runner.js";
export {
  createSchemaValidator,
  defaultSpecPath,
  loadExamples,
  loadSpec,
  type OpenApiDocument,
  type SchemaErrors,
} from "./spec.js";
export {
  type Auth,
  BudgetExhausted,
  type Exchange,
  Interrupted,
  type QueryValue,
  type Request,
  Target,
  type TargetOptions,
  Unreachable,
} from "./target.js";
export { tieOnLaterPageArb, type Window, windowArb, windowSource } from "./windows.js";
export {
  type CreateIds,
  createIdsProblem,
  isLoopback,
  isWrite,
  WRITE_BUDGET_EXHAUSTED,
  WRITES_NOT_ALLOWED,
  WriteBudgetExhausted,
  WritesNotAllowed,
  writePolicyProblem,
} from "./writes.js";
