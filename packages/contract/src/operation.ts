import type { OpenApiDocument } from "./spec.js";
import { LIST_PATH } from "./target.js";

/** A query parameter's schema, `$ref`s resolved: what the arbitraries are built from. */
export interface ParameterModel {
  name: string;
  type: "string" | "integer" | "number" | "boolean";
  enum?: readonly string[];
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  default?: unknown;
}

export interface OperationModel {
  parameters: ParameterModel[];
  /** Status codes the spec declares for the operation. */
  statuses: number[];
  /** Component schema of each declared JSON response, by status. */
  responseSchemas: Map<number, string>;
  pageSize: { default: number; maximum: number };
}

/** What the spec says about `GET /api/v2/batches`, read once. */
export function describeOperation(spec: OpenApiDocument): OperationModel {
  const op = spec.paths[LIST_PATH]?.get as
    | { parameters?: unknown[]; responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> }
    | undefined;
  if (!op) throw new Error(`the spec has no GET ${LIST_PATH}`);
  const parameters: ParameterModel[] = [];
  for (const entry of op.parameters ?? []) {
    const p = deref(spec, entry) as { name: string; in: string; schema: unknown };
    if (p.in !== "query") continue;
    const schema = deref(spec, p.schema) as Omit<ParameterModel, "name">;
    parameters.push({ name: p.name, ...schema });
  }
  const responseSchemas = new Map<number, string>();
  for (const [code, response] of Object.entries(op.responses)) {
    const ref = response.content?.["application/json"]?.schema?.$ref;
    if (ref) responseSchemas.set(Number(code), ref.replace("#/components/schemas/", ""));
  }
  const size = parameters.find((p) => p.name === "page_size");
  return {
    parameters,
    statuses: Object.keys(op.responses).map(Number),
    responseSchemas,
    pageSize: { default: Number(size?.default ?? 20), maximum: Number(size?.maximum ?? 100) },
  };
}

function deref(spec: unknown, node: unknown): unknown {
  const ref = (node as { $ref?: string } | undefined)?.$ref;
  if (!ref) return node;
  const target = ref
    .replace(/^#\//, "")
    .split("/")
    .reduce<unknown>((n, key) => (n as Record<string, unknown> | undefined)?.[key], spec);
  return deref(spec, target);
}
