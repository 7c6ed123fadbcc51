// Bad input, unknown paths and models, and upstream failures: every one answered in the client's
// own error format with a message a person can act on.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { startAnthropicUpstream, startGeminiUpstream, startOpenAIUpstream, type Upstream } from '../upstreams/index.js';

let openaiUp: Upstream;
let anthropicUp: Upstream;
let geminiUp: Upstream;
let gw: RunningGateway;

beforeAll(async () => {
  openaiUp = await startOpenAIUpstream();
  anthropicUp = await startAnthropicUpstream();
  geminiUp = await startGeminiUpstream();
  gw = await startGateway({
    max_body_size: '4kb',
    providers: [
      { name: 'oa', type: 'openai', base_url: openaiUp.url, api_keys: ['k1', 'k2'], models: ['gpt-*'] },
      { name: 'an', type: 'anthropic', base_url: anthropicUp.url, api_keys: ['a1', 'a2'], models: ['claude-*'] },
      { name: 'ge', type: 'gemini', base_url: geminiUp.url, api_keys: ['g1', 'g2'], models: ['gemini-*'] },
    ],
  });
});

afterAll(async () => {
  await gw?.close();
  await Promise.all([openaiUp?.close(), anthropicUp?.close(), geminiUp?.close()]);
});

const openai = () => new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 });
const anthropic = () => new Anthropic({ apiKey: 'x', baseURL: gw.url, maxRetries: 0 });
const genai = () => new GoogleGenAI({ apiKey: 'x', httpOptions: { baseUrl: gw.url } });

async function caught<T>(p: Promise<T>): Promise<Error & { status?: number; error?: unknown; headers?: Headers }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { status?: number };
  }
  throw new Error('expected the call to fail');
}

describe('malformed and oversized bodies', () => {
  it('malformed JSON gets a 400 saying where it broke, in each dialect', async () => {
    const post = (path: string, headers: Record<string, string>) =>
      fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"model": "gpt-4o",\n "messages": [tru]}' });
    const o = await post('/v1/chat/completions', { authorization: 'Bearer x' });
    expect(o.status).toBe(400);
    expect(((await o.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON: .*line 2, column 15/);
    const a = await post('/v1/messages', { 'x-api-key': 'x', 'anthropic-version': '2023-06-01' });
    expect(await a.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/line 2/) } });
    const g = await post('/v1beta/models/gemini-2.5-flash:generateContent', { 'x-goog-api-key': 'x' });
    expect(await g.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
  });

  it('a body over max_body_size gets 413 naming the limit, and the upstream never sees it', async () => {
    const before = openaiUp.requests.length;
    const big = 'x'.repeat(8 * 1024);
    const e1 = await caught(openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: big }] }));
    expect(e1.status).toBe(413);
    expect(e1.message).toContain('4kb');
    expect(e1.message).toContain('max_body_size');
    const e2 = await caught(anthropic().messages.create({ model: 'claude-x', max_tokens: 5, messages: [{ role: 'user', content: big }] }));
    expect(e2.status).toBe(413);
    expect((e2.error as { error: { type: string } }).error.type).toBe('request_too_large');
    const e3 = await caught(genai().models.generateContent({ model: 'gemini-2.5-flash', contents: big }));
    expect(e3.message).toContain('413');
    expect(openaiUp.requests.length).toBe(before);
  });

  it('a chunked body (no content-length) is cut off at the limit with the same 413, and the gateway serves on', async () => {
    const before = openaiUp.requests.length;
    const piece = new TextEncoder().encode('x'.repeat(1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Far more than the 4 KB limit if nobody stopped reading.
        if (sent++ < 256) controller.enqueue(piece);
        else controller.close();
      },
    });
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(r.status).toBe(413);
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain('max_body_size');
    expect(openaiUp.requests.length).toBe(before);
    const ok = await fetch(`${gw.url}/healthz`);
    expect(ok.status).toBe(200);
  });

  it('wrong types get a 400 naming the field', async () => {
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 42, messages: [] }),
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain('`model`');
    const s = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' });
    expect(s.status).toBe(400);
    expect(((await s.json()) as { error: { message: string } }).error.message).toContain('JSON object');
  });
});

