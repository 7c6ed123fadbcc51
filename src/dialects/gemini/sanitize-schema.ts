import { isObject, type JsonObject } from '../../util/json.js';

// JSON Schema (draft-07 / 2020-12, as Claude Code, Codex and MCP servers send it) -> the OpenAPI-3
// subset that Gemini's FunctionDeclaration.parameters and GenerationConfig.responseSchema accept.
// https://ai.google.dev/api/caching#Schema
//
// Gemini parses these fields into a protobuf `Schema`, so an unknown keyword is a hard 400 for the
// WHOLE request ("Unknown name "additionalProperties" … Cannot find field", "Proto field is not
// repeating, cannot start list" for `type: [..]`), not an ignored hint. We therefore build every node
// from a WHITELIST instead of deleting known-bad keys: nothing unknown can leak through.
//
// Rules (each has a row in sanitize-schema.test.ts):
//  1. Output keys per node: type, format, title, description, nullable, enum, default, items,
//     minItems, maxItems, properties, required, minProperties, maxProperties, minLength, maxLength,
//     pattern, minimum, maximum, anyOf. Everything else is dropped ($schema, $id, $comment, $defs,
//     definitions, additionalProperties, unevaluatedProperties, patternProperties, propertyNames,
//     examples, example, uniqueItems, multipleOf, not, if/then/else, contains, readOnly, …).
//  2. `type` is written as Gemini's enum name (STRING, NUMBER, INTEGER, BOOLEAN, ARRAY, OBJECT).
//     Every node has a `type` or an `anyOf`, never both ("type must be specified when not using
//     any_of"; the @google/genai SDK refuses both). A missing type is inferred from the shape
//     (properties -> OBJECT, items -> ARRAY, enum -> STRING, minLength -> STRING, minimum -> NUMBER);
//     a schema that allows anything ({}, true, a description only) becomes ANY = anyOf of the
//     five concrete types (an ARRAY of STRING stands in for "array of anything").
//  3. Local `$ref` (#/$defs/X, #/definitions/X, any #/json/pointer) is inlined, sibling keywords
//     win over the target's. A recursive ref is expanded at most MAX_REF_REPEAT times, then cut to
//     a plain `{type: OBJECT}`; nesting deeper than MAX_DEPTH is cut the same way. Remote refs -> ANY.
//  4. `allOf` is merged into one schema (properties merged, required concatenated, first wins for
//     the rest).
//  5. Null: `type: [T, 'null']` -> type T + nullable; `anyOf`/`oneOf` of {type:'null'} plus ONE
//     schema -> that schema + nullable; `const: null` / `null` in an enum -> nullable. A `type` list of
//     several non-null types becomes an anyOf of one branch per type.
//  6. `anyOf`/`oneOf` with several non-null branches stay an `anyOf` (Gemini supports anyOf below
//     the root). Nested unions are flattened; a union of string enums/consts collapses into one
//     enum; branches only carrying constraints (`anyOf: [{required: [a]}, {required: [b]}]`) are
//     dropped. Outer object keywords are merged into each branch. At the parameters ROOT a union is
//     collapsed into one OBJECT (properties of all object branches, required = their intersection),
//     because a function's parameters must be an object.
//  7. `const` -> enum [value]. Enum values are strings in Gemini ("enum: only allowed for STRING
//     type", "Invalid value at …enum[0] (TYPE_STRING)"): values are stringified on STRING schemas;
//     on INTEGER/NUMBER/BOOLEAN schemas the enum is dropped and the allowed values are appended to
//     the description instead (coercing the type to STRING would make the model send "1" where the
//     client's tool validates a number).
//  8. `format` is kept only where Gemini acts on it: STRING enum/date-time, INTEGER int32/int64,
//     NUMBER float/double (the Gemini Developer API rejects other string formats).
//  9. exclusiveMinimum/exclusiveMaximum (numeric, draft-06+) become minimum/maximum (+1/-1 for
//     integers) when no inclusive bound is set; otherwise dropped.
// 10. `required`: strings only, duplicates removed, names not in `properties` removed; only on OBJECT.
//     properties/required appear only on OBJECT nodes ("properties: only allowed for OBJECT type").
// 11. `properties: {}` is never written ("properties: should be non-empty for OBJECT type"): an
//     object without properties is a free-form `{type: OBJECT}`; at the root the caller omits
//     `parameters` / `responseSchema` altogether (sanitizeSchema returns undefined).
// 12. ARRAY always has `items` ("items: missing field"): tuple `items: [..]` / `prefixItems` -> the
//     first schema; no items -> ANY.
// 13. `default` is kept (the API documents it as accepted and ignored); `title`/`description` kept
//     when strings.

