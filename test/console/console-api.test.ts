// The server side of the browser console, over HTTP: who gets the console at / (browsers) and who
// keeps the root path's advice (API clients), login with its cookie and rate limit, CSRF rules for the
// cookie, logout, live events, route preview, the minute series, fallbacks and the settings that
// apply at the next start.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConsoleServerSettings } from '../../src/admin/console-settings.js';
import { loadConfig } from '../../src/config/load.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { startOpenAIUpstream, type Upstream } from '../upstreams/index.js';

const PW = 'console-api-pw-7731';
const KEY = 'sk-upstream-console-api-0001';

let up: Upstream;
let gw: RunningGateway;

beforeAll(async () => {
  up = await startOpenAIUpstream({ keys: [KEY] });
  gw = await startGateway({
    admin_password: PW,
    providers: [{ name: 'oa', type: 'openai', base_url: up.url, api_keys: [KEY], models: ['gpt-*'] }],
  });
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
});

const CONSOLE = { 'x-switchyard-console': '1', 'content-type': 'application/json' };

async function login(password = PW, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}/api/login`, { method: 'POST', headers: { ...CONSOLE, ...headers }, body: JSON.stringify({ password }) });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { res, cookie: setCookie.split(';')[0], setCookie, body: (await res.json()) as Record<string, unknown> };
}

describe('the console at / and /ui', () => {
  it('browsers get the console; API clients keep the root path 404 advice', async () => {
    const page = await fetch(`${gw.url}/`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await page.text();
    expect(html).toContain('<div id="root">');

    for (const accept of ['application/json', '*/*']) {
      const api = await fetch(`${gw.url}/`, { headers: { accept } });
      expect(api.status).toBe(404);
      const body = (await api.json()) as { error: { message: string }; switchyard: { base_urls: { openai: string } } };
      expect(body.error.message).toContain('root path');
      expect(body.switchyard.base_urls.openai).toBe(`${gw.url}/v1`);
    }
    const sdk = await new OpenAI({ apiKey: 'x', baseURL: gw.url, maxRetries: 0 }).models.list().catch((e: unknown) => e);
    expect(sdk).not.toBeInstanceOf(Error); // /models is rewritten to /v1/models, as before
  });

  it('serves the built assets under /ui/ and the app for its own paths', async () => {
    const html = await (await fetch(`${gw.url}/ui/requests`, { headers: { accept: 'text/html' } })).text();
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${gw.url}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${gw.url}/ui/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${gw.url}/ui/../package.json`)).status).not.toBe(200);
    // Console pages are not proxy requests: not in the request log.
    const log = await fetch(`${gw.url}/api/requests?limit=1000`, { headers: { authorization: `Bearer ${PW}` } });
    const items = ((await log.json()) as { items: Array<{ path_sent: string }> }).items;
    expect(items.some((i) => i.path_sent.startsWith('/ui'))).toBe(false);
  });
});

