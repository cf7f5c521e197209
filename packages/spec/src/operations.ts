import type { OpenApiDocument } from "./document.js";
import { deref, escapePointer } from "./internal/pointer.js";

export type ParameterLocation = "query" | "path" | "header" | "cookie";
export type SchemaType = "string" | "integer" | "number" | "boolean" | "array" | "object";

/** The constraints of a schema that code acts on, `$ref`s resolved. */
export interface SchemaConstraints {
  type?: SchemaType;
  enum?: readonly string[];
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
}

/** A parameter as the spec declares it, its schema's `$ref`s resolved. */
export interface ParameterModel extends SchemaConstraints {
  name: string;
  in: ParameterLocation;
  required: boolean;
  /** For an array parameter: its items, resolved the same way. */
  items?: SchemaConstraints;
  /** JSON pointer of the parameter's schema: what its validator is compiled from. */
  schemaPointer: string;
  /** The parameter's `x-` extensions. */
  extensions: Readonly<Record<string, unknown>>;
}

/** One operation of the spec, read once. */
export interface OperationModel {
  id: string;
  method: string;
  /** The path template, e.g. `/api/v2/batches/{batch_id}`. */
  path: string;
  /** Every parameter, in the order the spec lists them. */
  parameters: ParameterModel[];
  /** The query parameters only. */
  query: ParameterModel[];
  /** Status codes the spec declares. */
  statuses: number[];
  /** Component schema of each declared JSON response, by status. */
  responseSchemas: ReadonlyMap<number, string>;
  /** The JSON request body, when the operation takes one. */
  requestBody?: { schema: string; required: boolean };
  /** Whether the operation requires credentials (its `security`, else the document's). */
  authenticated: boolean;
  /** `page_size`'s bounds and default, when the operation pages. */
  pageSize?: { default: number; minimum: number; maximum: number };
  /** The operation's `x-` extensions. */
  extensions: Readonly<Record<string, unknown>>;
}

const KEPT = new Set(["enum", "format", "minimum", "maximum", "minLength", "maxLength", "default"]);
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

type RawSchema = Omit<SchemaConstraints, "type"> & { $ref?: string; type?: SchemaType | SchemaType[]; items?: RawSchema };
type RawParameter = { name: string; in: ParameterLocation; required?: boolean; schema?: RawSchema } & Record<string, unknown>;
type RawOperation = {
  operationId?: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
} & Record<string, unknown>;

/** Every operation of the document that has an `operationId`. */
export function readOperations(document: OpenApiDocument): OperationModel[] {
  const out: OperationModel[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    const shared = ((item as { parameters?: unknown[] }).parameters ?? []) as unknown[];
    for (const method of METHODS) {
      const op = (item as Record<string, RawOperation | undefined>)[method];
      if (!op?.operationId) continue;
      out.push(readOperation(document, path, method, op, shared));
    }
  }
  return out;
}

function readOperation(document: OpenApiDocument, path: string, method: string, op: RawOperation, shared: unknown[]): OperationModel {
  const base = `#/paths/${escapePointer(path)}`;
  const entries = [
    ...shared.map((p, i) => [p, `${base}/parameters/${i}`] as const),
    ...(op.parameters ?? []).map((p, i) => [p, `${base}/${method}/parameters/${i}`] as const),
  ];
  const byKey = new Map<string, ParameterModel>();
  for (const [entry, pointer] of entries) {
    const ref = (entry as { $ref?: string }).$ref;
    const parameter = deref(document, entry) as RawParameter;
    // Operation-level parameters override path-level ones with the same name and location.
    byKey.set(`${parameter.in}:${parameter.name}`, readParameter(document, parameter, `${ref ?? pointer}/schema`));
  }
  const parameters = [...byKey.values()];
  const responseSchemas = new Map<number, string>();
  for (const [code, response] of Object.entries(op.responses ?? {})) {
    const content = (deref(document, response) as { content?: Record<string, { schema?: { $ref?: string } }> }).content;
    const ref = content?.["application/json"]?.schema?.$ref;
    if (ref?.startsWith("#/components/schemas/")) responseSchemas.set(Number(code), ref.slice("#/components/schemas/".length));
  }
  const body = op.requestBody
    ? (deref(document, op.requestBody) as { required?: boolean; content?: Record<string, { schema?: { $ref?: string } }> })
    : undefined;
  const bodyRef = body?.content?.["application/json"]?.schema?.$ref;
  const size = parameters.find((p) => p.in === "query" && p.name === "page_size");
  return {
    id: op.operationId as string,
    method,
    path,
    parameters,
    query: parameters.filter((p) => p.in === "query"),
    statuses: Object.keys(op.responses ?? {}).map(Number),
    responseSchemas,
    ...(bodyRef?.startsWith("#/components/schemas/")
      ? { requestBody: { schema: bodyRef.slice("#/components/schemas/".length), required: body?.required === true } }
      : {}),
    authenticated: requiresCredentials((op.security ?? document.security) as unknown[] | undefined),
    ...(size ? { pageSize: pageSizeOf(size) } : {}),
    extensions: extensionsOf(op),
  };
}

function readParameter(document: OpenApiDocument, p: RawParameter, schemaPointer: string): ParameterModel {
  const schema = flatten(document, p.schema);
  const items = schema.type === "array" ? flatten(document, (deref(document, p.schema) as RawSchema).items) : undefined;
  return {
    name: p.name,
    in: p.in,
    required: p.required === true,
    ...schema,
    ...(items ? { items } : {}),
    schemaPointer,
    extensions: extensionsOf(p),
  };
}

/** The constraints of a schema, `$ref`s resolved; a nullable type (`[string, "null"]`) reads as its non-null type. */
function flatten(
  document: OpenApiDocument,
  node: unknown,
): Omit<ParameterModel, "name" | "in" | "required" | "items" | "schemaPointer" | "extensions"> {
  const s = deref(document, node) as RawSchema | undefined;
  if (!s) return {};
  const type = Array.isArray(s.type) ? s.type.find((t) => (t as string) !== "null") : s.type;
  const { $ref: _, items: __, type: ___, ...constraints } = s;
  const out: SchemaConstraints = Object.fromEntries(Object.entries(constraints).filter(([k, v]) => v !== undefined && KEPT.has(k)));
  if (type) out.type = type;
  return out;
}

function pageSizeOf(p: ParameterModel): { default: number; minimum: number; maximum: number } {
  if (typeof p.default !== "number" || p.minimum === undefined) {
    throw new Error("the spec's page_size needs a default and a minimum");
  }
  // A maximum the server coerces to rather than refuses lives in an extension, not in the schema.
  const maximum = p.maximum ?? (p.extensions["x-coerce-maximum"] as number | undefined);
  if (typeof maximum !== "number") throw new Error("the spec's page_size needs a maximum (or x-coerce-maximum)");
  return { default: p.default, minimum: p.minimum, maximum };
}

/** Security requirements are alternatives; an empty one (`{}`) makes credentials optional. */
function requiresCredentials(security: unknown[] | undefined): boolean {
  return Array.isArray(security) && security.length > 0 && !security.some((r) => Object.keys(r as object).length === 0);
}

function extensionsOf(node: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(node).filter(([k]) => k.startsWith("x-")));
}