export type GeminiSchema = Record<string, unknown>;

export type SchemaRoot = 'parameters' | 'response';

const MAX_DEPTH = 32;
const MAX_REF_REPEAT = 2;

const TYPE_NAMES: Record<string, string> = {
  string: 'STRING',
  number: 'NUMBER',
  integer: 'INTEGER',
  boolean: 'BOOLEAN',
  array: 'ARRAY',
  object: 'OBJECT',
  null: 'NULL',
};

const FORMATS: Record<string, ReadonlySet<string>> = {
  STRING: new Set(['enum', 'date-time']),
  INTEGER: new Set(['int32', 'int64']),
  NUMBER: new Set(['float', 'double']),
};

interface Ctx {
  root: JsonObject;
  /** How many times each $ref is currently being expanded on the path from the root. */
  refs: Map<string, number>;
}

/**
 * Sanitizes a JSON Schema for Gemini. Returns undefined when nothing is left to send: an object root
 * without properties (callers then omit `parameters` / `responseSchema`).
 */
export function sanitizeSchema(schema: unknown, root: SchemaRoot = 'parameters'): GeminiSchema | undefined {
  if (!isObject(schema)) return undefined;
  const ctx: Ctx = { root: schema, refs: new Map() };
  const converted = convert(schema, ctx, 0);
  const out = root === 'parameters' && converted.type !== 'OBJECT' ? collapseToObject(converted) : converted;
  if (!out) return undefined;
  delete out.nullable;
  if (out.type === 'OBJECT' && out.properties === undefined) return undefined;
  return out;
}

function convert(input: unknown, ctx: Ctx, depth: number): GeminiSchema {
  if (!isObject(input)) return anySchema();
  if (depth > MAX_DEPTH) return cut(input);
  const node = input;

  if (typeof node.$ref === 'string') return convertRef(node, node.$ref, ctx, depth);
  if (Array.isArray(node.allOf)) return convert(mergeAllOf(node, ctx), ctx, depth + 1);
  if (Array.isArray(node.anyOf) || Array.isArray(node.oneOf)) return convertUnion(node, ctx, depth);

  if (Array.isArray(node.type)) {
    const names = node.type.filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase());
    const nullable = names.includes('null');
    const rest = [...new Set(names.filter((t) => t !== 'null'))];
    if (rest.length === 0) return withNullable(typed(Object.assign({}, node, { type: 'string' }), ctx, depth), nullable);
    if (rest.length === 1) return withNullable(typed(Object.assign({}, node, { type: rest[0] }), ctx, depth), nullable);
    const branches = rest.map((t) => typed(Object.assign(stripDoc(node), { type: t }), ctx, depth + 1));
    return withNullable(withDoc({ anyOf: branches }, node), nullable);
  }
  return typed(node, ctx, depth);
}

// ---- $ref ------------------------------------------------------------------------------------

function convertRef(node: JsonObject, ref: string, ctx: Ctx, depth: number): GeminiSchema {
  const seen = ctx.refs.get(ref) ?? 0;
  if (seen >= MAX_REF_REPEAT) return cut(node);
  const target = resolveRef(ctx.root, ref);
  if (target === undefined) return withDoc(anySchema(), node);
  const siblings: JsonObject = {};
  for (const k in node) if (k !== '$ref') siblings[k] = node[k];
  ctx.refs.set(ref, seen + 1);
  try {
    return convert(isObject(target) ? Object.assign({}, target, siblings) : siblings, ctx, depth + 1);
  } finally {
    ctx.refs.set(ref, seen);
  }
}

