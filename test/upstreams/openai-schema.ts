// Validation of OpenAI request bodies against the official OpenAPI document (test/fixtures/openai-openapi.json).
//
// Ajv decides valid/invalid. The document needs a few repairs to compile and to accept what the real API
// accepts; they are applied in code at load time (the fixture stays untouched):
//  1. `nullable: true` is an OpenAPI 3.0 keyword left in this 3.1 document; Ajv refuses it without a sibling
//     `type`. It becomes `type: [t, "null"]` (plus `null` in any enum), or `anyOf: [schema, {type: "null"}]`.
//  2. `exclusiveMinimum: true` (draft-04 boolean form) becomes the numeric 2019-09 form using `minimum`.
//  3. `oneOf` becomes `anyOf`: the document's unions overlap (e.g. a plain `{role, content}` input item matches
//     both EasyInputMessage and InputMessage), while the API resolves them by discriminator. Left as `oneOf`,
//     bodies the real API accepts would be rejected for matching two branches.
//  4. `discriminator` is dropped: it is only a hint, and Ajv's discriminator mode needs stricter shapes.
// The document is OpenAPI 3.1 (JSON Schema 2020-12) but uses `$recursiveRef`, so it is compiled with Ajv's
// 2019-09 dialect, which supports that keyword and everything else the document uses.
//
// Ajv's own errors for unions list every failing branch; `explain` re-walks the schema to pick the branch the
// body meant (by its `type`/`role` discriminator) and words the problem the way the API does.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2019Module from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import type { JsonObject } from './types.js';

// ajv and ajv-formats are CommonJS: under NodeNext the default import is the module object.
const Ajv2019 = Ajv2019Module.default;
const addFormats = addFormatsModule.default;

const DOC_PATH = fileURLToPath(new URL('../fixtures/openai-openapi.json', import.meta.url));

type Schema = JsonObject | boolean;

interface Loaded {
  schemas: Record<string, Schema>;
  validators: Map<string, ValidateFunction>;
  ajv: InstanceType<typeof Ajv2019>;
}

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded) return loaded;
  const doc = JSON.parse(readFileSync(DOC_PATH, 'utf8')) as { components: { schemas: Record<string, Schema> } };
  const schemas = repair(doc.components.schemas) as Record<string, Schema>;
  const ajv = new Ajv2019({ strict: false, allErrors: false, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openai', components: { schemas } });
  loaded = { schemas, validators: new Map(), ajv };
  return loaded;
}

function repair(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(repair);
  if (typeof node !== 'object' || node === null) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'discriminator') continue;
    out[k === 'oneOf' ? 'anyOf' : k] = k === 'properties' || k === '$defs' ? repairMap(v) : repair(v);
  }
  if (out.exclusiveMinimum === true) {
    out.exclusiveMinimum = out.minimum;
    delete out.minimum;
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else if (out.type === undefined) {
      const { description, ...rest } = out;
      return { description, anyOf: [rest, { type: 'null' }] };
    }
  } else if (out.nullable === false) {
    delete out.nullable;
  }
  return out;
}

function repairMap(map: unknown): unknown {
  if (typeof map !== 'object' || map === null) return map;
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, repair(v)]));
}

export function schemaValidator(name: string): ValidateFunction {
  const l = load();
  let v = l.validators.get(name);
  if (!v) {
    v = l.ajv.getSchema(`openai#/components/schemas/${name}`);
    if (!v) throw new Error(`no schema ${name} in the OpenAPI document`);
    l.validators.set(name, v);
  }
  return v;
}

/** Names of the top-level properties a request schema declares (through its allOf parts). */
export function declaredProperties(name: string): Set<string> {
  const out = new Set<string>();
  const visit = (s: Schema | undefined): void => {
    if (typeof s !== 'object') return;
    if (typeof s.$ref === 'string') visit(resolveRef(s.$ref));
    for (const part of (s.allOf as Schema[] | undefined) ?? []) visit(part);
    for (const key of Object.keys((s.properties as JsonObject | undefined) ?? {})) out.add(key);
  };
  visit(load().schemas[name]);
  return out;
}

function resolveRef(ref: string): Schema | undefined {
  const m = /^#\/components\/schemas\/(.+)$/.exec(ref);
  return m ? load().schemas[m[1]] : undefined;
}

// ---------- nested unknown parameters ----------

/**
 * The first key (as an API path) that the branch of the schema the body matched does not declare. Objects that
 * declare no properties, or allow additional ones, are free-form (tool parameter schemas, metadata maps).
 */
