// Loads the real client captures in test/fixtures/clients/*.json for replay through the gateway.
//
// Some captures were stored with their tool schemas trimmed to placeholder strings, e.g.
//   "input_schema": "<trimmed 1720 chars; properties: command, timeout, description, run_in_background, …>"
//   "tools": "<trimmed 10774 chars; properties: >"   (a Codex `namespace` tool's function list)
// A placeholder is not what the client sent (the real schema is an object), so this loader rebuilds a
// plausible one: an object schema with exactly the listed properties. Where a FULL capture of the same
// client and version holds the same tool (claude-code-p-apikey, codex-exec-responses), each property's
// schema is taken from there; otherwise the property is a string. Rebuilt schemas keep the client's
// JSON-Schema markers (Claude Code's `$schema`; `additionalProperties: false` from Claude Code and Codex),
// so the rebuilt ones exercise the same sanitising as the full ones. A trimmed namespace tool list is
// taken from the full Codex capture (same Codex version, same namespace).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type Json = Record<string, unknown>;

export interface CapturedRequest {
  method: string;
  /** Path with query, e.g. `/v1/messages?beta=true`. */
  path: string;
  headers: Record<string, string>;
  body: Json;
}

export type CaptureName =
  | 'claude-code-p-apikey'
  | 'claude-code-p-sonnet'
  | 'claude-code-p-tool-roundtrip'
  | 'codex-exec-responses'
  | 'codex-exec-tool-roundtrip'
  | 'gemini-cli'
  | 'gemini-cli-tool-roundtrip';

export type ClientKind = 'claude-code' | 'codex' | 'gemini-cli';

export function clientOf(name: CaptureName): ClientKind {
  return name.startsWith('claude-code') ? 'claude-code' : name.startsWith('codex') ? 'codex' : 'gemini-cli';
}

const DIR = fileURLToPath(new URL('../fixtures/clients/', import.meta.url));
const PLACEHOLDER = /^<trimmed \d+ chars; properties: ?(.*)>$/;
const JSON_SCHEMA_2020 = 'https://json-schema.org/draft/2020-12/schema';

function readRaw(name: CaptureName): CapturedRequest[] {
  const doc = JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as { requests: CapturedRequest[] };
  return doc.requests;
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

/** Full schemas by tool name from the untrimmed capture of the same client. */
function fullSchemas(client: ClientKind): Map<string, Json> {
  const out = new Map<string, Json>();
  if (client === 'claude-code') {
    for (const t of readRaw('claude-code-p-apikey')[0].body.tools as Json[]) if (isObj(t.input_schema)) out.set(String(t.name), t.input_schema);
  } else if (client === 'codex') {
    for (const t of readRaw('codex-exec-responses')[0].body.tools as Json[]) if (isObj(t.parameters)) out.set(String(t.name), t.parameters);
  }
  return out;
}

function fullNamespaceTools(namespace: string): unknown[] | undefined {
  const tools = readRaw('codex-exec-responses')[0].body.tools as Json[];
  const ns = tools.find((t) => t.type === 'namespace' && t.name === namespace);
  return ns && Array.isArray(ns.tools) ? clone(ns.tools) : undefined;
}

/** Rebuilds an object schema from a placeholder string (see the header comment). */
function rebuild(placeholder: string, full: Json | undefined, client: ClientKind): Json {
  const m = PLACEHOLDER.exec(placeholder);
  if (!m) throw new Error(`not a trimmed-schema placeholder: ${placeholder.slice(0, 80)}`);
  const names = m[1].split(',').map((s) => s.trim()).filter(Boolean);
  const fullProps = isObj(full?.properties) ? full.properties : {};
  const properties: Json = {};
  for (const n of names) properties[n] = isObj(fullProps[n]) ? clone(fullProps[n]) : { type: 'string', description: `The ${n}.` };
  const schema: Json = client === 'claude-code' ? { $schema: JSON_SCHEMA_2020 } : {};
  schema.type = 'object';
  schema.properties = properties;
  const required = Array.isArray(full?.required) ? (full.required as unknown[]).filter((r) => typeof r === 'string' && names.includes(r)) : [];
  if (required.length > 0) schema.required = required;
  if (client !== 'gemini-cli') schema.additionalProperties = false;
  return schema;
}

/** The capture's requests, with trimmed tool schemas rebuilt. */
export function loadCapture(name: CaptureName): CapturedRequest[] {
  const client = clientOf(name);
  const full = fullSchemas(client);
  return readRaw(name).map((r) => {
    const body = clone(r.body);
    const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
    for (const t of tools) {
      if (typeof t.input_schema === 'string') t.input_schema = rebuild(t.input_schema, full.get(String(t.name)), client);
      if (typeof t.parameters === 'string') t.parameters = rebuild(t.parameters, full.get(String(t.name)), client);
      if (t.type === 'namespace' && typeof t.tools === 'string') {
        const inner = fullNamespaceTools(String(t.name));
        if (!inner) throw new Error(`no full capture of namespace ${String(t.name)}`);
        t.tools = inner;
      }
      for (const d of Array.isArray(t.functionDeclarations) ? (t.functionDeclarations as Json[]) : []) {
        if (typeof d.parametersJsonSchema === 'string') d.parametersJsonSchema = rebuild(d.parametersJsonSchema, undefined, client);
      }
    }
    return { method: r.method, path: r.path, headers: { ...r.headers }, body };
  });
}

/** Headers to replay: as captured, minus host / content-length / accept-encoding, with the client key swapped. */
export function replayHeaders(req: CapturedRequest, clientKey: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    const name = k.toLowerCase();
    if (name === 'host' || name === 'content-length' || name === 'connection' || name === 'accept-encoding') continue;
    if (name === 'x-api-key' || name === 'x-goog-api-key') out[name] = clientKey;
    else if (name === 'authorization') out[name] = `Bearer ${clientKey}`;
    else out[name] = v;
  }
  return out;
}

/** The model a captured request asks for (Gemini puts it in the path). */
export function capturedModel(req: CapturedRequest): string {
  if (typeof req.body.model === 'string') return req.body.model;
  const m = /\/models\/([^/:]+):/.exec(req.path);
  if (!m) throw new Error(`no model in ${req.path}`);
  return m[1];
}

/** Every model name the captures ask for, by client. */
export const CAPTURED_MODELS: Record<ClientKind, string[]> = {
  'claude-code': ['claude-opus-5-5', 'claude-sonnet-4-5-20250929'],
  codex: ['gpt-5-codex'],
  'gemini-cli': ['gemini-3.5-flash-lite', 'gemini-3.8-flash'],
};
