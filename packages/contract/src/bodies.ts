import type { Spec } from "@llama-batches/spec";
import fc from "fast-check";

/**
 * Request bodies drawn from a component schema of the spec (`BatchCreateRequest`): valid ones, the
 * same with unknown fields added, and invalid ones that each break one thing and say where the
 * 422 must point. Only the JSON Schema the spec uses is understood: `$ref`, `type` (nullable as a
 * type list), `enum`, `oneOf`, `properties`/`required`, `additionalProperties`, `items`, `examples`.
 */

interface Node {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  oneOf?: Node[];
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: Node | boolean;
  items?: Node;
  examples?: unknown[];
}

export type Loc = (string | number)[];

/** What an invalid body breaks, and where (under `body`) a FastAPI-shaped 422 must point. */
export type InvalidKind = "missing" | "enum" | "type" | "json" | "not-an-object";

export interface InvalidBody {
  kind: InvalidKind;
  /** The JSON value sent, or… */
  json?: unknown;
  /** …the text sent as `application/json`, for bodies no JSON value can give. */
  raw?: string;
  /** `loc` of the 422 starts with `["body", ...at]`. */
  at: Loc;
}

function resolve(spec: Spec, node: Node): Node {
  let n = node;
  for (let i = 0; n.$ref && i < 20; i++) {
    const name = n.$ref.replace(/^#\/components\/schemas\//, "");
    const next = spec.document.components?.schemas?.[name] as Node | undefined;
    if (!next) throw new Error(`cannot resolve ${n.$ref}`);
    n = next;
  }
  return n;
}

const typesOf = (n: Node): string[] => (n.type === undefined ? [] : Array.isArray(n.type) ? n.type : [n.type]);

/** The JSON types a node allows (a `oneOf` allows what its branches do), and its enum, when it has one. */
function allowed(spec: Spec, node: Node): { types: Set<string>; enum?: unknown[] } {
  const n = resolve(spec, node);
  if (n.oneOf) {
    const branches = n.oneOf.map((b) => allowed(spec, b));
    const values = branches.flatMap((b) => b.enum ?? []);
    return { types: new Set(branches.flatMap((b) => [...b.types])), ...(values.length ? { enum: values } : {}) };
  }
  const types = new Set(typesOf(n));
  if (n.enum) for (const v of n.enum) types.add(v === null ? "null" : typeof v);
  return { types, ...(n.enum ? { enum: n.enum } : {}) };
}

function schemaOf(spec: Spec, schemaName: string): Node {
  const node = spec.document.components?.schemas?.[schemaName] as Node | undefined;
  if (!node) throw new Error(`the spec has no schema named ${schemaName}`);
  return node;
}

/** A name no `properties` of the node declares: the unknown field a client may send by mistake. */
const unknownName = (known: readonly string[]) => fc.stringMatching(/^[a-z][a-z_]{2,14}$/).filter((k) => !known.includes(k));

function valueArb(spec: Spec, node: Node, extras: boolean): fc.Arbitrary<unknown> {
  const n = resolve(spec, node);
  if (n.enum) return fc.constantFrom(...n.enum);
  if (n.oneOf) return fc.oneof(...n.oneOf.map((b) => valueArb(spec, b, extras)));
  const types = typesOf(n);
  const concrete = types.filter((t) => t !== "null");
  const arbs = concrete.map((t) => typedArb(spec, n, t, extras));
  if (arbs.length === 0) return fc.constant(null);
  const some = arbs.length === 1 ? (arbs[0] as fc.Arbitrary<unknown>) : fc.oneof(...arbs);
  return types.includes("null") ? fc.oneof({ weight: 3, arbitrary: some }, { weight: 1, arbitrary: fc.constant(null) }) : some;
}

function typedArb(spec: Spec, n: Node, type: string, extras: boolean): fc.Arbitrary<unknown> {
  switch (type) {
    case "string": {
      // The schema's own examples look like the ids a server may insist on; any string is valid too.
      const any = fc.string({ maxLength: 30 });
      return n.examples?.length ? fc.oneof(fc.constantFrom(...(n.examples as string[])), any) : any;
    }
    case "integer":
      return fc.integer();
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(n.items ? valueArb(spec, n.items, extras) : fc.constant(null), { maxLength: 2 });
    case "object":
      return objectArb(spec, n, extras);
    default:
      throw new Error(`no arbitrary for type ${type}`);
  }
}

function objectArb(spec: Spec, n: Node, extras: boolean): fc.Arbitrary<Record<string, unknown>> {
  if (!n.properties) {
    const values = typeof n.additionalProperties === "object" ? valueArb(spec, n.additionalProperties, extras) : fc.jsonValue();
    return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), values, { maxKeys: 2 });
  }
  const shape = Object.fromEntries(Object.entries(n.properties).map(([k, v]) => [k, valueArb(spec, v, extras)]));
  const record = fc.record(shape, { requiredKeys: n.required ?? [] }) as fc.Arbitrary<Record<string, unknown>>;
  if (!extras) return record;
  const known = Object.keys(n.properties);
  return fc
    .tuple(record, fc.dictionary(unknownName(known), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }))
    .map(([value, more]) => ({ ...more, ...value }));
}

