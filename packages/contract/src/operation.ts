import { createSpec, getSpec, type ParameterModel, Spec } from "@llama-batches/spec";
import type { OpenApiDocument } from "./spec.js";

export type { ParameterModel };

/** What the suite needs of `GET /api/v2/batches`: its query parameters, statuses and page size. */
export interface OperationModel {
  parameters: ParameterModel[];
  /** Status codes the spec declares for the operation. */
  statuses: number[];
  /** Component schema of each declared JSON response, by status. */
  responseSchemas: ReadonlyMap<number, string>;
  pageSize: { default: number; minimum: number; maximum: number };
}

/** What the spec says about `GET /api/v2/batches`, read from the spec package's operation model. */
export function describeOperation(spec?: OpenApiDocument | Spec): OperationModel {
  const compiled = spec instanceof Spec ? spec : spec === undefined ? getSpec() : createSpec(spec);
  const op = compiled.operation("listBatches");
  if (!op.pageSize) throw new Error("the spec's listBatches has no page_size");
  return { parameters: op.query, statuses: op.statuses, responseSchemas: op.responseSchemas, pageSize: op.pageSize };
}
