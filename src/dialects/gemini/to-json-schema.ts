import { isObject, type JsonObject } from '../../util/json.js';

// Gemini clients declare tools with `parameters` (OpenAPI-3 Schema: `type: "OBJECT"`, `nullable`,
// int64 counts as strings, `format: "enum"`) or `parametersJsonSchema` (JSON Schema, though Gemini
// CLI still sends uppercase type names in it). The canonical model carries JSON Schema, so other
// upstreams (OpenAI rejects `type: "OBJECT"`) get something they understand. Conversion is
// idempotent on plain JSON Schema: types lowercased, `nullable` folded into the type, Gemini-only
// keywords (`propertyOrdering`, `format: enum|int32|int64|float|double`) dropped, everything else copied.

const SCHEMA_MAP_KEYS = new Set(['properties', '$defs', 'definitions', 'patternProperties', 'dependentSchemas']);
const SCHEMA_LIST_KEYS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);
const SCHEMA_KEYS = new Set(['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames']);
const COUNT_KEYS = new Set(['minItems', 'maxItems', 'minLength', 'maxLength', 'minProperties', 'maxProperties']);
/** OpenAPI/Gemini formats that are not JSON Schema formats (OpenAI strict mode rejects unknown ones). */
const GEMINI_FORMATS = new Set(['enum', 'int32', 'int64', 'float', 'double']);

export function toJsonSchema(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  let nullable = false;
  for (const key in schema) {
    const v = schema[key];
    if (key === 'type') {
      if (typeof v === 'string') {
        const t = v.toLowerCase();
        if (t !== 'type_unspecified') out.type = t;
      } else if (Array.isArray(v)) {
        out.type = v.map((t) => (typeof t === 'string' ? t.toLowerCase() : t));
      }
    } else if (key === 'nullable') {
      nullable = v === true;
    } else if (key === 'propertyOrdering' || (key === 'format' && typeof v === 'string' && GEMINI_FORMATS.has(v))) {
      continue;
    } else if (SCHEMA_MAP_KEYS.has(key) && isObject(v)) {
      const m: JsonObject = {};
      for (const name in v) m[name] = toJsonSchema(v[name]);
      out[key] = m;
    } else if (SCHEMA_LIST_KEYS.has(key) && Array.isArray(v)) {
      out[key] = v.map(toJsonSchema);
    } else if (SCHEMA_KEYS.has(key)) {
      out[key] = Array.isArray(v) ? v.map(toJsonSchema) : toJsonSchema(v);
    } else if (COUNT_KEYS.has(key) && typeof v === 'string' && /^\d+$/.test(v)) {
      out[key] = Number(v);
    } else {
      out[key] = v;
    }
  }
  if (nullable) {
    if (typeof out.type === 'string') out.type = out.type === 'null' ? 'null' : [out.type, 'null'];
    else if (Array.isArray(out.type)) {
      if (!out.type.includes('null')) out.type = [...out.type, 'null'];
    } else if (Array.isArray(out.anyOf)) out.anyOf = [...out.anyOf, { type: 'null' }];
  }
  return out;
}
