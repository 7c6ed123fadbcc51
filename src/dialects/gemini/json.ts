import { invalidRequest } from '../../canonical/errors.js';

// Hand validation for the fields the codec reads. No schema library: requests are large (tens of KB
// of tool schemas) and we read only a handful of fields.

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a field under its lowerCamelCase name or its snake_case alias (the REST API accepts both). */
export function pick(o: Obj, camel: string, snake?: string): unknown {
  const v = o[camel];
  if (v !== undefined) return v;
  return snake === undefined ? undefined : o[snake];
}

/** `a.b` field path for error messages; the top level has an empty path. */
export function at(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function optString(o: Obj, path: string, camel: string, snake?: string): string | undefined {
  const v = pick(o, camel, snake);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidRequest(`${at(path, camel)} must be a string`);
  return v;
}

export function optNumber(o: Obj, path: string, camel: string, snake?: string): number | undefined {
  const v = pick(o, camel, snake);
  if (v === undefined || v === null) return undefined;
  // int64 fields may arrive as decimal strings in proto JSON.
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw invalidRequest(`${at(path, camel)} must be a number`);
  return n;
}

export function optBool(o: Obj, path: string, camel: string, snake?: string): boolean | undefined {
  const v = pick(o, camel, snake);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalidRequest(`${at(path, camel)} must be true or false`);
  return v;
}

export function optObj(o: Obj, path: string, camel: string, snake?: string): Obj | undefined {
  const v = pick(o, camel, snake);
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw invalidRequest(`${at(path, camel)} must be an object`);
  return v;
}

export function optArray(o: Obj, path: string, camel: string, snake?: string): unknown[] | undefined {
  const v = pick(o, camel, snake);
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalidRequest(`${at(path, camel)} must be an array`);
  return v;
}
