export { generateDataset, type GenerateOptions, loadFixture } from "./dataset.js";
export { FAULTS, type FaultName, isFaultName } from "./faults.js";
export type { ApiKey, Dataset, Project, Scope, Session } from "./model.js";
export { type RunningReferenceApi, type StartReferenceApiOptions, startReferenceApi } from "./start.js";
export { BatchStore, type Cursor, type StoreQuery } from "./store.js";
