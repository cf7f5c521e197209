import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { loadSpec, type OpenApiDocument } from "./document.js";
import { issue, type Loc, type ValidationIssue } from "./fastapi.js";
import { describeSchemaError, schemaErrorsToIssues } from "./internal/ajv-issues.js";
import { decodeBody, type ParsedBody } from "./internal/body.js";
import { deref } from "./internal/pointer.js";
import { compileQueryParser, type ParsedQuery, type QueryParser } from "./internal/query.js";
import { type OperationModel, readOperations } from "./operations.js";
import { type Rule, readRules } from "./rules.js";

export type { ParsedBody, ParsedQuery };

/** A server of the spec bound to a region (`servers[].x-region`): keys work only in their own region. */
export interface Region {
  region: string;
  url: string;
  description?: string | undefined;
}

/** A named example of a response or request body. */
export interface NamedExample {
  summary?: string;
  description?: string;
  value: unknown;
}

/** An operation a request is for, and the path parameters its template took from the path. */
export interface RouteMatch {
  operation: OperationModel;
  pathParams: Record<string, string>;
}

const SCHEMA_ID = "openapi";

/**
 * The contract, ready to use: its operations, and validators compiled from it. One Ajv instance per
 * document; each schema is compiled the first time it is used, then kept.
 */
export class Spec {
  readonly document: OpenApiDocument;
  readonly operations: readonly OperationModel[];
  readonly #byId: ReadonlyMap<string, OperationModel>;
  readonly #routes: { method: string; pattern: RegExp; names: string[]; operation: OperationModel }[];
  readonly #ajv: Ajv2020;
  readonly #queryParsers = new Map<string, QueryParser>();
  #rules: ReadonlyMap<string, Rule> | undefined;