/** Valid bodies of a component schema: what a conforming server must accept. */
export function validBody(spec: Spec, schemaName: string): fc.Arbitrary<Record<string, unknown>> {
  return objectArb(spec, resolve(spec, schemaOf(spec, schemaName)), false);
}

/**
 * Valid bodies with unknown fields, at least one at the top and maybe in nested objects: accepted
 * where extra fields are ignored. `known` is the body without them.
 */
export function bodyWithExtras(spec: Spec, schemaName: string): fc.Arbitrary<{ body: Record<string, unknown>; extra: string[] }> {
  const root = resolve(spec, schemaOf(spec, schemaName));
  const known = Object.keys(root.properties ?? {});
  return fc
    .tuple(objectArb(spec, root, true), fc.dictionary(unknownName(known), fc.jsonValue({ maxDepth: 1 }), { minKeys: 1, maxKeys: 3 }))
    .map(([body, top]) => ({ body: { ...top, ...body }, extra: Object.keys(top) }));
}

/** A value of a type the node does not allow. */
function wrongTypes(spec: Spec, node: Node): unknown[] {
  const { types } = allowed(spec, node);
  const candidates: [string, unknown][] = [
    ["integer", 12345],
    ["boolean", true],
    ["string", "not-this-type"],
    ["array", [1]],
    ["object", { k: 1 }],
  ];
  return candidates.filter(([t]) => !types.has(t) && !(t === "integer" && types.has("number"))).map(([, v]) => v);
}

interface Site {
  at: Loc;
  node: Node;
  value: unknown;
}

/** Every value present in `value`, with the schema node that governs it and its location. */
function sites(spec: Spec, node: Node, value: unknown, at: Loc, out: Site[]): Site[] {
  out.push({ at, node, value });
  const n = resolve(spec, node);
  if (Array.isArray(value) && n.items) {
    for (const [i, item] of value.entries()) sites(spec, n.items, item, [...at, i], out);
  } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      const child = n.properties?.[k] ?? (typeof n.additionalProperties === "object" ? n.additionalProperties : undefined);
      if (child) sites(spec, child, v, [...at, k], out);
    }
  }
  return out;
}