export function findUnknownParameter(name: string, data: unknown, tolerated: (path: string, key: string) => boolean = () => false): string | undefined {
  const path = unknownIn(load().schemas[name], data, [], 0, tolerated);
  return path && formatPath(path);
}

function unknownIn(schema: Schema | undefined, data: unknown, path: Path, depth: number, tolerated: (path: string, key: string) => boolean): Path | undefined {
  if (typeof schema !== 'object' || depth > 60 || typeof data !== 'object' || data === null) return undefined;
  const parts = flatten(schema, depth, data);
  if (Array.isArray(data)) {
    const items = parts.map((p) => p.items).find((i) => i !== undefined) as Schema | undefined;
    for (let i = 0; i < data.length; i++) {
      const found = unknownIn(items, data[i], [...path, i], depth + 1, tolerated);
      if (found) return found;
    }
    return undefined;
  }
  const props: Record<string, Schema> = {};
  for (const p of parts) Object.assign(props, (p.properties as Record<string, Schema> | undefined) ?? {});
  const open = Object.keys(props).length === 0 || parts.some((p) => p.additionalProperties !== undefined && p.additionalProperties !== false);
  for (const [key, value] of Object.entries(data)) {
    if (!(key in props)) {
      if (open || tolerated(formatPath(path), key)) continue;
      return [...path, key];
    }
    const found = unknownIn(props[key], value, [...path, key], depth + 1, tolerated);
    if (found) return found;
  }
  return undefined;
}

/** The schema's own keywords plus those of its $ref, allOf parts and every union branch the data matches. */
function flatten(schema: Schema, depth: number, data?: unknown): JsonObject[] {
  if (typeof schema !== 'object' || depth > 60) return [];
  const out: JsonObject[] = [schema];
  if (typeof schema.$ref === 'string') out.push(...flatten(resolveRef(schema.$ref) ?? true, depth + 1, data));
  for (const part of (schema.allOf as Schema[] | undefined) ?? []) out.push(...flatten(part, depth + 1, data));
  const union = schema.anyOf as Schema[] | undefined;
  if (union) {
    for (const b of union) if (check(b, data, [], depth + 1) === undefined) out.push(...flatten(b, depth + 1, data));
  }
  return out;
}

// ---------- explaining a failure the way the API words it ----------

export interface SchemaProblem {
  message: string;
  param: string;
  code: string | null;
}

type Path = (string | number)[];

interface Found {
  path: Path;
  message: string;
  code: string | null;
  /** A mismatch on a discriminator-like property (type/role/object): the branch was not meant. */
  discriminator?: boolean;
  /** For merging sibling branch failures. */
  expected?: string[];
  allowed?: unknown[];
}

export function explain(name: string, data: unknown): SchemaProblem | undefined {
  const found = check(load().schemas[name], data, [], 0);
  return found && { message: found.message, param: formatPath(found.path), code: found.code };
}

export function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

const DISCRIMINATORS = new Set(['type', 'role', 'object']);

function check(schema: Schema | undefined, data: unknown, path: Path, depth: number): Found | undefined {
  if (schema === undefined || schema === true || depth > 60) return undefined;
  if (schema === false) return { path, message: `Invalid value for '${formatPath(path)}'.`, code: 'invalid_value' };
  if (typeof schema.$ref === 'string') {
    const f = check(resolveRef(schema.$ref), data, path, depth + 1);
    if (f) return f;
  }
  for (const part of (schema.allOf as Schema[] | undefined) ?? []) {
    const f = check(part, data, path, depth + 1);
    if (f) return f;
  }
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (union) {
    const f = checkUnion(union, data, path, depth);
    if (f) return f;
  }
  return checkLocal(schema, data, path, depth);
}

