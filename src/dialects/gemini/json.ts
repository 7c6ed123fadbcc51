import { invalidRequest } from '../../canonical/errors.js';
import { isObject, type JsonObject } from '../../util/json.js';

// Field readers for Gemini request bodies, which may spell a field in lowerCamelCase or snake_case. A
// field of the wrong type is a 400 that names its path. (Plain narrowing lives in ../../util/json.ts.)

/** Reads a field under its lowerCamelCase name or its snake_case alias (the REST API accepts both). */
export function pick(o: JsonObject, camel: string, snake?: string): unknown {
  const v = o[camel];
  if (v !== undefined) return v;
  return snake === undefined ? undefined : o[snake];
}

/** `a.b` field path for error messages; the top level has an empty path. */
export function at(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function optString(o: JsonObject, path: string, camel: string, snake?: string): string | undefined {
  const v = pick(o, camel, snake);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidRequest(`${at(path, camel)} must be a string`);
  return v;
}

export function optNumber(o: JsonObject, path: string, camel: string, snake?: string): number | undefined {
  const v = pick(o, camel, snake);
  if (v === undefined || v === null) return undefined;
  // int64 fields may arrive as decimal strings in proto JSON.
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw invalidRequest(`${at(path, camel)} must be a number`);
  return n;
}

export function optBool(o: JsonObject, path: string, camel: string, snake?: string): boolean | undefined {
  const v = pick(o, camel, snake);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalidRequest(`${at(path, camel)} must be true or false`);
  return v;
}

export function optObj(o: JsonObject, path: string, camel: string, snake?: string): JsonObject | undefined {
  const v = pick(o, camel, snake);
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalidRequest(`${at(path, camel)} must be an object`);
  return v;
}

export function optArray(o: JsonObject, path: string, camel: string, snake?: string): unknown[] | undefined {
  const v = pick(o, camel, snake);
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalidRequest(`${at(path, camel)} must be an array`);
  return v;
}