/** A copy of `root` with the value at `at` replaced (or deleted, with `remove`). */
function edit(root: unknown, at: Loc, replacement: unknown, remove = false): unknown {
  if (at.length === 0) return replacement;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = at[at.length - 1] as string | number;
  if (remove) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

/** Each way to break one valid body: a required field dropped, an enum value changed, a wrong type. */
function breakages(spec: Spec, root: Node, body: Record<string, unknown>): InvalidBody[] {
  const out: InvalidBody[] = [];
  for (const site of sites(spec, root, body, [], [])) {
    const n = resolve(spec, site.node);
    if (site.value !== null && typeof site.value === "object" && !Array.isArray(site.value)) {
      for (const field of n.required ?? []) {
        if (field in site.value)
          out.push({ kind: "missing", json: edit(body, [...site.at, field], undefined, true), at: [...site.at, field] });
      }
    }
    if (site.at.length === 0) continue;
    const { enum: values } = allowed(spec, site.node);
    if (values && typeof site.value === "string") {
      const wrong = [site.value.toUpperCase(), `${site.value} `, "bogus"].find((v) => !values.includes(v)) as string;
      out.push({ kind: "enum", json: edit(body, site.at, wrong), at: site.at });
    }
    for (const wrong of wrongTypes(spec, site.node)) out.push({ kind: "type", json: edit(body, site.at, wrong), at: site.at });
  }
  return out;
}

/** Bodies that are not a JSON object of the schema at all: bad JSON, another JSON type, nothing. */
function unreadable(body: Record<string, unknown>): InvalidBody[] {
  const text = JSON.stringify(body);
  return [
    { kind: "json", raw: text.slice(0, -1), at: [] },
    { kind: "json", raw: `${text.slice(0, -1)},}`, at: [] },
    { kind: "json", raw: text.replace(/"/g, "'"), at: [] },
    { kind: "missing", raw: "", at: [] },
    { kind: "not-an-object", json: [body], at: [] },
    { kind: "not-an-object", json: "config", at: [] },
    { kind: "not-an-object", json: 42, at: [] },
  ];
}

/**
 * Invalid bodies, each one step from a valid one: a required field missing (at any depth), an
 * enum value changed, a value of a wrong type, bad JSON, or not an object. `at` is where the 422
 * must point, under `body`.
 */
export function invalidBody(spec: Spec, schemaName: string): fc.Arbitrary<InvalidBody> {
  const root = schemaOf(spec, schemaName);
  return validBody(spec, schemaName).chain((body) => {
    const broken = breakages(spec, root, body);
    const of = (kind: InvalidKind) => broken.filter((b) => b.kind === kind);
    // A required field of the top level left out is the commonest client mistake: drawn most.
    const missing = of("missing").map((b) => ({ weight: b.at.length === 1 ? 2 : 1, arbitrary: fc.constant(b) }));
    const pick = (xs: InvalidBody[], weight: number) => (xs.length ? [{ weight, arbitrary: fc.constantFrom(...xs) }] : []);
    return fc.oneof(
      ...(missing.length ? [{ weight: 3, arbitrary: fc.oneof(...missing) }] : []),
      ...pick(of("type"), 2),
      ...pick(of("enum"), 1),
      ...pick(unreadable(body), 1),
    );
  });
}

/**
 * One valid body broken every way that matters at once: each required field left out in turn (at
 * any depth), plus one wrong type, one wrong enum value and one unreadable body drawn from the
 * rest. A server that accepts any one required field missing is caught on the first run, not in
 * the fraction of runs that happen to draw that field.
 */
export function invalidBodies(spec: Spec, schemaName: string): fc.Arbitrary<InvalidBody[]> {
  const root = schemaOf(spec, schemaName);
  return validBody(spec, schemaName).chain((body) => {
    const broken = breakages(spec, root, body);
    const one = (xs: InvalidBody[]) => (xs.length ? [fc.constantFrom(...xs)] : []);
    const drawn = [
      ...one(broken.filter((b) => b.kind === "type")),
      ...one(broken.filter((b) => b.kind === "enum")),
      ...one(unreadable(body)),
    ];
    return fc.tuple(...drawn).map((others) => [...broken.filter((b) => b.kind === "missing"), ...others]);
  });
}

/** The fields of a create body that name existing resources, when the run is given them. */
export interface CreateIdValues {
  sourceDirectoryId?: string | undefined;
  configurationId?: string | undefined;
  jobType?: string | undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The fields of a create body that make the server send deliveries to URLs of the body
 * (`webhook_configuration_ids`, `webhook_configurations`): drawn ones name configurations that
 * exist nowhere and URLs of strangers, so a correct live server refuses the create, or worse,
 * delivers to them.
 */
export const WEBHOOK_FIELDS = ["webhook_configuration_ids", "webhook_configurations"] as const;

/** The body without its webhook fields (absent): what a create meant to succeed sends outside loopback. */
export function withoutWebhooks<T extends Record<string, unknown>>(body: T): T {
  if (!WEBHOOK_FIELDS.some((f) => f in body)) return body;
  const out: Record<string, unknown> = { ...body };
  for (const f of WEBHOOK_FIELDS) delete out[f];
  return out as T;
}

/**
 * A create body with `source_directory_id`, `config.job.configuration_id` and `config.job.type`
 * set to the given ones and no webhook fields (ids are pinned for runs against servers of others:
 * a drawn webhook configuration would be refused there, or delivered to); everything else
 * (unknown fields at any depth) is kept as drawn. Without ids, the body as it is.
 */
export function withCreateIds<T extends Record<string, unknown>>(body: T, ids: CreateIdValues): T {
  const { sourceDirectoryId, configurationId, jobType } = ids;
  if (sourceDirectoryId === undefined && configurationId === undefined && jobType === undefined) return body;
  const out: Record<string, unknown> = { ...withoutWebhooks(body) };
  if (sourceDirectoryId !== undefined) out.source_directory_id = sourceDirectoryId;
  if (configurationId !== undefined || jobType !== undefined) {
    const config = isRecord(out.config) ? out.config : {};
    const job = isRecord(config.job) ? config.job : {};
    out.config = {
      ...config,
      job: {
        ...job,
        ...(configurationId === undefined ? {} : { configuration_id: configurationId }),
        ...(jobType === undefined ? {} : { type: jobType }),
      },
    };
  }
  return out as T;
}
