import type { components, operations, paths } from "./generated/schema.js";

export type { components, operations, paths };

type Schemas = components["schemas"];
type ListBatches = operations["listBatches"];

/** A batch, as the API returns it. */
export type Batch = Schemas["Batch"];
export type BatchStatus = Schemas["BatchStatus"];
export type BatchJobType = Schemas["BatchJobType"];
/** Query parameters of `GET /api/v2/batches`. */
export type ListBatchesParams = NonNullable<ListBatches["parameters"]["query"]>;
/** One page of `GET /api/v2/batches`. */
export type ListBatchesResponse = ListBatches["responses"][200]["content"]["application/json"];

/** The JSON body of `POST /api/v2/batches`. */
export type BatchCreateRequest = Schemas["BatchCreateRequest"];
/** The scope a call acts in: `organization_id`, `project_id` (query parameters of every batch call). */
export type BatchScopeParams = NonNullable<operations["createBatch"]["parameters"]["query"]>;
/** What `client.batches.create` takes: the body, plus the scope, as the official SDK does. */
export type BatchCreateParams = BatchCreateRequest & BatchScopeParams;
/** Query parameters of `GET /api/v2/batches/{batch_id}`: `expand` and the scope. */
export type BatchRetrieveParams = NonNullable<operations["getBatch"]["parameters"]["query"]>;
/** Query parameters of `POST /api/v2/batches/{batch_id}/cancel`. */
export type BatchCancelParams = NonNullable<operations["cancelBatch"]["parameters"]["query"]>;
export type BatchExpand = Schemas["BatchExpand"];

export type WebhookConfiguration = Schemas["WebhookConfiguration"];
export type WebhookEventType = Schemas["WebhookEventType"];
export type WebhookOutputFormat = Schemas["WebhookOutputFormat"];
/** What a batch's webhook delivers (the spec's `webhooks.batchEvent` body). */
export type BatchWebhookEvent = Schemas["BatchWebhookEvent"];
export type BatchWebhookEventType = Schemas["BatchWebhookEventType"];
