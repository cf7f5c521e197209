export { ADMIN_BODY_LIMIT_BYTES, ADMIN_BODY_TIMEOUT_MS, ADMIN_TOKEN_HEADER } from "./admin.js";
export { BODY_LIMIT_BYTES, BODY_TIMEOUT_MS } from "./body.js";
export { type GenerateOptions, generateDataset, loadFixture } from "./dataset.js";
export { FAULTS, type FaultName, isFaultName } from "./faults/index.js";
export { FAILING_DIRECTORY_SUFFIX, MAX_STEPS_TO_FINAL } from "./lifecycle.js";
export type { ApiKey, Dataset, Project, Scope, Session } from "./model.js";
export { type RunningReferenceApi, type StartReferenceApiOptions, startReferenceApi } from "./start.js";
export { type BatchQueries, BatchStore, type Cursor, type StoreQuery } from "./store.js";
