// The admin API end to end: its password, providers and credentials changing routing at run time,
// mapping, settings, pool state, the request log and stats — against the real gateway and local
// vendor upstreams, driven over HTTP (and the official SDKs where a client is involved).
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { startAnthropicUpstream, startOpenAIUpstream, type Upstream } from '../upstreams/index.js';
import { adminClient, allLog, chat, sumLog, type AdminCall, type LogItem, type LogPage, type StatsAnswer } from './helpers.js';

const PW = 'admin-pw-secret-0123';
const OA1 = 'sk-up-openai-key-0001';
const OA2 = 'sk-up-openai-key-0002';
const AN1 = 'sk-ant-upstream-key-0003';

let oa: Upstream;
let an: Upstream;
let gw: RunningGateway;
let admin: AdminCall;

interface ProviderView {
  name: string;
  type: string;
  enabled: boolean;
  origin: string;
  credentials: Array<{ id: number; key: string; enabled: boolean }>;
}

beforeAll(async () => {
  [oa, an] = await Promise.all([startOpenAIUpstream({ keys: [OA1, OA2] }), startAnthropicUpstream({ keys: [AN1] })]);
  gw = await startGateway({
    admin_password: PW,
    providers: [{ name: 'oa', type: 'openai', base_url: oa.url, api_keys: [OA1, OA2], models: ['gpt-*', 'o3'] }],
  });
  admin = adminClient(gw.url, PW);
});
afterAll(async () => {
  await gw?.close();
  await Promise.all([oa?.close(), an?.close()]);
});

const openai = () => new OpenAI({ apiKey: 'client-key', baseURL: `${gw.url}/v1`, maxRetries: 0 });
const anthropic = () => new Anthropic({ apiKey: 'client-key', baseURL: gw.url, maxRetries: 0 });