/** Resolves a local JSON pointer ref (`#`, `#/$defs/A`, `#/properties/x/items`). */
function resolveRef(root: JsonObject, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let cur: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (isObject(cur)) cur = cur[key];
    else return undefined;
  }
  return cur;
}

/** Follows a chain of $refs (bounded) for merging purposes; siblings of each ref win. */
function deref(input: unknown, ctx: Ctx): unknown {
  let cur = input;
  for (let i = 0; i < 8 && isObject(cur) && typeof cur.$ref === 'string'; i++) {
    const target = resolveRef(ctx.root, cur.$ref);
    if (!isObject(target)) return cur;
    const siblings: JsonObject = {};
    for (const k in cur) if (k !== '$ref') siblings[k] = cur[k];
    cur = Object.assign({}, target, siblings);
  }
  return cur;
}

// ---- allOf / merging ----------------------------------------------------------------------------

function mergeAllOf(node: JsonObject, ctx: Ctx): JsonObject {
  let out: JsonObject = {};
  for (const k in node) if (k !== 'allOf') out[k] = node[k];
  for (const sub of node.allOf as unknown[]) out = mergeInto(out, deref(sub, ctx));
  return out;
}

/** `base` + `sub`: properties merged, required concatenated, nested allOf queued, base wins otherwise. */
function mergeInto(base: JsonObject, sub: unknown): JsonObject {
  if (!isObject(sub)) return base;
  const out: JsonObject = Object.assign({}, base);
  for (const k in sub) {
    const v = sub[k];
    if (k === 'properties' && isObject(v)) out.properties = Object.assign({}, isObject(out.properties) ? out.properties : undefined, v);
    else if (k === 'required' && Array.isArray(v)) out.required = [...(Array.isArray(out.required) ? out.required : []), ...v];
    else if (k === 'allOf' && Array.isArray(v)) out.allOf = [...(Array.isArray(out.allOf) ? out.allOf : []), ...v];
    else if (!(k in out)) out[k] = v;
  }
  return out;
}

// ---- unions ------------------------------------------------------------------------------------

function isNullSchema(s: unknown): boolean {
  if (!isObject(s)) return false;
  if (s.type === 'null' || s.const === null) return true;
  if (Array.isArray(s.type) && s.type.length === 1 && s.type[0] === 'null') return true;
  return Array.isArray(s.enum) && s.enum.length === 1 && s.enum[0] === null;
}

const SHAPE_KEYS = ['type', 'properties', 'items', 'prefixItems', 'enum', 'const', '$ref', 'anyOf', 'oneOf', 'allOf'];

function hasShape(s: JsonObject): boolean {
  for (const k of SHAPE_KEYS) if (k in s) return true;
  return false;
}

function convertUnion(node: JsonObject, ctx: Ctx, depth: number): GeminiSchema {
  const outer: JsonObject = {};
  for (const k in node) if (k !== 'anyOf' && k !== 'oneOf') outer[k] = node[k];
  const listed = [...(Array.isArray(node.anyOf) ? node.anyOf : []), ...(Array.isArray(node.oneOf) ? node.oneOf : [])];

  let nullable = false;
  const kept: JsonObject[] = [];
  for (const raw of listed) {
    const b = deref(raw, ctx);
    if (isNullSchema(b)) nullable = true;
    else kept.push(isObject(b) ? b : {});
  }
  const outerShaped = hasShape(outer);

  // Only null branches, or branches that merely add constraints to a shaped outer schema.
  if (kept.length === 0 || (outerShaped && kept.every((b) => !hasShape(b)))) {
    const base = outerShaped ? convert(outer, ctx, depth + 1) : withDoc({ type: 'STRING' }, outer);
    return withNullable(base, nullable);
  }
  const base = stripDoc(outer);
  if (kept.length === 1) {
    const merged = mergeInto(kept[0], base);
    if (typeof outer.description === 'string') merged.description = outer.description;
    if (typeof outer.title === 'string') merged.title = outer.title;
    return withNullable(convert(merged, ctx, depth + 1), nullable);
  }

  const branches: GeminiSchema[] = [];
  for (const b of kept) {
    const s = convert(outerShaped ? mergeInto(b, base) : b, ctx, depth + 1);
    if (Array.isArray(s.anyOf) && s.type === undefined) {
      // Flatten a nested union; its own nullability carries over.
      if (s.nullable === true) nullable = true;
      for (const inner of s.anyOf as GeminiSchema[]) branches.push(inner);
    } else {
      if (s.nullable === true) {
        nullable = true;
        delete s.nullable;
      }
      branches.push(s);
    }
  }
  const enumUnion = collapseStringEnums(branches);
  if (enumUnion) return withNullable(withDoc(enumUnion, outer), nullable);
  if (branches.length === 1) return withNullable(withDoc(branches[0], outer), nullable);
  return withNullable(withDoc({ anyOf: branches }, outer), nullable);
}

