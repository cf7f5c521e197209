import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { loadSpec, type OpenApiDocument } from "./document.js";
import type { Loc, ValidationIssue } from "./fastapi.js";
import { describeSchemaError, schemaErrorsToIssues } from "./internal/ajv-issues.js";
import { deref } from "./internal/pointer.js";
import { compileQueryParser, type ParsedQuery, type QueryParser } from "./internal/query.js";
import { type OperationModel, readOperations } from "./operations.js";
import { type Rule, readRules } from "./rules.js";

export type { ParsedQuery };

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
   * The operation a request is for. `pathname` is percent-encoded as sent; path parameters come
   * back decoded. Undefined when no path matches; `{ allowed }` when the path exists but not with
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
      const pathParams: Record<string, string> = {};
      for (const [i, name] of r.names.entries()) {
        let value = m[i + 1] as string;
        try {
          value = decodeURIComponent(value);
        } catch {
          // A malformed escape stays as sent: validation then refuses it, naming the parameter.
        }
        pathParams[name] = value;
      }
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

  /** The values of a string enum schema, e.g. `enumOf("BatchStatus")`. */
  enumOf(schemaName: string): readonly string[] {
    const schema = deref(this.document, this.document.components?.schemas?.[schemaName]) as { enum?: string[] } | undefined;
    if (!schema?.enum) throw new Error(`the spec's schema ${schemaName} is not an enum`);
    return schema.enum;
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
    const media = response?.content?.["application/json"];
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
