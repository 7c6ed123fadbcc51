// Small helpers for exercising the upstreams with raw HTTP (where the SDKs would hide the wire format).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JsonObject } from './types.js';

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export interface TimedChunk {
  at: number;
  text: string;
}

/** Reads a streamed body chunk by chunk, noting when each arrived (ms since the request started). */
export async function readTimed(url: string, body: unknown, headers: Record<string, string> = {}): Promise<TimedChunk[]> {
  const started = Date.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const out: TimedChunk[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    out.push({ at: Date.now() - started, text: decoder.decode(chunk, { stream: true }) });
  }
  return out;
}

/** `data:` payloads (and event names) of an SSE body. */
export function sseEvents(text: string): { event?: string; data: string }[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((f) => f.trim().length > 0)
    .map((frame) => {
      const lines = frame.split(/\r?\n/);
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      return { event, data };
    });
}

/**
 * A recorded client request body from test/fixtures/clients, with the recorder's `<trimmed …>` placeholders
 * (long tool schemas) replaced by a minimal valid object schema.
 */
export function clientFixtureBodies(file: string): JsonObject[] {
  const path = fileURLToPath(new URL(`../fixtures/clients/${file}`, import.meta.url));
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { requests: { body: unknown }[] };
  return doc.requests.map((r) => untrim(r.body) as JsonObject);
}

function untrim(v: unknown, key = ''): unknown {
  if (typeof v === 'string' && v.startsWith('<trimmed')) {
    // A namespace tool's trimmed `tools` list becomes one plain function tool.
    if (key === 'tools') return [{ type: 'function', name: 'noop', parameters: { type: 'object', properties: {} } }];
    return { type: 'object', properties: {} };
  }
  if (Array.isArray(v)) return v.map((x) => untrim(x));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, untrim(x, k)]));
  return v;
}
