import type { components, operations, paths } from "./generated/schema.js";

export type { components, operations, paths };

type ListBatches = operations["listBatches"];

/** A batch, as the list endpoint returns it. */
export type Batch = components["schemas"]["Batch"];
export type BatchStatus = components["schemas"]["BatchStatus"];
export type BatchJobType = components["schemas"]["BatchJobType"];
/** Query parameters of `GET /api/v2/batches`. */
export type ListBatchesParams = NonNullable<ListBatches["parameters"]["query"]>;
/** One page of `GET /api/v2/batches`. */
export type ListBatchesResponse = ListBatches["responses"][200]["content"]["application/json"];