describe('login, session cookie, logout', () => {
  it('sets an HttpOnly, SameSite=Strict cookie that opens the admin API like the password', async () => {
    const before = (await (await fetch(`${gw.url}/api/session`)).json()) as Record<string, unknown>;
    expect(before).toMatchObject({ authenticated: false });
    expect(String(before.password_hint)).toContain('admin_password');

    const { res, cookie, setCookie } = await login();
    expect(res.status).toBe(200);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);

    const providers = await fetch(`${gw.url}/api/providers`, { headers: { cookie } });
    expect(providers.status).toBe(200);
    const session = (await (await fetch(`${gw.url}/api/session`, { headers: { cookie } })).json()) as Record<string, unknown>;
    expect(session).toMatchObject({ authenticated: true, via: 'session', auth_mode: 'off', base_urls: { openai: `${gw.url}/v1` } });

    // The Bearer password keeps working for scripts.
    expect((await fetch(`${gw.url}/api/providers`, { headers: { authorization: `Bearer ${PW}` } })).status).toBe(200);
  });

  it('changes made with the cookie need the console header and the same origin (CSRF)', async () => {
    const { cookie } = await login();
    const body = JSON.stringify({ model_mapping: {} });
    const put = (headers: Record<string, string>) => fetch(`${gw.url}/api/mapping`, { method: 'PUT', headers: { cookie, 'content-type': 'application/json', ...headers }, body });
    expect((await put({})).status).toBe(403);
    expect((await put({ 'x-switchyard-console': '1', origin: 'http://evil.example' })).status).toBe(403);
    expect((await put({ 'x-switchyard-console': '1', origin: gw.url })).status).toBe(200);
    expect((await put({ 'x-switchyard-console': '1' })).status).toBe(200);
    // A login form posted from another site is refused too.
    expect((await login(PW, { origin: 'http://evil.example' })).res.status).toBe(403);
  });

  it('a wrong password is refused clearly and slowed down like the Bearer path', async () => {
    const other = await startGateway({ admin_password: PW });
    try {
      const attempt = (password: string) =>
        fetch(`${other.url}/api/login`, { method: 'POST', headers: CONSOLE, body: JSON.stringify({ password }) });
      const first = await attempt('wrong-1');
      expect(first.status).toBe(401);
      expect(((await first.json()) as { error: { message: string } }).error.message).toBe('That is not the admin password.');
      for (let i = 2; i <= 5; i++) expect((await attempt(`wrong-${i}`)).status).toBe(401);
      const locked = await attempt(PW);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // The Bearer path shares the count.
      expect((await fetch(`${other.url}/api/settings`, { headers: { authorization: `Bearer ${PW}` } })).status).toBe(429);
      expect((await attempt('')).status).toBe(400);
    } finally {
      await other.close();
    }
  });

  it('logout ends the session at once', async () => {
    const { cookie } = await login();
    const out = await fetch(`${gw.url}/api/logout`, { method: 'POST', headers: { cookie, ...CONSOLE } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    const after = await fetch(`${gw.url}/api/providers`, { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { message: string } }).error.message).toContain('log in again');
  });
});

describe('live events', () => {
  it('streams finished requests (batched) and the pool state', async () => {
    const { cookie } = await login();
    const ac = new AbortController();
    const res = await fetch(`${gw.url}/api/events`, { headers: { cookie }, signal: ac.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      const deadline = Date.now() + 8000;
      while (!pattern.test(text) && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      return pattern.test(text);
    };
    expect(await until(/event: pool\ndata: .*"name":"oa"/)).toBe(true);
    await new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'event please' }],
    });
    expect(await until(/event: requests\ndata: .*"model":"gpt-4o-mini"/)).toBe(true);
    const frame = /event: requests\ndata: (.*)\n/.exec(text)?.[1] ?? '{}';
    const batch = JSON.parse(frame) as { count: number; items: Array<Record<string, unknown>> };
    expect(batch.items[0]).toMatchObject({ status: 200, provider: 'oa', route: 'openai.chat' });
    expect(JSON.stringify(batch)).not.toContain(KEY);
    ac.abort();

    // Without the password or a session: refused.
    expect((await fetch(`${gw.url}/api/events`)).status).toBe(401);
  });
});

