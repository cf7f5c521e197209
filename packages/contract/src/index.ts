export { invalidQuery, invalidValues, type Query, validQuery, windowArb } from "./arbitraries.js";
export { INVARIANTS, type Invariant, type Profile, Violation } from "./invariants/index.js";
export { type Observed, observe } from "./observe.js";
export { describeOperation, type OperationModel } from "./operation.js";
export { failureDetails, junit, progressLine, table } from "./report.js";
export { type InvariantResult, type Outcome, type RunOptions, type RunReport, runContract, selectInvariants } from "./runner.js";
export {
  createSchemaValidator,
  defaultSpecPath,
  loadExamples,
  loadSpec,
  type OpenApiDocument,
  type SchemaErrors,
} from "./spec.js";
export { type Auth, BudgetExhausted, type Exchange, Target, type TargetOptions, Unreachable } from "./target.js";
