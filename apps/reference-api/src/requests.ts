import type { components } from "@llama-batches/client";
import type { ParsedBody } from "@llama-batches/spec";
import type { Scope } from "./model.js";
import type { Reply } from "./reply.js";

export type BatchCreateRequest = components["schemas"]["BatchCreateRequest"];

/** A create, once its credentials are known and its body read. */
export interface CreateRequest {
  scope: Scope;
  params: URLSearchParams;
  /** The body as sent (undefined: none). */
  body: string | undefined;
  contentType: string | undefined;
}
export type CreateHandler = (request: CreateRequest) => Reply;

/** A request about one batch (retrieve, cancel), once its credentials are known. */
export interface BatchRequest {
  scope: Scope;
  params: URLSearchParams;
  /** The path parameter, decoded. */
  batchId: string;
}
export type BatchHandler = (request: BatchRequest) => Reply;

/** The create body read as FastAPI reads it (see `Spec.parseBody`). */
export type BodyParser = (text: string | undefined, contentType: string | undefined) => ParsedBody<BatchCreateRequest>;