/** anyOf of string consts/enums (zod's literal unions) -> one STRING enum. */
function collapseStringEnums(branches: GeminiSchema[]): GeminiSchema | undefined {
  const values: string[] = [];
  for (const b of branches) {
    if (b.type !== 'STRING' || !Array.isArray(b.enum)) return undefined;
    for (const k in b) if (k !== 'type' && k !== 'enum' && k !== 'description' && k !== 'title') return undefined;
    values.push(...(b.enum as string[]));
  }
  return { type: 'STRING', enum: [...new Set(values)] };
}

/** Parameters root must be an OBJECT: merge the object branches of a root union into one object. */
function collapseToObject(s: GeminiSchema): GeminiSchema | undefined {
  if (!Array.isArray(s.anyOf)) return undefined;
  const properties: Record<string, GeminiSchema> = {};
  let required: string[] | undefined;
  for (const b of s.anyOf as GeminiSchema[]) {
    if (b.type !== 'OBJECT') continue;
    const props = isObject(b.properties) ? (b.properties as Record<string, GeminiSchema>) : {};
    for (const k in props) if (!(k in properties)) properties[k] = props[k];
    const req = Array.isArray(b.required) ? (b.required as string[]) : [];
    required = required === undefined ? req : required.filter((r) => req.includes(r));
  }
  const out: GeminiSchema = { type: 'OBJECT' };
  if (typeof s.description === 'string') out.description = s.description;
  if (Object.keys(properties).length > 0) {
    out.properties = properties;
    if (required && required.length > 0) out.required = required;
  }
  return out;
}

// ---- single-typed nodes ----------------------------------------------------------------------

