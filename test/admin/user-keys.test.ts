// User keys end to end: created through the admin API, used by clients of every dialect, held to
// their allowed models and limits (tripping exactly at the bounds, with a 429 in the client's own
// error format), attributed in the log and the stats, in every auth mode.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { startAnthropicUpstream, startGeminiUpstream, startOpenAIUpstream, type Upstream } from '../upstreams/index.js';
import { adminClient, allLog, chat, sumLog, type AdminCall, type StatsAnswer } from './helpers.js';

const API_KEY = 'sk-gateway-config-key-4242';
let ups: Upstream[];
let providers: Array<Record<string, unknown>>;

beforeAll(async () => {
  const [o, a, g] = await Promise.all([startOpenAIUpstream(), startAnthropicUpstream(), startGeminiUpstream()]);
  ups = [o, a, g];
  // Fixed usage per answer, so token quotas are exact: 40 in + 20 out = 60 tokens a request.
  for (const u of ups) u.setScript(() => ({ kind: 'reply', reply: { text: 'ok', usage: { input: 40, output: 20 } } }));
  providers = [
    { name: 'oa', type: 'openai', base_url: o.url, api_keys: ['sk-up-o-111111'], models: ['gpt-*'] },
    { name: 'an', type: 'anthropic', base_url: a.url, api_keys: ['sk-up-a-222222'], models: ['claude-*'] },
    { name: 'ge', type: 'gemini', base_url: g.url, api_keys: ['up-g-33333333'], models: ['gemini-*'] },
  ];
});
afterAll(async () => {
  await Promise.all(ups.map((u) => u.close()));
});

interface KeyView {
  id: number;
  name: string;
  key: string;
  status: string;
  api_key: string;
  usage_today: { requests: number; tokens: number; last_minute: number };
}

async function createKey(admin: AdminCall, body: Record<string, unknown>): Promise<KeyView> {
  const r = await admin<KeyView>('POST', '/api/keys', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

type Dialect = 'openai' | 'anthropic' | 'gemini';
async function call(url: string, dialect: Dialect, key: string | undefined, model?: string): Promise<{ status: number; body: Record<string, unknown>; retryAfter: string | null }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  let path: string;
  let body: unknown;
  if (dialect === 'openai') {
    path = '/v1/chat/completions';
    body = { model: model ?? 'gpt-4o', messages: [{ role: 'user', content: 'x' }] };
    if (key) headers.authorization = `Bearer ${key}`;
  } else if (dialect === 'anthropic') {
    path = '/v1/messages';
    body = { model: model ?? 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] };
    headers['anthropic-version'] = '2023-06-01';
    if (key) headers['x-api-key'] = key;
  } else {
    path = `/v1beta/models/${model ?? 'gemini-2.5-flash'}:generateContent`;
    body = { contents: [{ role: 'user', parts: [{ text: 'x' }] }] };
    if (key) headers['x-goog-api-key'] = key;
  }
  const res = await fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, retryAfter: res.headers.get('retry-after') };
}

