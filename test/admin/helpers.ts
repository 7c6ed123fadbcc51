// Calls to the admin API and plain client requests, for the admin integration tests.
import type { RequestView } from '../../src/admin/views.js';
import type { StatsResult } from '../../src/store/types.js';

export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

export type AdminCall = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, password?: string) => Promise<Answer<T>>;

export function adminClient(url: string, password: string): AdminCall {
  return async <T,>(method: string, path: string, body?: unknown, pw: string = password) => {
    const headers: Record<string, string> = {};
    if (pw !== '') headers.authorization = `Bearer ${pw}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
  };
}

export interface ChatOptions {
  key?: string;
  model?: string;
  content?: string;
  path?: string;
  stream?: boolean;
  headers?: Record<string, string>;
}

/** One OpenAI chat request with fetch (what a client sends), returning status, body text and headers. */
export async function chat(url: string, o: ChatOptions = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'switchyard-test/1', ...o.headers };
  if (o.key) headers.authorization = `Bearer ${o.key}`;
  const res = await fetch(url + (o.path ?? '/v1/chat/completions'), {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: o.model ?? 'gpt-4o', messages: [{ role: 'user', content: o.content ?? 'hi' }], stream: o.stream }),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** A logged request as the admin API answers it (the server's own type). */
export type LogItem = RequestView;

export interface LogPage {
  total: number;
  items: LogItem[];
}

export type StatsAnswer = StatsResult;

/** Every log entry (all pages). */
export async function allLog(admin: AdminCall, query = ''): Promise<LogItem[]> {
  const items: LogItem[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await admin<LogPage>('GET', `/api/requests?limit=1000&offset=${offset}${query ? `&${query}` : ''}`);
    if (page.status !== 200) throw new Error(`log query failed: ${JSON.stringify(page.body)}`);
    items.push(...page.body.items);
    if (items.length >= page.body.total || page.body.items.length === 0) return items;
  }
}

export function sumLog(items: LogItem[], field: 'input_tokens' | 'output_tokens' | 'cached_tokens' | 'reasoning_tokens'): number {
  return items.reduce((a, i) => a + (i[field] ?? 0), 0);
}
