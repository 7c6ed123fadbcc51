// Answering with real recorded vendor responses from test/fixtures/vendor-recordings/**.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dialect, JsonObject, ScriptAnswer, ScriptFn } from './types.js';

export const RECORDINGS_DIR = fileURLToPath(new URL('../fixtures/vendor-recordings/', import.meta.url));

/** The recording folder says which wire dialect a file is in. */
const FOLDER_DIALECT: Record<string, Dialect> = {
  anthropic: 'anthropic',
  'openai-responses': 'openai-responses',
  'openai-chat': 'openai-chat',
  'deepseek-chat': 'openai-chat',
  'openai-compatible': 'openai-chat',
  gemini: 'gemini',
};

export interface ReplayOptions {
  /** HTTP status to answer with; by default 200, or the status an error body implies. */
  status?: number;
  /** Overrides the dialect inferred from the recording's folder. */
  dialect?: Dialect;
}

/**
 * A script answering with a recording: a `.json` body as-is; a `.chunks.txt` stream (one JSON event per line)
 * framed the way its vendor streams it; a `.sse` file byte-for-byte, frame by frame. A Responses recording
 * that holds several responses (each starting with `response.created`) answers them on successive calls.
 */
export function replay(file: string, opts: ReplayOptions = {}): ScriptFn {
  const path = isAbsolute(file) ? file : join(RECORDINGS_DIR, file);
  const text = readFileSync(path, 'utf8');
  const dialect = opts.dialect ?? FOLDER_DIALECT[relative(RECORDINGS_DIR, path).split(sep)[0]];
  if (!dialect) throw new Error(`replay: cannot tell the dialect of ${file}; pass { dialect }`);

  if (path.endsWith('.json')) {
    const body = JSON.parse(text) as unknown;
    const answer: ScriptAnswer = { kind: 'json', body, status: opts.status ?? impliedStatus(body) };
    return () => answer;
  }
  if (path.endsWith('.sse')) {
    const chunks = text.split(/(?<=\n\n)/).filter((c) => c.trim().length > 0);
    const answer: ScriptAnswer = { kind: 'raw', chunks, contentType: 'text/event-stream; charset=utf-8', status: opts.status };
    return () => answer;
  }
  const events = text.split('\n').filter((l) => l.trim().length > 0).map((l) => JSON.parse(l) as unknown);
  const segments = dialect === 'openai-responses' ? splitResponses(events) : [events];
  let served = 0;
  return () => {
    const events = segments[Math.min(served++, segments.length - 1)];
    return { kind: 'events', dialect, events, status: opts.status };
  };
}

function splitResponses(events: unknown[]): unknown[][] {
  const out: unknown[][] = [];
  for (const e of events) {
    if ((e as JsonObject).type === 'response.created' || out.length === 0) out.push([]);
    out[out.length - 1].push(e);
  }
  return out;
}

const ANTHROPIC_STATUS: Record<string, number> = {
  invalid_request_error: 400, authentication_error: 401, permission_error: 403, not_found_error: 404,
  request_too_large: 413, rate_limit_error: 429, api_error: 500, overloaded_error: 529,
};
const OPENAI_STATUS: Record<string, number> = {
  invalid_request_error: 400, insufficient_quota: 429, rate_limit_exceeded: 429, requests: 429, tokens: 429, server_error: 500,
};

/** Error bodies carry their status: Gemini in error.code, the others in the error type. */
function impliedStatus(body: unknown): number {
  const error = (body as JsonObject | null)?.error as JsonObject | undefined;
  if (!error) return 200;
  if (typeof error.code === 'number') return error.code;
  const type = String(error.type ?? '');
  return ANTHROPIC_STATUS[type] ?? OPENAI_STATUS[type] ?? OPENAI_STATUS[String(error.code ?? '')] ?? 400;
}