describe('unknown models', () => {
  it('names the model and the ones that exist', async () => {
    const e = await caught(openai().chat.completions.create({ model: 'llama-3', messages: [{ role: 'user', content: 'x' }] }));
    expect(e.status).toBe(404);
    expect(e.message).toContain('"llama-3"');
    expect(e.message).toContain('not served by any configured provider');
    const a = await caught(anthropic().messages.create({ model: 'llama-3', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }));
    expect((a.error as { error: { type: string } }).error.type).toBe('not_found_error');
  });

  it('a gateway with no providers says how to add one', async () => {
    const empty = await startGateway({});
    try {
      const e = await caught(new OpenAI({ apiKey: 'x', baseURL: `${empty.url}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }));
      expect(e.status).toBe(503);
      expect(e.message).toContain('no upstream providers configured');
    } finally {
      await empty.close();
    }
  });
});

describe('paths that match nothing', () => {
  it('OpenAI SDK with a wrong base URL gets a 404 telling it the base URL to use', async () => {
    const e = await caught(new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/foo/v1`, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }));
    expect(e.status).toBe(404);
    expect(e.message).toContain('/foo');
    expect(e.message).toContain(`OpenAI SDKs and OpenAI-compatible clients ${gw.url}/v1`);
    expect(e.message).toContain(`Claude Code ${gw.url}`);
  });

  it('Anthropic and Gemini clients get the 404 in their own format, with the route list', async () => {
    const a = await fetch(`${gw.url}/anthropic/foo/messages/x`, { method: 'POST', headers: { 'anthropic-version': '2023-06-01' }, body: '{}' });
    expect(a.status).toBe(404);
    const ab = (await a.json()) as { type: string; error: { type: string; message: string }; switchyard: { routes: string[]; base_urls: Record<string, string> } };
    expect(ab.type).toBe('error');
    expect(ab.error.type).toBe('not_found_error');
    expect(ab.switchyard.base_urls.anthropic).toBe(gw.url);
    expect(ab.switchyard.routes.join('\n')).toContain('POST /v1/messages');
    const g = await fetch(`${gw.url}/v1beta/models/gemini-2.5-flash:embedContent`, { method: 'POST', headers: { 'x-goog-api-key': 'x' }, body: '{}' });
    expect(g.status).toBe(404);
    expect(await g.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND', message: expect.stringContaining(':embedContent') } });
  });

  it('a wrong method gets 405 with Allow', async () => {
    const r = await fetch(`${gw.url}/v1/chat/completions`);
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain('use POST');
  });
});

describe('upstream errors and key rotation', () => {
  it('an upstream 400 reaches the client in its dialect with the upstream message, and is not retried', async () => {
    const before = anthropicUp.requests.length;
    const r = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-x', messages: [{ role: 'user', content: 'no max_tokens' }] }),
    });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') } });
    expect(anthropicUp.requests.length).toBe(before + 1);
  });

  it('a 429 with Retry-After moves to the next key, and the cooling key is left alone until then', async () => {
    openaiUp.setFaults({ k1: [{ status: 429, retryAfter: 30 }], k2: [] });
    const k1Before = openaiUp.requestCount('k1');
    for (let i = 0; i < 4; i++) {
      const res = await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `r${i}` }] });
      expect(res.choices[0].message.content).toContain(`You said: r${i}`);
    }
    // k1 may have been asked once (and answered 429); it is never asked again while cooling.
    expect(openaiUp.requestCount('k1') - k1Before).toBeLessThanOrEqual(1);
  });

  it('when every key is rate limited the client gets 429 with the soonest Retry-After', async () => {
    anthropicUp.setFaults({ a1: [{ status: 429, retryAfter: 7 }], a2: [{ status: 429, retryAfter: 3 }] });
    const r = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-x', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(2);
    expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(3);
    const body = (await r.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('rate_limit_error');
    expect(body.error.message).toMatch(/Tried 2 credentials for "claude-x", all failed: an a[12]…: HTTP 429.*; an a[12]…: HTTP 429/);
    // and the next request, while both cool, is answered at once without asking the upstream
    const before = anthropicUp.requests.length;
    const again = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-x', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toBeTruthy();
    expect(anthropicUp.requests.length).toBe(before);
  });

  it('a 500 or a reset connection on one key is saved by the next', async () => {
    geminiUp.setFaults({ g1: [{ status: 500 }, { reset: true }], g2: [] });
    for (let i = 0; i < 3; i++) {
      const res = await genai().models.generateContent({ model: 'gemini-2.5-flash', contents: `save ${i}` });
      expect(res.text).toContain(`You said: save ${i}`);
    }
  });

  it('an upstream that cannot be reached is a 502 naming the provider', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const g = await startGateway({ providers: [{ name: 'gone', type: 'openai', base_url: `http://127.0.0.1:${port}/v1`, api_keys: ['k'] }] });
    try {
      const e = await caught(new OpenAI({ apiKey: 'x', baseURL: `${g.url}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }));
      expect(e.status).toBe(502);
      expect(e.message).toContain('Could not reach provider "gone"');
    } finally {
      await g.close();
    }
  });

  it('a stream dropped mid-way ends with an error event in the client dialect, not a silent success', async () => {
    const up = await startAnthropicUpstream();
    const g = await startGateway({ providers: [{ name: 'drop', type: 'anthropic', base_url: up.url, api_keys: ['d1'] }] });
    up.setFaults({ d1: [{ dropAfterChunks: 2 }] });
    try {
      const r = await fetch(`${g.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'claude-x', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'drop me' }] }),
      });
      expect(r.status).toBe(200);
      const text = await r.text();
      expect(text).toContain('event: message_start');
      expect(text).toContain('event: error');
      expect(text).toContain('dropped the connection');
      expect(text).not.toContain('event: message_stop');
      // and through the SDK, the stream rejects instead of ending as a silent success
      const sdk = new Anthropic({ apiKey: 'x', baseURL: g.url, maxRetries: 0 });
      up.setFaults({ d1: [{ dropAfterChunks: 2 }] });
      await expect(sdk.messages.stream({ model: 'claude-x', max_tokens: 50, messages: [{ role: 'user', content: 'drop me' }] }).finalMessage()).rejects.toThrow(/dropped the connection/);
    } finally {
      await g.close();
      await up.close();
    }
  });
});