function messageOf(dialect: Dialect, body: Record<string, unknown>): string {
  const b = body as { error?: { message?: string; type?: string; status?: string } };
  if (dialect === 'anthropic') expect(body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  else if (dialect === 'gemini') expect(body).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
  else expect(body).toMatchObject({ error: { type: 'rate_limit_error' } });
  return b.error?.message ?? '';
}

describe('user keys with auth_mode strict', () => {
  let gw: RunningGateway;
  let admin: AdminCall;
  beforeAll(async () => {
    gw = await startGateway({ auth_mode: 'strict', api_key: API_KEY, admin_password: 'pw-admin-7777', providers });
    admin = adminClient(gw.url, 'pw-admin-7777');
  });
  afterAll(async () => {
    await gw.close();
  });

  it('a new key is shown once in full, then only masked', async () => {
    const k = await createKey(admin, { name: 'shown-once' });
    expect(k.api_key).toMatch(/^sk-sy-u-/);
    expect(k.key).toBe(`${k.api_key.slice(0, 4)}…${k.api_key.slice(-4)}`);
    const list = await admin('GET', '/api/keys');
    expect(JSON.stringify(list.body)).not.toContain(k.api_key);
    expect(JSON.stringify((await admin('GET', `/api/keys/${k.id}`)).body)).not.toContain(k.api_key);
    expect((await admin('POST', '/api/keys', { name: 'shown-once' })).status).toBe(409);
    expect((await admin('POST', '/api/keys', { name: 'bad', rpm: -1 })).status).toBe(400);
    expect((await admin('POST', '/api/keys', { name: 'bad', extra: 1 })).status).toBe(400);
  });

  it('works with every SDK, the way each sends its key', async () => {
    const k = await createKey(admin, { name: 'sdk-user' });
    const o = await new OpenAI({ apiKey: k.api_key, baseURL: `${gw.url}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    expect(o.choices[0].message.content).toBe('ok');
    const a = await new Anthropic({ apiKey: k.api_key, baseURL: gw.url, maxRetries: 0 }).messages.create({ model: 'claude-x', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    expect(a.content[0].type).toBe('text');
    const g = await new GoogleGenAI({ apiKey: k.api_key, httpOptions: { baseUrl: gw.url } }).models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' });
    expect(g.text).toBe('ok');
    // The config key keeps working, unrestricted; an unknown key does not.
    expect((await call(gw.url, 'openai', API_KEY)).status).toBe(200);
    expect((await call(gw.url, 'openai', 'sk-sy-u-unknown')).status).toBe(401);
    expect((await call(gw.url, 'openai', undefined)).status).toBe(401);
  });

  it.each(['openai', 'anthropic', 'gemini'] as const)('rpm trips exactly at its bound (%s), with Retry-After and a message naming it', async (dialect) => {
    const k = await createKey(admin, { name: `rpm-${dialect}`, rpm: 3 });
    for (let i = 0; i < 3; i++) expect((await call(gw.url, dialect, k.api_key)).status).toBe(200);
    const r = await call(gw.url, dialect, k.api_key);
    expect(r.status).toBe(429);
    expect(Number(r.retryAfter)).toBeGreaterThan(50);
    expect(Number(r.retryAfter)).toBeLessThanOrEqual(60);
    const msg = messageOf(dialect, r.body);
    expect(msg).toContain(`rpm-${dialect}`);
    expect(msg).toContain('3 requests per minute (rpm)');
  });

  it('daily request quota trips exactly at its bound', async () => {
    const k = await createKey(admin, { name: 'daily-req', daily_requests: 4 });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(gw.url, (['openai', 'anthropic', 'gemini'] as const)[i % 3], k.api_key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const r = await call(gw.url, 'openai', k.api_key);
    expect(messageOf('openai', r.body)).toContain('4 requests per day (daily_requests)');
    const secondsToMidnight = Math.ceil((86_400_000 - (Date.now() % 86_400_000)) / 1000);
    expect(Math.abs(Number(r.retryAfter) - secondsToMidnight)).toBeLessThanOrEqual(2);
    // Model lists are not billed.
    expect((await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${k.api_key}` } })).status).toBe(200);
  });

  it('daily token quota: admitted while below it, refused once reached', async () => {
    // 60 tokens a request; quota 150: 0 → 60 → 120 admitted, 180 used → refused.
    const k = await createKey(admin, { name: 'daily-tok', daily_tokens: 150 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(gw.url, 'anthropic', k.api_key)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const view = (await admin<KeyView>('GET', `/api/keys/${k.id}`)).body;
    expect(view.usage_today).toMatchObject({ requests: 3, tokens: 180 });
  });

  it('allowed models: globs on the requested name, 403 otherwise', async () => {
    const k = await createKey(admin, { name: 'gpt-only', allowed_models: ['gpt-4o*'] });
    expect((await call(gw.url, 'openai', k.api_key, 'gpt-4o-mini')).status).toBe(200);
    const no = await call(gw.url, 'anthropic', k.api_key, 'claude-x');
    expect(no.status).toBe(403);
    expect((no.body as { error: { message: string } }).error.message).toContain('may not use the model "claude-x"');
    expect((await call(gw.url, 'gemini', k.api_key)).status).toBe(403);
  });

  it('disabled, expired and revoked keys are refused; edits apply at once', async () => {
    const k = await createKey(admin, { name: 'lifecycle', expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await call(gw.url, 'openai', k.api_key)).status).toBe(200);
    await admin('PATCH', `/api/keys/${k.id}`, { enabled: false });
    const off = await call(gw.url, 'openai', k.api_key);
    expect(off.status).toBe(401);
    expect(JSON.stringify(off.body)).toContain('is disabled');
    await admin('PATCH', `/api/keys/${k.id}`, { enabled: true, expires_at: Date.now() - 1000 });
    expect(JSON.stringify((await call(gw.url, 'anthropic', k.api_key)).body)).toContain('expired');
    const edited = await admin<KeyView>('PATCH', `/api/keys/${k.id}`, { expires_at: null, rpm: 1, name: 'lifecycle-2' });
    expect(edited.body).toMatchObject({ name: 'lifecycle-2', status: 'active' });
    expect((await call(gw.url, 'openai', k.api_key)).status).toBe(200);
    expect((await call(gw.url, 'openai', k.api_key)).status).toBe(429);
    const revoked = await admin<KeyView>('DELETE', `/api/keys/${k.id}`);
    expect(revoked.body.status).toBe('revoked');
    const r = await call(gw.url, 'gemini', k.api_key);
    expect(r.status).toBe(401);
    expect(JSON.stringify(r.body)).toContain('was revoked');
    expect((await admin('PATCH', `/api/keys/${k.id}`, { enabled: true })).status).toBe(409);
    // Its name can be freed for a new key.
    expect((await admin('PATCH', `/api/keys/${k.id}`, { name: 'lifecycle-old' })).status).toBe(200);
    expect((await admin('POST', '/api/keys', { name: 'lifecycle-2' })).status).toBe(201);
  });

  it('usage per key shows in the log and the stats, consistently', async () => {
    const log = await allLog(admin);
    const stats = (await admin<StatsAnswer>('GET', '/api/stats?group_by=user_key')).body;
    for (const name of ['daily-req', 'daily-tok', 'rpm-openai']) {
      const mine = log.filter((i) => i.user_key === name);
      const g = stats.groups.find((x) => x.key === name);
      expect(g?.requests, name).toBe(mine.length);
      expect(g?.input_tokens, name).toBe(sumLog(mine, 'input_tokens'));
      expect(g?.output_tokens, name).toBe(sumLog(mine, 'output_tokens'));
    }
    // Refusals are logged too, attributed to the key that was refused.
    expect(log.filter((i) => i.user_key === 'daily-tok').map((i) => i.status)).toEqual([429, 200, 200, 200]);
    expect(log.filter((i) => i.status === 401).length).toBeGreaterThanOrEqual(2);
    expect((await admin<{ items: unknown[] }>('GET', '/api/requests?user_key=gpt-only&status=403')).body.items).toHaveLength(2);
  });
});

describe('user keys with auth_mode off', () => {
  it('a presented user key is still attributed and limited; no key is anonymous', async () => {
    const gw = await startGateway({ auth_mode: 'off', admin_password: 'pw-admin-7777', providers });
    try {
      const admin = adminClient(gw.url, 'pw-admin-7777');
      const k = await createKey(admin, { name: 'off-mode', rpm: 2 });
      expect((await call(gw.url, 'openai', k.api_key)).status).toBe(200);
      expect((await call(gw.url, 'openai', k.api_key)).status).toBe(200);
      expect((await call(gw.url, 'openai', k.api_key)).status).toBe(429);
      for (let i = 0; i < 3; i++) expect((await call(gw.url, 'openai', undefined)).status).toBe(200);
      expect((await chat(gw.url, { key: 'whatever-key' })).status).toBe(200);
      const log = await allLog(admin);
      expect(log.filter((i) => i.user_key === 'off-mode').map((i) => i.status)).toEqual([429, 200, 200]);
      expect(log.filter((i) => i.user_key === null)).toHaveLength(4);
    } finally {
      await gw.close();
    }
  });
});
