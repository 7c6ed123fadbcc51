// auth_mode × key carrier × dialect: who gets in, and what a refused client is told.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { startAnthropicUpstream, startGeminiUpstream, startOpenAIUpstream, type Upstream } from '../upstreams/index.js';

const KEY = 'sk-gateway-secret-123456';
let ups: Upstream[] = [];
let providers: Array<Record<string, unknown>>;

beforeAll(async () => {
  const [o, a, g] = await Promise.all([startOpenAIUpstream(), startAnthropicUpstream(), startGeminiUpstream()]);
  ups = [o, a, g];
  providers = [
    { name: 'oa', type: 'openai', base_url: o.url, api_keys: ['sk-upstream-openai-999'], models: ['gpt-*'] },
    { name: 'an', type: 'anthropic', base_url: a.url, api_keys: ['sk-upstream-anthropic-999'], models: ['claude-*'] },
    { name: 'ge', type: 'gemini', base_url: g.url, api_keys: ['upstream-gemini-999'], models: ['gemini-*'] },
  ];
});
afterAll(async () => {
  await Promise.all(ups.map((u) => u.close()));
});

type Carrier = 'bearer' | 'x-api-key' | 'x-goog-api-key' | 'query';
type Call = { name: string; dialect: 'openai' | 'anthropic' | 'gemini'; path: string; method: string; headers?: Record<string, string>; body?: unknown };

const CALLS: Call[] = [
  { name: 'openai chat', dialect: 'openai', method: 'POST', path: '/v1/chat/completions', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] } },
  { name: 'openai models', dialect: 'openai', method: 'GET', path: '/v1/models' },
  { name: 'anthropic messages', dialect: 'anthropic', method: 'POST', path: '/v1/messages', headers: { 'anthropic-version': '2023-06-01' }, body: { model: 'claude-x', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] } },
  { name: 'gemini generate', dialect: 'gemini', method: 'POST', path: '/v1beta/models/gemini-2.5-flash:generateContent', body: { contents: [{ role: 'user', parts: [{ text: 'x' }] }] } },
];

function send(url: string, call: Call, carrier: Carrier | undefined, key: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...call.headers };
  let path = call.path;
  if (carrier === 'bearer') headers.authorization = `Bearer ${key}`;
  if (carrier === 'x-api-key') headers['x-api-key'] = key;
  if (carrier === 'x-goog-api-key') headers['x-goog-api-key'] = key;
  if (carrier === 'query') path += `?key=${encodeURIComponent(key)}`;
  return fetch(url + path, { method: call.method, headers, body: call.body ? JSON.stringify(call.body) : undefined });
}

/** A POST with the Host header a browser would send for a page on another name (fetch cannot set Host). */
function postAs(url: string, path: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url + path, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function expect401Shape(dialect: Call['dialect'], body: unknown, missing: boolean) {
  const b = body as Record<string, never>;
  if (dialect === 'anthropic') {
    expect(b).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect((b.error as { message: string }).message).toContain('x-api-key');
  } else if (dialect === 'gemini') {
    expect(b).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
    expect((b.error as { message: string }).message).toContain('x-goog-api-key');
  } else {
    expect(b).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key' } });
    expect((b.error as { message: string }).message).toContain('Authorization: Bearer');
  }
  expect((b.error as { message: string }).message).toContain(missing ? 'none was sent' : 'not valid');
}

describe.each(['strict', 'all_except_health'] as const)('auth_mode %s', (mode) => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway({ auth_mode: mode, api_key: KEY, providers });
  });
  afterAll(async () => {
    await gw.close();
  });

  it.each(CALLS)('$name: refused without a key, in its own error format', async (call) => {
    const r = await send(gw.url, call, undefined, '');
    expect(r.status).toBe(401);
    expect401Shape(call.dialect, await r.json(), true);
  });

  it.each(CALLS)('$name: refused with a wrong key', async (call) => {
    const r = await send(gw.url, call, 'bearer', 'sk-wrong');
    expect(r.status).toBe(401);
    expect401Shape(call.dialect, await r.json(), false);
  });

  it.each(CALLS.flatMap((call) => (['bearer', 'x-api-key', 'x-goog-api-key', 'query'] as Carrier[]).map((carrier) => ({ ...call, carrier }))))(
    '$name: accepted with the key as $carrier',
    async (call) => {
      const r = await send(gw.url, call, call.carrier, KEY);
      expect(r.status).toBe(200);
    },
  );

  it(`/healthz ${mode === 'strict' ? 'needs' : 'does not need'} a key`, async () => {
    const r = await fetch(`${gw.url}/healthz`);
    expect(r.status).toBe(mode === 'strict' ? 401 : 200);
    const ok = await fetch(`${gw.url}/healthz`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(await ok.json()).toMatchObject({ status: 'ok', version: expect.any(String) });
  });

  it('the official SDKs get in with the key the way each sends it', async () => {
    const o = await new OpenAI({ apiKey: KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'sdk' }] });
    expect(o.choices[0].message.content).toContain('You said: sdk');
    // SDK 1.x sends an API key as Authorization: Bearer; 0.x and Claude Code as x-api-key.
    const a = await new Anthropic({ apiKey: KEY, baseURL: gw.url, maxRetries: 0 }).messages.create({ model: 'claude-x', max_tokens: 5, messages: [{ role: 'user', content: 'sdk' }] });
    expect(a.content[0].type).toBe('text');
    const viaToken = await new Anthropic({ authToken: KEY, apiKey: null, baseURL: gw.url, maxRetries: 0 }).messages.create({ model: 'claude-x', max_tokens: 5, messages: [{ role: 'user', content: 'sdk' }] });
    expect(viaToken.content[0].type).toBe('text');
    const g = await new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: gw.url } }).models.generateContent({ model: 'gemini-2.5-flash', contents: 'sdk' });
    expect(g.text).toContain('You said: sdk');
  });

  it('no key, the gateway\'s or the upstreams\', appears in the logs', () => {
    const logs = gw.logs.join('\n');
    for (const secret of [KEY, 'sk-upstream-openai-999', 'sk-upstream-anthropic-999', 'upstream-gemini-999']) expect(logs).not.toContain(secret);
  });
});