function typed(node: JsonObject, ctx: Ctx, depth: number): GeminiSchema {
  const enumValues = 'const' in node ? [node.const] : Array.isArray(node.enum) ? node.enum : undefined;
  let type = typeof node.type === 'string' ? TYPE_NAMES[node.type.toLowerCase()] : undefined;
  if (type === undefined) type = inferType(node, enumValues);
  if (type === undefined) return withDoc(anySchema(), node);

  let nullable = node.nullable === true;
  if (type === 'NULL') {
    type = 'STRING';
    nullable = true;
  }
  const out: GeminiSchema = { type };
  if (typeof node.title === 'string') out.title = node.title;
  if (typeof node.description === 'string') out.description = node.description;
  if (node.default !== undefined) out.default = node.default;

  if (enumValues) {
    const values = new Set<string>();
    for (const v of enumValues) {
      if (v === null) nullable = true;
      else values.add(typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
    if (values.size > 0) {
      if (type === 'STRING') out.enum = [...values];
      else out.description = appendSentence(out.description, `Allowed values: ${[...values].join(', ')}.`);
    }
  }
  const format = node.format;
  if (typeof format === 'string' && FORMATS[type]?.has(format) && (format !== 'enum' || out.enum)) out.format = format;

  switch (type) {
    case 'STRING':
      copyCount(node, out, 'minLength');
      copyCount(node, out, 'maxLength');
      if (typeof node.pattern === 'string') out.pattern = node.pattern;
      break;
    case 'INTEGER':
    case 'NUMBER':
      copyBounds(node, out, type === 'INTEGER');
      break;
    case 'ARRAY':
      out.items = convertItems(node, ctx, depth);
      copyCount(node, out, 'minItems');
      copyCount(node, out, 'maxItems');
      break;
    case 'OBJECT':
      copyObject(node, out, ctx, depth);
      break;
  }
  if (nullable) out.nullable = true;
  return out;
}

function inferType(node: JsonObject, enumValues: unknown[] | undefined): string | undefined {
  if (isObject(node.properties) || Array.isArray(node.required) || 'additionalProperties' in node || 'patternProperties' in node) {
    return 'OBJECT';
  }
  if ('items' in node || 'prefixItems' in node || 'minItems' in node || 'maxItems' in node) return 'ARRAY';
  if (enumValues) {
    const present = enumValues.filter((v) => v !== null);
    if (present.length > 0 && present.every((v) => typeof v === 'boolean')) return 'BOOLEAN';
    if (present.length > 0 && present.every((v) => Number.isInteger(v))) return 'INTEGER';
    if (present.length > 0 && present.every((v) => typeof v === 'number')) return 'NUMBER';
    return present.length === 0 ? 'NULL' : 'STRING';
  }
  if ('minLength' in node || 'maxLength' in node || 'pattern' in node) return 'STRING';
  if ('minimum' in node || 'maximum' in node || 'exclusiveMinimum' in node || 'exclusiveMaximum' in node) return 'NUMBER';
  return undefined;
}

function convertItems(node: JsonObject, ctx: Ctx, depth: number): GeminiSchema {
  let items: unknown = node.items;
  if (Array.isArray(items)) items = items[0];
  if (!isObject(items) && Array.isArray(node.prefixItems)) items = node.prefixItems[0];
  return isObject(items) ? convert(items, ctx, depth + 1) : anySchema();
}

function copyObject(node: JsonObject, out: GeminiSchema, ctx: Ctx, depth: number): void {
  if (isObject(node.properties)) {
    const props: Record<string, GeminiSchema> = {};
    let any = false;
    for (const name in node.properties) {
      props[name] = convert(node.properties[name], ctx, depth + 1);
      any = true;
    }
    if (any) {
      out.properties = props;
      if (Array.isArray(node.required)) {
        const required = [...new Set(node.required.filter((r): r is string => typeof r === 'string' && r in props))];
        if (required.length > 0) out.required = required;
      }
    }
  }
  copyCount(node, out, 'minProperties');
  copyCount(node, out, 'maxProperties');
}

function copyCount(node: JsonObject, out: GeminiSchema, key: string): void {
  const v = node[key];
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) out[key] = v;
}

function copyBounds(node: JsonObject, out: GeminiSchema, integer: boolean): void {
  const step = integer ? 1 : 0;
  if (typeof node.minimum === 'number') out.minimum = node.minimum;
  else if (typeof node.exclusiveMinimum === 'number') out.minimum = node.exclusiveMinimum + step;
  if (typeof node.maximum === 'number') out.maximum = node.maximum;
  else if (typeof node.exclusiveMaximum === 'number') out.maximum = node.exclusiveMaximum - step;
}

// ---- small helpers -------------------------------------------------------------------------------

/** A schema that allows any JSON value. */
function anySchema(): GeminiSchema {
  return {
    anyOf: [
      { type: 'STRING' },
      { type: 'NUMBER' },
      { type: 'BOOLEAN' },
      { type: 'OBJECT' },
      { type: 'ARRAY', items: { type: 'STRING' } },
    ],
  };
}

/** Where recursion is cut: a plain object, keeping the documentation. */
function cut(node: JsonObject): GeminiSchema {
  return withDoc({ type: 'OBJECT' }, node);
}

function withDoc(s: GeminiSchema, from: JsonObject): GeminiSchema {
  if (typeof from.title === 'string' && s.title === undefined) s.title = from.title;
  if (typeof from.description === 'string' && s.description === undefined) s.description = from.description;
  return s;
}

function withNullable(s: GeminiSchema, nullable: boolean): GeminiSchema {
  if (nullable) s.nullable = true;
  return s;
}

function stripDoc(node: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k in node) if (k !== 'description' && k !== 'title' && k !== 'default' && k !== 'examples') out[k] = node[k];
  return out;
}

function appendSentence(text: unknown, sentence: string): string {
  return typeof text === 'string' && text.length > 0 ? `${text}${/[.!?]$/.test(text) ? '' : '.'} ${sentence}` : sentence;
}