describe('admin password', () => {
  it('every admin route refuses a request without it or with a wrong one (401), whatever auth_mode is', async () => {
    const doc = (await (await fetch(`${gw.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => [m.toUpperCase(), path.replace(/\{[^}]+\}/g, '1')]));
    expect(ops.length).toBeGreaterThanOrEqual(20);
    for (const [method, path] of ops) {
      expect((await admin(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}, '')).status, `${method} ${path}`).toBe(401);
    }
    // One wrong guess (more would slow this address down; see the next test).
    const wrong = await admin('GET', '/api/providers', undefined, 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('Bearer');
    expect((await admin('GET', '/api/providers')).status).toBe(200);
  });

  it('repeated wrong passwords from one address are slowed down (429 with Retry-After)', async () => {
    const other = await startGateway({ admin_password: PW });
    try {
      const a = adminClient(other.url, PW);
      for (let i = 0; i < 5; i++) expect((await a('GET', '/api/settings', undefined, `guess-${i}`)).status).toBe(401);
      const locked = await a('GET', '/api/settings');
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await a('GET', '/api/settings')).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('falls back to the API key when no admin password is set', async () => {
    const other = await startGateway({ auth_mode: 'strict', api_key: 'sk-gateway-key-998877' });
    try {
      expect((await adminClient(other.url, 'sk-gateway-key-998877')('GET', '/api/settings')).status).toBe(200);
      expect((await adminClient(other.url, PW)('GET', '/api/settings')).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('also takes SWITCHYARD_ADMIN_PASSWORD or WEB_PASSWORD from the environment', async () => {
    for (const env of [{ SWITCHYARD_ADMIN_PASSWORD: 'env-pw-1234' }, { WEB_PASSWORD: 'env-pw-1234' }] as Array<Record<string, string>>) {
      const other = await startGateway({}, env);
      try {
        expect((await adminClient(other.url, 'env-pw-1234')('GET', '/api/settings')).status).toBe(200);
      } finally {
        await other.close();
      }
    }
  });
});

describe('OpenAPI description', () => {
  it('is OpenAPI 3.1 and describes every admin route, with request schemas from the validators', async () => {
    const res = await fetch(`${gw.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> }; responses: object }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const expected = [
      'GET /api/providers',
      'POST /api/providers',
      'GET /api/providers/{name}',
      'PATCH /api/providers/{name}',
      'DELETE /api/providers/{name}',
      'POST /api/providers/{name}/test',
      'GET /api/providers/{name}/credentials',
      'POST /api/providers/{name}/credentials',
      'PATCH /api/providers/{name}/credentials/{id}',
      'DELETE /api/providers/{name}/credentials/{id}',
      'POST /api/providers/{name}/credentials/{id}/test',
      'GET /api/mapping',
      'PUT /api/mapping',
      'GET /api/settings',
      'PATCH /api/settings',
      'GET /api/pool',
      'POST /api/pool/reset',
      'GET /api/requests',
      'GET /api/requests/{id}',
      'GET /api/stats',
      'GET /api/keys',
      'POST /api/keys',
      'GET /api/keys/{id}',
      'PATCH /api/keys/{id}',
      'DELETE /api/keys/{id}',
      // The browser console's additions (src/admin/console-routes.ts).
      'GET /api/route',
      'GET /api/stats/minutes',
      'GET /api/fallbacks',
      'PUT /api/fallbacks',
      'GET /api/settings/server',
      'PATCH /api/settings/server',
    ];
    const actual = Object.entries(doc.paths).flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m.toUpperCase()} ${p}`));
    expect(actual.sort()).toEqual(expected.sort());
    const create = doc.paths['/api/providers'].post.requestBody?.content['application/json'].schema;
    expect(Object.keys(create?.properties ?? {})).toEqual(expect.arrayContaining(['name', 'type', 'base_url', 'api_keys', 'models']));
    const keys = doc.paths['/api/keys'].post.requestBody?.content['application/json'].schema;
    expect(Object.keys(keys?.properties ?? {})).toEqual(expect.arrayContaining(['name', 'allowed_models', 'daily_requests', 'daily_tokens', 'rpm', 'expires_at']));
  });
});

describe('providers and credentials at run time', () => {
  it('lists providers with credentials masked, never in full', async () => {
    const r = await admin<{ providers: ProviderView[] }>('GET', '/api/providers');
    expect(r.status).toBe(200);
    expect(r.body.providers).toHaveLength(1);
    expect(r.body.providers[0]).toMatchObject({ name: 'oa', type: 'openai', origin: 'config', enabled: true });
    expect(r.body.providers[0].credentials.map((c) => c.key)).toEqual(['sk-u…0001', 'sk-u…0002']);
    const text = JSON.stringify(r.body);
    for (const k of [OA1, OA2]) expect(text).not.toContain(k);
  });

  it('adds a provider that serves requests at once, disables and re-enables it, and deletes it', async () => {
    const bad = await admin('POST', '/api/providers', { name: 'an', type: 'anthropc', api_keys: [AN1] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('type');
    const missingKeys = await admin('POST', '/api/providers', { name: 'an', type: 'anthropic' });
    expect(missingKeys.status).toBe(400);

    const created = await admin<ProviderView>('POST', '/api/providers', { name: 'an', type: 'anthropic', base_url: `${an.url}/v1`, api_keys: [AN1], models: ['claude-*'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'an', origin: 'admin', credentials: [{ key: 'sk-a…0003', enabled: true }] });
    expect(JSON.stringify(created.body)).not.toContain(AN1);
    expect((await admin('POST', '/api/providers', { name: 'an', type: 'anthropic', api_keys: ['x-123456789'] })).status).toBe(409);

    const msg = await anthropic().messages.create({ model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'via admin' }] });
    expect(msg.content[0].type === 'text' && msg.content[0].text).toContain('You said: via admin');
    expect(an.requests.at(-1)?.key).toBe(AN1);

    expect((await admin('PATCH', '/api/providers/an', { enabled: false })).status).toBe(200);
    await expect(anthropic().messages.create({ model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 404 });
    const patched = await admin<ProviderView>('PATCH', '/api/providers/an', { enabled: true, models: ['claude-*', 'sonnet'] });
    expect(patched.body).toMatchObject({ enabled: true, models: ['claude-*', 'sonnet'] });
    expect((await admin('PATCH', '/api/providers/an', { weight: -1 })).status).toBe(400);
    expect((await admin('PATCH', '/api/providers/an', { api_keys: ['x'] })).status).toBe(400);
    await anthropic().messages.create({ model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'x' }] });

    expect((await admin('DELETE', '/api/providers/an')).status).toBe(200);
    expect((await admin('DELETE', '/api/providers/an')).status).toBe(404);
    expect((await admin('GET', '/api/providers/an')).status).toBe(404);
    await expect(anthropic().messages.create({ model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 404 });
  });

  it('adds, disables, tests and deletes credentials; the pool follows', async () => {
    const added = await admin<{ id: number; key: string }>('POST', '/api/providers/oa/credentials', { key: 'sk-up-openai-WRONG-0009' });
    expect(added.status).toBe(201);
    expect(added.body.key).toBe('sk-u…0009');
    expect((await admin('POST', '/api/providers/oa/credentials', { key: OA1 })).status).toBe(409);

    const wrongTest = await admin<{ ok: boolean; status: number; error: string }>('POST', `/api/providers/oa/credentials/${added.body.id}/test`);
    expect(wrongTest.body).toMatchObject({ ok: false, status: 401 });
    expect(wrongTest.body.error).toContain('Incorrect API key');
    expect(wrongTest.body.error).not.toContain('sk-up-openai-WRONG-0009');

    const creds = (await admin<{ credentials: Array<{ id: number; key: string }> }>('GET', '/api/providers/oa/credentials')).body.credentials;
    const [c1, c2] = creds;
    expect((await admin<{ ok: boolean; models: number }>('POST', `/api/providers/oa/credentials/${c1.id}/test`)).body).toMatchObject({ ok: true, models: 5 });

    // Only the second key left enabled: every request uses it.
    expect((await admin('PATCH', `/api/providers/oa/credentials/${c1.id}`, { enabled: false })).status).toBe(200);
    expect((await admin('DELETE', `/api/providers/oa/credentials/${added.body.id}`)).status).toBe(200);
    expect((await admin('DELETE', `/api/providers/oa/credentials/${added.body.id}`)).status).toBe(404);
    const before = oa.requests.length;
    for (let i = 0; i < 3; i++) await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'k' }] });
    expect(oa.requests.slice(before).map((r) => r.key)).toEqual([OA2, OA2, OA2]);
    const whole = await admin<{ ok: boolean; results: Array<{ key: string; ok: boolean }> }>('POST', '/api/providers/oa/test');
    expect(whole.body).toMatchObject({ ok: true, results: [{ key: c2.key, ok: true }] });

    await admin('PATCH', `/api/providers/oa/credentials/${c1.id}`, { enabled: true });
    const p = (await admin<ProviderView>('GET', '/api/providers/oa')).body;
    expect(p.origin).toBe('admin');
    expect(p.credentials.map((c) => c.enabled)).toEqual([true, true]);
  });
});

describe('model mapping, settings, pool', () => {
  it('replaces the mapping, which routing uses at once', async () => {
    expect((await admin('GET', '/api/mapping')).body).toEqual({ model_mapping: {} });
    expect((await admin('PUT', '/api/mapping', { model_mapping: { '/(unclosed/': 'x' } })).status).toBe(400);
    const put = await admin('PUT', '/api/mapping', { model_mapping: { 'my-alias': 'gpt-4o-mini', 'team-*': 'o3' } });
    expect(put.body).toEqual({ model_mapping: { 'my-alias': 'gpt-4o-mini', 'team-*': 'o3' } });
    await openai().chat.completions.create({ model: 'my-alias', messages: [{ role: 'user', content: 'm' }] });
    expect((oa.requests.at(-1)?.body as { model: string }).model).toBe('gpt-4o-mini');
    await admin('PUT', '/api/mapping', { model_mapping: {} });
  });

  it('settings: read, validated, applied at once (IP deny list)', async () => {
    const s = await admin<Record<string, unknown>>('GET', '/api/settings');
    expect(s.body).toMatchObject({ store_bodies: false, log_retention_days: 30, metrics_auth: 'loopback', ip_allow: [], ip_deny: [] });
    expect((await admin('PATCH', '/api/settings', { ip_deny: ['not-an-ip'] })).status).toBe(400);
    expect((await admin('PATCH', '/api/settings', { port: 1 })).status).toBe(400);
    expect((await admin('PATCH', '/api/settings', { stored_body_max_size: '2kb' })).body).toMatchObject({ stored_body_max_size: 2048 });

    expect((await admin('PATCH', '/api/settings', { ip_deny: ['127.0.0.0/8'] })).status).toBe(200);
    const denied = await chat(gw.url);
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.text)).toMatchObject({ error: { type: 'permission_error' } });
    // Anthropic clients get their own error shape; the admin API stays reachable.
    const r = await fetch(`${gw.url}/v1/messages`, { method: 'POST', headers: { 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }, body: '{}' });
    expect(await r.json()).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
    expect((await admin('PATCH', '/api/settings', { ip_deny: [], ip_allow: ['10.0.0.0/8', '127.0.0.1'] })).status).toBe(200);
    expect((await chat(gw.url)).status).toBe(200);
    await admin('PATCH', '/api/settings', { ip_allow: [] });
    const log = await allLog(admin, 'status=403');
    expect(log.some((i) => i.route === 'ip_denied')).toBe(true);
  });

  it('pool state and reset', async () => {
    const pool = await admin<{ providers: Array<{ name: string; credentials: Array<{ key: string; status: string }> }> }>('GET', '/api/pool');
    expect(pool.status).toBe(200);
    expect(pool.body.providers[0]).toMatchObject({ name: 'oa', credentials: [{ key: 'sk-u…0001', status: 'healthy' }, { key: 'sk-u…0002' }] });
    expect(JSON.stringify(pool.body)).not.toContain(OA1);
    expect((await admin('POST', '/api/pool/reset', { provider: 'oa', index: 1 })).body).toEqual({ reset: 1 });
    expect((await admin('POST', '/api/pool/reset', {})).body).toEqual({ reset: 2 });
    expect((await admin('POST', '/api/pool/reset', { index: 'x' })).status).toBe(400);
  });
});

describe('request log and stats', () => {
  it('one record per client request with the id from the response header and the log line', async () => {
    const res = await chat(gw.url, { path: '/chat/completions', content: 'logged' }); // a base URL without /v1: rewritten
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const d = await admin<LogItem>('GET', `/api/requests/${id}`);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({
      id,
      dialect: 'openai-chat',
      route: 'openai.chat',
      method: 'POST',
      path_sent: '/chat/completions',
      path_resolved: '/v1/chat/completions',
      model_requested: 'gpt-4o',
      model_resolved: 'gpt-4o',
      provider: 'oa',
      status: 200,
      error: null,
      attempts: 1,
      stream: false,
      translated: false,
      user_key: null,
      user_agent: 'switchyard-test/1',
      client_address: '127.0.0.1',
      request_body: null,
    });
    expect(d.body.credential).toMatch(/^sk-u…000[12]$/);
    expect(d.body.input_tokens).toBeGreaterThan(0);
    expect(d.body.output_tokens).toBeGreaterThan(0);
    expect(d.body.latency_ms).toBeGreaterThanOrEqual(0);
    expect(d.body.ttfb_ms).toBeGreaterThanOrEqual(0);
    const line = gw.logs.map((l) => JSON.parse(l) as { reqId?: string; msg?: string }).find((l) => l.reqId === id && l.msg === 'request');
    expect(line).toBeDefined();
    expect((await admin('GET', '/api/requests/no-such-id')).status).toBe(404);
  });

  it('covers streams, model lists, 404s and errors too', async () => {
    const stream = await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 's' }], stream: true, stream_options: { include_usage: true } });
    for await (const _ of stream) {
      // drain
    }
    await openai().models.list();
    const nf = await fetch(`${gw.url}/v2/nothing/here`);
    expect(nf.status).toBe(404);
    const nfId = nf.headers.get('x-request-id')!;
    await expect(openai().chat.completions.create({ model: 'unknown-model', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 404 });

    const log = await allLog(admin);
    const byRoute = (r: string) => log.filter((i) => i.route === r);
    expect(byRoute('models.list').length).toBeGreaterThanOrEqual(1);
    expect(log.find((i) => i.id === nfId)).toMatchObject({ route: 'not_found', status: 404, path_sent: '/v2/nothing/here' });
    expect(log.find((i) => i.model_requested === 'unknown-model')).toMatchObject({ status: 404, route: 'openai.chat', provider: null });
    expect(log.find((i) => i.model_requested === 'unknown-model')?.error).toContain('unknown-model');
    const streamed = log.find((i) => i.stream === true);
    expect(streamed?.output_tokens).toBeGreaterThan(0);
  });

  it('filters and pages', async () => {
    const q = async (query: string) => (await admin<LogPage>('GET', `/api/requests?${query}`)).body;
    const all = await q('limit=1000');
    expect(all.total).toBe(all.items.length);
    const page = await q('limit=2&offset=1');
    expect(page.items.map((i) => i.id)).toEqual(all.items.slice(1, 3).map((i) => i.id));
    expect((await q('status=404')).items.every((i) => i.status === 404)).toBe(true);
    expect((await q('status=4xx')).items.every((i) => i.status >= 400 && i.status < 500)).toBe(true);
    expect((await q('errors=1')).items.every((i) => i.status >= 400 || i.error !== null)).toBe(true);
    expect((await q('model=my-alias')).items.length).toBeGreaterThanOrEqual(1);
    expect((await q('dialect=anthropic')).items.every((i) => i.dialect === 'anthropic')).toBe(true);
    expect((await q('provider=oa')).items.every((i) => i.provider === 'oa')).toBe(true);
    expect((await q(`from=${Date.now() + 60_000}`)).total).toBe(0);
    expect((await q(`to=${new Date(Date.now() + 60_000).toISOString()}`)).total).toBe(all.total);
    expect((await admin('GET', '/api/requests?limit=0')).status).toBe(400);
    expect((await admin('GET', '/api/requests?from=yesterday')).status).toBe(400);
    expect((await admin('GET', '/api/requests?bogus=1')).status).toBe(400);
  });

  it('stats equal the log: totals, groups and hourly series', async () => {
    const log = await allLog(admin);
    const s = (await admin<StatsAnswer>('GET', '/api/stats?bucket=hour&group_by=model')).body;
    expect(s.totals.requests).toBe(log.length);
    expect(s.totals.errors).toBe(log.filter((i) => i.status >= 400 || i.error !== null).length);
    for (const f of ['input_tokens', 'output_tokens', 'cached_tokens', 'reasoning_tokens'] as const) expect(s.totals[f]).toBe(sumLog(log, f));
    expect(s.totals.input_tokens).toBeGreaterThan(0);
    for (const g of s.groups) {
      const mine = log.filter((i) => (i.model_requested ?? '') === g.key);
      expect(g.requests, g.key).toBe(mine.length);
      expect(g.input_tokens, g.key).toBe(sumLog(mine, 'input_tokens'));
    }
    expect(s.series.reduce((a, x) => a + x.requests, 0)).toBe(log.length);
    const byProvider = (await admin<StatsAnswer>('GET', '/api/stats?group_by=provider&bucket=day')).body;
    expect(byProvider.groups.find((g) => g.key === 'oa')?.output_tokens).toBe(sumLog(log.filter((i) => i.provider === 'oa'), 'output_tokens'));
    expect((await admin('GET', '/api/stats?group_by=color')).status).toBe(400);
  });
});