describe('streams and the client connection', () => {
  let slow: Server;
  let closedUpstream: Promise<void>;
  let g: RunningGateway;

  beforeAll(async () => {
    let markClosed: () => void = () => undefined;
    closedUpstream = new Promise((r) => (markClosed = r));
    // Waits before its first byte (a model thinking), then streams slowly until the client leaves.
    slow = createServer((req, res) => {
      req.resume();
      if (req.method !== 'POST') return void res.writeHead(404).end();
      req.on('end', () => {
        setTimeout(() => {
          if (res.destroyed) return;
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          let i = 0;
          const t = setInterval(() => {
            res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: `w${i++} ` }, finish_reason: null }] })}\n\n`);
          }, 50);
          res.on('close', () => {
            clearInterval(t);
            markClosed();
          });
        }, 1200);
      });
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    g = await startGateway({
      keepalive_seconds: 0.3,
      providers: [{ name: 'slow', type: 'openai', base_url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/v1`, api_keys: ['k'] }],
    });
  });

  afterAll(async () => {
    await g?.close();
    slow?.closeAllConnections();
    await new Promise<void>((r) => slow?.close(() => r()));
  });

  it('sends `: ping` keep-alives while the upstream has not answered, and a disconnect aborts the upstream', async () => {
    const ac = new AbortController();
    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'think long' }] }),
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    while (!seen.includes('w2')) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value);
    }
    expect(seen.indexOf(': ping')).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf(': ping')).toBeLessThan(seen.indexOf('data:'));
    ac.abort();
    await closedUpstream; // resolves only if the gateway closed its upstream request
  });
});