function checkUnion(branches: Schema[], data: unknown, path: Path, depth: number): Found | undefined {
  const failures: { f: Found; affinity: number }[] = [];
  for (const b of branches) {
    const f = check(b, data, path, depth + 1);
    if (!f) return undefined;
    failures.push({ f, affinity: affinity(b, data, 0) });
  }
  // Complaints about this very value (a nullable enum, string-or-array, ...) merge into one.
  if (failures.every(({ f }) => f.path.length === path.length)) {
    const allowed = [...new Set(failures.flatMap(({ f }) => f.allowed ?? []))];
    if (allowed.length > 0) return enumError(path, allowed, data);
    const expected = [...new Set(failures.flatMap(({ f }) => f.expected ?? []))];
    if (expected.length > 0 && failures.every(({ f }) => f.expected || f.allowed)) return typeError(path, expected, data);
  }
  // Branches of another JSON type were not meant; of the rest, the one the body meant declares most of its keys...
  const sameType = failures.filter(({ f }) => !(f.expected && f.path.length === path.length));
  const pool = sameType.length > 0 ? sameType : failures;
  const best = Math.max(...pool.map((x) => x.affinity));
  const likely = pool.filter((x) => x.affinity === best).map((x) => x.f);
  // ...and agrees with its discriminator; of those, the deepest complaint is the most specific.
  // (A discriminator complaint deeper down means this level's branch was meant.)
  const ownDiscriminator = (f: Found) => f.discriminator === true && f.path.length <= path.length + 1;
  const meant = likely.filter((f) => !ownDiscriminator(f));
  if (meant.length > 0) {
    const deepest = Math.max(...meant.map((f) => f.path.length));
    const atDepth = meant.filter((f) => f.path.length === deepest);
    if (atDepth.length > 1 && atDepth.every((f) => f.expected) && samePath(atDepth)) {
      return typeError(atDepth[0].path, [...new Set(atDepth.flatMap((f) => f.expected ?? []))], valueAt(data, atDepth[0].path.slice(path.length)));
    }
    return atDepth[0];
  }
  // Every likely branch rejected the discriminator: list every value the union would take there.
  const withValues = pool.map((x) => x.f).filter((f) => f.allowed && ownDiscriminator(f));
  if (withValues.length === 0) return likely[0];
  const at = withValues[0].path;
  const allowed = [...new Set(withValues.filter((f) => formatPath(f.path) === formatPath(at)).flatMap((f) => f.allowed ?? []))];
  // Still a discriminator failure, so an enclosing union can keep looking for the branch that was meant.
  return enumError(at, allowed, valueAt(data, at.slice(path.length)));
}

/** How many of an object's keys a schema declares (the best branch, for unions). */
function affinity(schema: Schema | undefined, data: unknown, depth: number): number {
  if (typeof schema !== 'object' || typeof data !== 'object' || data === null || Array.isArray(data) || depth > 20) return 0;
  let n = Object.keys(data).filter((k) => (schema.properties as JsonObject | undefined)?.[k] !== undefined).length;
  if (typeof schema.$ref === 'string') n += affinity(resolveRef(schema.$ref), data, depth + 1);
  for (const part of (schema.allOf as Schema[] | undefined) ?? []) n += affinity(part, data, depth + 1);
  const union = schema.anyOf as Schema[] | undefined;
  if (union) n += Math.max(0, ...union.map((b) => affinity(b, data, depth + 1)));
  return n;
}

function samePath(fs: Found[]): boolean {
  return fs.every((f) => formatPath(f.path) === formatPath(fs[0].path));
}

function valueAt(data: unknown, rel: Path): unknown {
  let v: unknown = data;
  for (const p of rel) v = typeof v === 'object' && v !== null ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string', number: 'a decimal', integer: 'an integer', boolean: 'a boolean',
  object: 'an object', array: 'an array', null: 'null',
};