describe('console API routes', () => {
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${gw.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${PW}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  it('previews where a model name routes, following mapping changes', async () => {
    const none = await admin('GET', '/api/route?model=claude-haiku-4-5');
    expect(none.body).toMatchObject({ routable: false, status: 404 });
    await admin('PUT', '/api/mapping', { model_mapping: { 'claude-*': 'gpt-4o-mini' } });
    const mapped = await admin('GET', '/api/route?model=claude-haiku-4-5');
    expect(mapped.body).toMatchObject({
      routable: true,
      resolved_model: 'gpt-4o-mini',
      mapping_rule: 'claude-*',
      candidates: [{ provider: 'oa', type: 'openai', model: 'gpt-4o-mini', fallback_for: null, credentials: 1, usable_credentials: 1 }],
    });
    expect((await admin('GET', '/api/route')).status).toBe(400);
    await admin('PUT', '/api/mapping', { model_mapping: {} });
  });

  it('counts requests and errors per minute for the dashboard', async () => {
    const r = await admin('GET', '/api/stats/minutes?minutes=5');
    const minutes = r.body.minutes as Array<{ t: number; requests: number; errors: number }>;
    expect(minutes).toHaveLength(5);
    expect(minutes[4].t).toBe(Math.floor(Date.now() / 60_000) * 60_000);
    expect(minutes.reduce((a, m) => a + m.requests, 0)).toBeGreaterThan(0);
  });

  it('edits fallbacks at run time: a model with no usable key falls back', async () => {
    const bad = await admin('PUT', '/api/fallbacks', { fallbacks: { 'gpt-x': [''] } });
    expect(bad.status).toBe(400);
    const put = await admin('PUT', '/api/fallbacks', { fallbacks: { 'gpt-unserved': ['gpt-4o-mini'] } });
    expect(put.body).toMatchObject({ fallbacks: { 'gpt-unserved': ['gpt-4o-mini'] }, origin: 'admin' });
    const plan = await admin('GET', '/api/route?model=gpt-unserved');
    expect((plan.body.candidates as Array<Record<string, unknown>>).some((c) => c.fallback_for === 'gpt-unserved' && c.model === 'gpt-4o-mini')).toBe(true);
    expect(gw.gateway.config.fallbacks).toEqual({ 'gpt-unserved': ['gpt-4o-mini'] });
    await admin('PUT', '/api/fallbacks', { fallbacks: {} });
  });

  it('records each upstream attempt, with why it failed, in the request detail', async () => {
    // A provider tried first whose server is down: the request fails over to "oa".
    const add = await admin('POST', '/api/providers', { name: 'down', type: 'openai', base_url: 'http://127.0.0.1:9/v1', api_keys: ['sk-down-key-00000001'], priority: -1 });
    expect(add.status).toBe(201);
    try {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'fail over' }] }),
      });
      expect(res.status).toBe(200);
      const id = res.headers.get('x-request-id') ?? '';
      const detail = await admin('GET', `/api/requests/${id}`);
      const log = detail.body.attempt_log as Array<Record<string, unknown>>;
      expect(log).toHaveLength(2);
      expect(log[0]).toMatchObject({ provider: 'down', credential: 'sk-d…0001', ok: false });
      expect(String(log[0].reason)).toContain('Could not reach provider "down"');
      expect(log[1]).toMatchObject({ provider: 'oa', model: 'gpt-4o-mini', status: 200, ok: true });
      expect(JSON.stringify(detail.body)).not.toContain(KEY);
    } finally {
      await admin('DELETE', '/api/providers/down');
    }
  });

  it('saves auth mode, LAN access and body limit for the next start, which the CLI applies', async () => {
    const dataDir = gw.dataDir;
    const saved = await admin('PATCH', '/api/settings/server', { allow_lan_access: true, max_body_size: '200mb' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ saved: { allow_lan_access: true, max_body_size: '200mb' }, next_effective_auth_mode: 'all_except_health' });
    expect(saved.body.restart_needed).toEqual(['allow_lan_access', 'max_body_size']);
    expect((await admin('PATCH', '/api/settings/server', { auth_mode: 'sometimes' })).status).toBe(400);
    // Still running as before.
    expect(gw.gateway.config.allow_lan_access).toBe(false);

    // The next start (the CLI's path), with the same config file: the saved values apply.
    const file = `${dataDir}/config.yaml`;
    const flags = { config: file, dataDir, port: 0 };
    const env = { SWITCHYARD_API_KEY: 'sk-gw-for-lan-0001' };
    const next = await withConsoleServerSettings(loadConfig(flags, env), (extra) => loadConfig(flags, { ...env, ...extra }));
    expect(next.applied).toEqual(['allow_lan_access', 'max_body_size']);
    expect(next.config).toMatchObject({ allow_lan_access: true, host: '0.0.0.0', effective_auth_mode: 'all_except_health', max_body_size: 200 * 1024 * 1024 });

    // The file (or env) changing the same setting wins, and clears what the console saved.
    const changed = await withConsoleServerSettings(loadConfig(flags, { ...env, SWITCHYARD_MAX_BODY_SIZE: '50mb' }), (extra) =>
      loadConfig(flags, { ...env, SWITCHYARD_MAX_BODY_SIZE: '50mb', ...extra }),
    );
    expect(changed.dropped).toEqual(['max_body_size']);
    expect(changed.config.max_body_size).toBe(50 * 1024 * 1024);
    expect(changed.config.allow_lan_access).toBe(true);

    await admin('PATCH', '/api/settings/server', { allow_lan_access: null, max_body_size: null });
    expect((await admin('GET', '/api/settings/server')).body).toMatchObject({ saved: {}, restart_needed: [] });
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${gw.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const p of ['/api/route', '/api/stats/minutes', '/api/fallbacks', '/api/settings/server']) expect(doc.paths[p]).toBeDefined();
  });
});