  constructor(document: OpenApiDocument) {
    this.document = document;
    this.operations = readOperations(document);
    this.#byId = new Map(this.operations.map((o) => [o.id, o]));
    this.#routes = this.operations.map((operation) => {
      const names: string[] = [];
      const source = operation.path
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const name = /^\{([^}]+)\}$/.exec(part)?.[1];
          if (!name) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
          names.push(name);
          return "([^/]+)";
        })
        .join("");
      return { method: operation.method, pattern: new RegExp(`^${source}$`), names, operation };
    });
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(this.#ajv);
    this.#ajv.addSchema(document as object, SCHEMA_ID);
  }

  /** The operation with this `operationId`; throws when the spec has none. */
  operation(id: string): OperationModel {
    const op = this.#byId.get(id);
    if (!op) throw new Error(`the spec has no operation ${id}; it has ${[...this.#byId.keys()].join(", ")}`);
    return op;
  }

  /**
   * The operation a request is for. `pathname` is the path already percent-decoded, as uvicorn hands
   * it to the app (`requestTarget` from `@llama-batches/spec/http` gives it); path parameters are
   * taken from it as they are. Undefined when no path matches; `{ allowed }` when the path exists but not with
   * this method; `{ redirect }` when it exists with or without a trailing slash (FastAPI answers
   * those with a 307 to it). A GET operation answers HEAD too, as Starlette's routes do.
   */
  route(method: string, pathname: string): RouteMatch | { allowed: string[] } | { redirect: string } | undefined {
    const allowed: string[] = [];
    for (const r of this.#routes) {
      const m = r.pattern.exec(pathname);
      if (!m) continue;
      const verb = method.toLowerCase();
      if (r.method !== verb && !(verb === "head" && r.method === "get")) {
        allowed.push(r.method.toUpperCase());
        if (r.method === "get") allowed.push("HEAD");
        continue;
      }
      // Starlette takes path parameters from the path uvicorn already decoded: decoding again would
      // read `bat-%2541` as `bat-A`.
      const pathParams: Record<string, string> = {};
      for (const [i, name] of r.names.entries()) pathParams[name] = m[i + 1] as string;
      return { operation: r.operation, pathParams };
    }
    if (allowed.length > 0) return { allowed };
    // Starlette's redirect_slashes: the same path with or without its trailing slash exists.
    const other = pathname.endsWith("/") ? pathname.slice(0, -1) : `${pathname}/`;
    if (other && this.#routes.some((r) => r.pattern.test(other))) return { redirect: other };
    return undefined;
  }

  /** Every rule the spec states (`x-rules`), with its tier, by id. */
  get rules(): ReadonlyMap<string, Rule> {
    this.#rules ??= readRules(this.document);
    return this.#rules;
  }

  /** One rule by id; throws when the spec states none by that id. */
  rule(id: string): Rule {
    const found = this.rules.get(id);
    if (!found) throw new Error(`the spec states no rule ${id}; it states ${[...this.rules.keys()].join(", ")}`);
    return found;
  }

  /** The names of the component schemas. */
  get schemaNames(): string[] {
    return Object.keys(this.document.components?.schemas ?? {});
  }

  /** The compiled validator of a component schema. */
  validator(schemaName: string): ValidateFunction {
    if (!Object.hasOwn(this.document.components?.schemas ?? {}, schemaName)) throw new Error(`the spec has no schema named ${schemaName}`);
    return this.#compiled(`#/components/schemas/${schemaName}`);
  }

  /** Problems of a value against a component schema, one readable line each; empty when valid. */
  validateSchema(schemaName: string, value: unknown): string[] {
    const validate = this.validator(schemaName);
    return validate(value) ? [] : (validate.errors ?? []).map(describeSchemaError);
  }

  /** The same problems as FastAPI 422 issues located under `loc` (e.g. `["body"]`). */
  schemaIssues(schemaName: string, value: unknown, loc: Loc): ValidationIssue[] {
    const validate = this.validator(schemaName);
    return validate(value) ? [] : schemaErrorsToIssues(validate.errors ?? [], value, loc);
  }

  /** An operation's query string, parsed and validated as FastAPI would. */
  parseQuery<T = Record<string, unknown>>(operationId: string, params: URLSearchParams): ParsedQuery<T> {
    let parse = this.#queryParsers.get(operationId);
    if (!parse) {
      parse = compileQueryParser(this.operation(operationId), (pointer) => this.#compiled(pointer));
      this.#queryParsers.set(operationId, parse);
    }
    return parse(params) as ParsedQuery<T>;
  }

  /**
   * An operation's request body, read as FastAPI reads it: no bytes (or JSON `null`) is a missing
   * body (a 422 at `["body"]` when the operation requires one); a JSON content type, or none, is
   * parsed (`json_invalid` at `["body", position]`); any other content type is handed to the model
   * as text, which refuses it; then the value is validated against the body's schema, each issue
   * under `["body", …]`. Unknown fields are kept: the schema decides whether they are allowed.
   */
  parseBody<T = unknown>(operationId: string, text: string | undefined, contentType?: string | undefined): ParsedBody<T> {
    const op = this.operation(operationId);
    if (!op.requestBody) return { ok: true, body: undefined };
    const decoded = decodeBody(text, contentType);
    if ("issue" in decoded) return { ok: false, issues: [decoded.issue] };
    if (decoded.value === undefined || decoded.value === null) {
      return op.requestBody.required ? { ok: false, issues: [issue.missing(["body"])] } : { ok: true, body: undefined };
    }
    const issues = this.schemaIssues(op.requestBody.schema, decoded.value, ["body"]);
    return issues.length > 0 ? { ok: false, issues } : { ok: true, body: decoded.value as T };
  }

  /** The named examples of an operation's JSON request body, in the order the spec lists them. */
  requestExamples(operationId: string): Record<string, NamedExample> {
    const raw = this.#operationNode(this.operation(operationId)) as { requestBody?: unknown };
    const body = deref(this.document, raw.requestBody) as
      | { content?: Record<string, { examples?: Record<string, unknown>; example?: unknown }> }
      | undefined;
    return this.#examplesOf(body?.content?.["application/json"]);
  }

  /** The named examples of a webhook's delivery body (`webhooks.<name>.post`), e.g. `batchEvent`. */
  webhookExamples(name: string): Record<string, NamedExample> {
    const webhooks = (this.document as { webhooks?: Record<string, { post?: { requestBody?: unknown } }> }).webhooks ?? {};
    const hook = webhooks[name];
    if (!hook?.post) throw new Error(`the spec has no webhook ${name}; it has ${Object.keys(webhooks).join(", ")}`);
    const body = deref(this.document, hook.post.requestBody) as
      | { content?: Record<string, { examples?: Record<string, unknown>; example?: unknown }> }
      | undefined;
    return this.#examplesOf(body?.content?.["application/json"]);
  }

  /** The spec's servers that name a region (`x-region`), the default first. */
  get regions(): readonly Region[] {
    const servers = (this.document.servers ?? []) as { url: string; description?: string; "x-region"?: string }[];
    return servers
      .filter((s) => typeof s["x-region"] === "string")
      .map((s) => ({ region: s["x-region"] as string, url: s.url, ...(s.description ? { description: s.description } : {}) }));
  }

  /** The values of a string enum schema, e.g. `enumOf("BatchStatus")`. */
  enumOf(schemaName: string): readonly string[] {
    const schema = deref(this.document, this.document.components?.schemas?.[schemaName]) as { enum?: string[] } | undefined;
    if (!schema?.enum) throw new Error(`the spec's schema ${schemaName} is not an enum`);
    return schema.enum;
  }

  /**
   * The most bytes of a request body a server reads (`x-body-limit-bytes` on the `PayloadTooLarge`
   * response); larger is that 413. Throws when the document does not say.
   */
  get bodyLimitBytes(): number {
    const response = deref(this.document, this.document.components?.responses?.PayloadTooLarge) as
      | { "x-body-limit-bytes"?: unknown }
      | undefined;
    const limit = response?.["x-body-limit-bytes"];
    if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit <= 0) {
      throw new Error("the spec's PayloadTooLarge response has no x-body-limit-bytes (a positive integer)");
    }
    return limit;
  }

  /** The statuses a batch never leaves (`x-final` on `BatchStatus`). */
  get finalStatuses(): readonly string[] {
    const schema = deref(this.document, this.document.components?.schemas?.BatchStatus) as { "x-final"?: string[] } | undefined;
    return schema?.["x-final"] ?? [];
  }

  /** The named examples of one response, in the order the spec lists them (the first is Prism's default). */
  responseExamples(operationId: string, status: number): Record<string, NamedExample> {
    const op = this.operation(operationId);
    const raw = this.#operationNode(op) as { responses?: Record<string, unknown> };
    const response = deref(this.document, raw.responses?.[String(status)]) as
      | { content?: Record<string, { examples?: Record<string, unknown>; example?: unknown }> }
      | undefined;
    return this.#examplesOf(response?.content?.["application/json"]);
  }

  #examplesOf(media: { examples?: Record<string, unknown>; example?: unknown } | undefined): Record<string, NamedExample> {
    if (!media) return {};
    if (media.examples) {
      return Object.fromEntries(Object.entries(media.examples).map(([name, ex]) => [name, deref(this.document, ex) as NamedExample]));
    }
    return media.example === undefined ? {} : { default: { value: media.example } };
  }

  #operationNode(op: OperationModel): unknown {
    return (this.document.paths[op.path] as Record<string, unknown>)[op.method];
  }

  #compiled(pointer: string): ValidateFunction {
    const validate = this.#ajv.getSchema(`${SCHEMA_ID}${pointer}`);
    if (!validate) throw new Error(`the spec has no schema at ${pointer}`);
    return validate;
  }
}

let bundled: Spec | undefined;

/** The bundled Batches contract this package ships, compiled once per process. */
export function getSpec(): Spec {
  bundled ??= new Spec(loadSpec());
  return bundled;
}

/** A contract from another document (a path, or a parsed document). */
export function createSpec(document: OpenApiDocument | string): Spec {
  return new Spec(typeof document === "string" ? loadSpec(document) : document);
}