describe('auth_mode off', () => {
  it('lets every client in without a key', async () => {
    const gw = await startGateway({ auth_mode: 'off', providers });
    try {
      for (const call of CALLS) expect((await send(gw.url, call, undefined, '')).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it("refuses a web page's cross-site text/plain POST (no preflight, would spend the quota), and only that", async () => {
    const gw = await startGateway({ auth_mode: 'off', providers });
    const openai = ups[0];
    const chat = JSON.stringify(CALLS[0].body);
    const post = (headers: Record<string, string>) => fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers, body: chat });
    try {
      const before = openai.requestCount('sk-upstream-openai-999');
      // What fetch(url, { mode: 'no-cors', method: 'POST', body: JSON.stringify(...) }) sends from evil.example.
      for (const origin of ['https://evil.example', 'null']) {
        const res = await post({ origin, 'content-type': 'text/plain;charset=UTF-8' });
        expect(res.status).toBe(403);
        const body = (await res.json()) as { error: { type: string; message: string } };
        expect(body.error.type).toBe('permission_error');
        expect(body.error.message).toContain(`origin ${origin}`);
        expect(body.error.message).toContain('Content-Type: application/json');
      }
      const anthropic = await fetch(`${gw.url}/v1/messages`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded', 'anthropic-version': '2023-06-01' }, body: JSON.stringify(CALLS[2].body) });
      expect(anthropic.status).toBe(403);
      expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
      expect(openai.requestCount('sk-upstream-openai-999')).toBe(before);
      // Declared JSON (a browser preflights that cross-site), a local web page, and curl -d without an Origin all go through.
      expect((await post({ origin: 'https://app.example', 'content-type': 'application/json' })).status).toBe(200);
      expect((await post({ origin: 'http://localhost:3000', 'content-type': 'text/plain' })).status).toBe(200);
      expect((await post({ 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(200);
      expect(openai.requestCount('sk-upstream-openai-999')).toBe(before + 3);
    } finally {
      await gw.close();
    }
  });

  it('refuses a DNS-rebinding page (same-origin JSON from a name pointed at the gateway), and not clients reaching it by address', async () => {
    const gw = await startGateway({ auth_mode: 'off', providers });
    const openai = ups[0];
    const port = new URL(gw.url).port;
    try {
      const before = openai.requestCount('sk-upstream-openai-999');
      const rebound = await postAs(gw.url, '/v1/chat/completions', { host: `evil.example:${port}`, origin: `http://evil.example:${port}`, 'content-type': 'application/json' }, CALLS[0].body);
      expect(rebound.status).toBe(403);
      expect((rebound.body as { error: { type: string; message: string } }).error).toMatchObject({ type: 'permission_error', message: expect.stringContaining('DNS rebinding') as string });
      expect(openai.requestCount('sk-upstream-openai-999')).toBe(before);
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `192.168.1.20:${port}`]) {
        const res = await postAs(gw.url, '/v1/chat/completions', { host, origin: `http://${host}`, 'content-type': 'application/json' }, CALLS[0].body);
        expect(res.status).toBe(200);
      }
      // Not same-origin (no rebinding), and no Origin at all (every API client): through.
      expect((await postAs(gw.url, '/v1/chat/completions', { host: `evil.example:${port}`, 'content-type': 'application/json' }, CALLS[0].body)).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});

describe('a web client behind a reverse proxy on its own name', () => {
  it('is not taken for DNS rebinding when a key is required and it sends one', async () => {
    const gw = await startGateway({ auth_mode: 'strict', api_key: KEY, providers });
    const port = new URL(gw.url).port;
    try {
      const headers = { host: `ai.example:${port}`, origin: `http://ai.example:${port}`, 'content-type': 'application/json' };
      expect((await postAs(gw.url, '/v1/chat/completions', { ...headers, authorization: `Bearer ${KEY}` }, CALLS[0].body)).status).toBe(200);
      expect((await postAs(gw.url, '/v1/chat/completions', headers, CALLS[0].body)).status).toBe(401);
    } finally {
      await gw.close();
    }
  });
});