function typeError(path: Path, expected: string[], value: unknown): Found {
  // `null` is implied for nullable parameters; the API names only the real type.
  const named = expected.length > 1 ? expected.filter((t) => t !== 'null') : expected;
  const words = named.map((t) => TYPE_WORDS[t] ?? t);
  const want = words.length === 1 ? words[0] : `one of ${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
  const got = TYPE_WORDS[jsonType(value)] ?? jsonType(value);
  return {
    path,
    message: `Invalid type for '${formatPath(path)}': expected ${want}, but got ${got} instead.`,
    code: 'invalid_type',
    expected,
  };
}

function quoteList(values: unknown[]): string {
  const q = values.map((v) => `'${String(v)}'`);
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
}

function enumError(path: Path, allowed: unknown[], value: unknown): Found {
  const last = path[path.length - 1];
  return {
    path,
    message: `Invalid value: '${typeof value === 'string' ? value : JSON.stringify(value)}'. Supported values are: ${quoteList(allowed)}.`,
    code: 'invalid_value',
    discriminator: typeof last === 'string' && DISCRIMINATORS.has(last),
    allowed,
  };
}

function typeMatches(type: unknown, value: unknown): boolean {
  const types = Array.isArray(type) ? type : [type];
  const actual = jsonType(value);
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

function checkLocal(schema: JsonObject, data: unknown, path: Path, depth: number): Found | undefined {
  if (schema.type !== undefined && !typeMatches(schema.type, data)) {
    return typeError(path, Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string], data);
  }
  if (schema.const !== undefined && data !== schema.const) return enumError(path, [schema.const], data);
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => e === data)) return enumError(path, schema.enum, data);

  if (typeof data === 'number') {
    const kind = Number.isInteger(data) && schema.type === 'integer' ? 'integer' : 'decimal';
    if (typeof schema.maximum === 'number' && data > schema.maximum) {
      return { path, message: `Invalid '${formatPath(path)}': ${kind} above maximum value. Expected a value <= ${schema.maximum}, but got ${data} instead.`, code: `${kind}_above_max_value` };
    }
    if (typeof schema.minimum === 'number' && data < schema.minimum) {
      return { path, message: `Invalid '${formatPath(path)}': ${kind} below minimum value. Expected a value >= ${schema.minimum}, but got ${data} instead.`, code: `${kind}_below_min_value` };
    }
    if (typeof schema.exclusiveMinimum === 'number' && data <= schema.exclusiveMinimum) {
      return { path, message: `Invalid '${formatPath(path)}': ${kind} below minimum value. Expected a value > ${schema.exclusiveMinimum}, but got ${data} instead.`, code: `${kind}_below_min_value` };
    }
  }
  if (typeof data === 'string') {
    if (typeof schema.maxLength === 'number' && data.length > schema.maxLength) {
      return { path, message: `Invalid '${formatPath(path)}': string too long. Expected a string with maximum length ${schema.maxLength}, but got a string with length ${data.length} instead.`, code: 'string_above_max_length' };
    }
    if (typeof schema.minLength === 'number' && data.length < schema.minLength) {
      return { path, message: `Invalid '${formatPath(path)}': string too short. Expected a string with minimum length ${schema.minLength}, but got an empty string instead.`, code: 'string_below_min_length' };
    }
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(data)) {
      return { path, message: `Invalid '${formatPath(path)}': string does not match pattern. Expected a string that matches the pattern '${schema.pattern}'.`, code: 'invalid_value' };
    }
  }
  if (Array.isArray(data)) {
    if (typeof schema.minItems === 'number' && data.length < schema.minItems) {
      return data.length === 0
        ? { path, message: `Invalid '${formatPath(path)}': empty array. Expected an array with minimum length ${schema.minItems}, but got an empty array instead.`, code: 'empty_array' }
        : { path, message: `Invalid '${formatPath(path)}': array too short. Expected an array with minimum length ${schema.minItems}, but got an array with length ${data.length} instead.`, code: 'array_below_min_length' };
    }
    if (typeof schema.maxItems === 'number' && data.length > schema.maxItems) {
      return { path, message: `Invalid '${formatPath(path)}': array too long. Expected an array with maximum length ${schema.maxItems}, but got an array with length ${data.length} instead.`, code: 'array_above_max_length' };
    }
    if (schema.items !== undefined) {
      for (let i = 0; i < data.length; i++) {
        const f = check(schema.items as Schema, data[i], [...path, i], depth + 1);
        if (f) return f;
      }
    }
  }
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const obj = data as JsonObject;
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    // Discriminators first, so a branch that was not meant says so before complaining about anything else.
    const names = Object.keys(props).sort((a, b) => Number(DISCRIMINATORS.has(b)) - Number(DISCRIMINATORS.has(a)));
    for (const name of names) {
      if (DISCRIMINATORS.has(name) && obj[name] !== undefined) {
        const f = check(props[name], obj[name], [...path, name], depth + 1);
        if (f) return f;
      }
    }
    const required = (schema.required as string[] | undefined) ?? [];
    // A missing required discriminator also means "not this branch".
    const ordered = [...required].sort((a, b) => Number(DISCRIMINATORS.has(b)) - Number(DISCRIMINATORS.has(a)));
    for (const req of ordered) {
      if (obj[req] === undefined) {
        const p = [...path, req];
        return { path: p, message: `Missing required parameter: '${formatPath(p)}'.`, code: 'missing_required_parameter', discriminator: DISCRIMINATORS.has(req) };
      }
    }
    for (const name of names) {
      if (obj[name] === undefined || DISCRIMINATORS.has(name)) continue;
      const f = check(props[name], obj[name], [...path, name], depth + 1);
      if (f) return f;
    }
    if (schema.additionalProperties === false) {
      const extra = Object.keys(obj).find((k) => !(k in props));
      if (extra) {
        const p = [...path, extra];
        return { path: p, message: `Unknown parameter: '${formatPath(p)}'.`, code: 'unknown_parameter' };
      }
    } else if (typeof schema.additionalProperties === 'object') {
      for (const [k, v] of Object.entries(obj)) {
        if (k in props) continue;
        const f = check(schema.additionalProperties as Schema, v, [...path, k], depth + 1);
        if (f) return f;
      }
    }
  }
  return undefined;
}
