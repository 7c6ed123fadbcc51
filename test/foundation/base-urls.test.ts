// The signature feature, end to end: each SDK pointed at the gateway with the base URLs users
// really type — right and wrong — gets its answer, and a rewritten path is marked and logged once.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { startAnthropicUpstream, startGeminiUpstream, startOpenAIUpstream, type Upstream } from '../upstreams/index.js';

let ups: Upstream[];
let gw: RunningGateway;

beforeAll(async () => {
  const [o, a, g] = await Promise.all([startOpenAIUpstream(), startAnthropicUpstream(), startGeminiUpstream()]);
  ups = [o, a, g];
  gw = await startGateway({
    providers: [
      { name: 'oa', type: 'openai', base_url: `${o.url}/v1`, api_keys: ['k'], models: ['gpt-*'], responses: true },
      { name: 'an', type: 'anthropic', base_url: a.url, api_keys: ['k'], models: ['claude-*'] },
      { name: 'ge', type: 'gemini', base_url: g.url, api_keys: ['k'], models: ['gemini-*'] },
    ],
    model_mapping: { 'my-alias': 'gpt-4o' },
  });
});
afterAll(async () => {
  await gw.close();
  await Promise.all(ups.map((u) => u.close()));
});

/** Captures the rewrite header of every response the SDK receives. */
function recordingFetch(seen: string[]): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    seen.push(res.headers.get('x-switchyard-path-rewrite') ?? '');
    return res;
  };
}

describe('OpenAI SDK base URLs', () => {
  it.each([
    ['/v1', ''],
    ['/v1/', ''],
    ['', '/chat/completions -> /v1/chat/completions'],
    ['/v1/v1', '/v1/v1/chat/completions -> /v1/chat/completions'],
    ['/v1/chat/completions', '/v1/chat/completions/chat/completions -> /v1/chat/completions'],
  ])('baseURL …%s works', async (suffix, rewrite) => {
    const seen: string[] = [];
    const client = new OpenAI({ apiKey: 'x', baseURL: gw.url + suffix, maxRetries: 0, fetch: recordingFetch(seen) });
    const res = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'base' }] });
    expect(res.choices[0].message.content).toContain('You said: base');
    expect(seen[0]).toBe(rewrite);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('my-alias');
  });

  it('the Responses SDK with the chat endpoint as base URL lands on /v1/responses', async () => {
    const seen: string[] = [];
    const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1/chat/completions`, maxRetries: 0, fetch: recordingFetch(seen) });
    const res = await client.responses.create({ model: 'gpt-4o', input: 'stacked' });
    expect(res.output_text).toContain('You said: stacked');
    expect(seen[0]).toBe('/v1/chat/completions/responses -> /v1/responses');
  });
});

describe('Anthropic SDK base URLs', () => {
  it.each([
    ['', ''],
    ['/', ''],
    ['/v1', '/v1/v1/messages -> /v1/messages'],
    ['/v1/messages', '/v1/messages/v1/messages -> /v1/messages'],
  ])('baseURL …%s works', async (suffix, rewrite) => {
    const seen: string[] = [];
    const client = new Anthropic({ apiKey: 'x', baseURL: gw.url + suffix, maxRetries: 0, fetch: recordingFetch(seen) });
    const res = await client.messages.create({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'base' }] });
    expect(res.content[0].type === 'text' && res.content[0].text).toContain('You said: base');
    expect(seen[0]).toBe(rewrite);
  });

  it('Claude Code\'s ?beta=true query is fine', async () => {
    const r = await fetch(`${gw.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'x', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'beta' }] }),
    });
    expect(r.status).toBe(200);
  });
});

describe('Gemini SDK base URLs', () => {
  it.each([
    ['', undefined, ''],
    ['', 'v1beta', ''],
    ['/v1beta', undefined, '/v1beta/v1/models/gemini-2.5-flash:generateContent -> /v1beta/models/gemini-2.5-flash:generateContent'],
    ['/v1', undefined, '/v1/v1/models/gemini-2.5-flash:generateContent -> /v1beta/models/gemini-2.5-flash:generateContent'],
  ])('baseUrl …%s (apiVersion %s) works', async (suffix, apiVersion, rewrite) => {
    const seen: string[] = [];
    const client = new GoogleGenAI({ apiKey: 'x', httpOptions: { baseUrl: gw.url + suffix, ...(apiVersion ? { apiVersion } : {}), fetch: recordingFetch(seen) } as never });
    const res = await client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'base' });
    expect(res.text).toContain('You said: base');
    if (seen.length > 0) expect(seen[0]).toBe(rewrite);
  });
});

describe('a rewrite is logged once per distinct path, with the fix', () => {
  it('logs the advice once', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1/v1`, maxRetries: 0 });
    for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'log' }] });
    const lines = gw.logs.filter((l) => l.includes('path rewritten') && l.includes('"/v1/v1/chat/completions"'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('repeats the API version');
  });
});

describe('housekeeping routes clients call', () => {
  it('answers HEAD /api/hello and event logging silently, refuses WebSocket upgrades at once', async () => {
    expect((await fetch(`${gw.url}/api/hello`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${gw.url}/v1/api/event_logging/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"events":[]}' })).status).toBe(200);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${gw.url}/v1/responses`, { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' } });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('upgrade', () => resolve(101));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(426);
  });
});
