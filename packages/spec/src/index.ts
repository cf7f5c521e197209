export { type Credentials, parseCookies, readCredentials } from "./credentials.js";
export { loadSpec, type OpenApiDocument, specJsonPath, specPath } from "./document.js";
export {
  DEEPER_INPUT,
  type ErrorDetail,
  errorDetail,
  expectedList,
  type HTTPValidationError,
  INPUT_DEPTH,
  issue,
  type Loc,
  truncateDepth,
  type ValidationIssue,
  validationError,
} from "./fastapi.js";
export {
  addMicroseconds,
  compareDateTimes,
  compareInstants,
  formatInstant,
  type Instant,
  instantOf,
  type ParsedDateTime,
  parseDateTime,
} from "./instant.js";
export type { OperationModel, ParameterLocation, ParameterModel, SchemaConstraints, SchemaType } from "./operations.js";
export type { Rule, Tier } from "./rules.js";
export {
  createSpec,
  getSpec,
  type NamedExample,
  type ParsedBody,
  type ParsedQuery,
  type Region,
  type RouteMatch,
  Spec,
} from "./spec.js";
