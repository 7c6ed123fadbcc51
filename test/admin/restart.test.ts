// The store across a restart: what the admin API changed (providers, credentials, mapping, settings,
// user keys) and the request log survive; the database files and every log line hold no credential
// or user key in clear; stored bodies (opt-in) are capped and scrubbed.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { startAnthropicUpstream, startOpenAIUpstream, type Upstream } from '../upstreams/index.js';
import { adminClient, allLog, chat, type LogItem } from './helpers.js';

const PW = 'restart-admin-pw-5555';
const FILE_KEY = 'sk-up-from-file-aaaa-0001';
const ADDED_KEY = 'sk-up-added-by-api-bbbb-0002';
const ANT_KEY = 'sk-ant-added-provider-cccc-0003';
const HEADER_SECRET = 'hdr-secret-value-dddd-0004';

let oa: Upstream;
let an: Upstream;
let dataDir: string;
const logs: string[] = [];

const config = () => ({
  admin_password: PW,
  providers: [{ name: 'oa', type: 'openai', base_url: oa.url, api_keys: [FILE_KEY], models: ['gpt-*'] }],
});

beforeAll(async () => {
  [oa, an] = await Promise.all([startOpenAIUpstream({ keys: [FILE_KEY, ADDED_KEY] }), startAnthropicUpstream({ keys: [ANT_KEY] })]);
  dataDir = mkdtempSync(join(tmpdir(), 'switchyard-restart-'));
});
afterAll(async () => {
  await Promise.all([oa?.close(), an?.close()]);
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<RunningGateway> {
  const gw = await startGateway(config(), {}, { dataDir });
  return gw;
}

function databaseText(): string {
  return readdirSync(dataDir)
    .filter((f) => f.startsWith('switchyard.db'))
    .map((f) => readFileSync(join(dataDir, f)).toString('latin1'))
    .join('\n');
}

describe('restart', () => {
  let userKey: string;
  let firstLog: LogItem[];

  it('first run: changes through the admin API, traffic, bodies stored', async () => {
    const gw = await start();
    const admin = adminClient(gw.url, PW);
    try {
      expect((await admin('POST', '/api/providers/oa/credentials', { key: ADDED_KEY })).status).toBe(201);
      expect(
        (
          await admin('POST', '/api/providers', {
            name: 'an',
            type: 'anthropic',
            base_url: an.url,
            api_keys: [ANT_KEY],
            models: ['claude-*'],
            headers: { 'x-extra': HEADER_SECRET },
          })
        ).status,
      ).toBe(201);
      expect((await admin('PUT', '/api/mapping', { model_mapping: { 'alias-x': 'gpt-4o-mini' } })).status).toBe(200);
      expect((await admin('PATCH', '/api/settings', { store_bodies: true, stored_body_max_size: 600, log_retention_days: 90 })).status).toBe(200);
      const k = await admin<{ api_key: string }>('POST', '/api/keys', { name: 'restart-user', daily_requests: 1000 });
      userKey = k.body.api_key;

      expect((await chat(gw.url, { key: userKey, model: 'alias-x', content: `my secrets: ${FILE_KEY} and ${userKey} ${'long '.repeat(300)}` })).status).toBe(200);
      for (let i = 0; i < 3; i++) expect((await chat(gw.url, { key: userKey, stream: i === 1 })).status).toBe(200);
      const r = await fetch(`${gw.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': userKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hello anthropic' }] }),
      });
      expect(r.status).toBe(200);
      expect(an.requests.at(-1)?.headers['x-extra']).toBe(HEADER_SECRET);

      // A Gemini client sends its key in the query string (no Gemini provider here: a 404, logged all the same).
      const g = await fetch(`${gw.url}/v1beta/models/gemini-x:generateContent?key=${encodeURIComponent(userKey)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      });
      expect(g.status).toBe(404);

      firstLog = await allLog(admin);
      expect(firstLog.length).toBe(6);
      expect(firstLog.find((i) => i.dialect === 'gemini')?.path_sent).toBe('/v1beta/models/gemini-x:generateContent?key=%5Bredacted%5D');
      const withBody = await admin<LogItem>('GET', `/api/requests/${firstLog.find((i) => i.model_requested === 'alias-x')!.id}`);
      const reqBody = String(withBody.body.request_body);
      const resBody = String(withBody.body.response_body);
      expect(reqBody).toContain('my secrets');
      expect(reqBody).toContain('[redacted]');
      expect(reqBody).not.toContain(FILE_KEY);
      expect(reqBody).not.toContain(userKey);
      expect(reqBody).toMatch(/…\[truncated; \d+ bytes in all\]$/);
      expect(resBody).toContain('chat.completion');
      const streamed = await admin<LogItem>('GET', `/api/requests/${firstLog.find((i) => i.stream === true)!.id}`);
      expect(String(streamed.body.response_body)).toContain('data: ');
    } finally {
      await gw.close();
      logs.push(...gw.logs);
    }
  });

  it('second run: everything is still there and still works', async () => {
    const gw = await start();
    const admin = adminClient(gw.url, PW);
    try {
      const providers = (await admin<{ providers: Array<{ name: string; credentials: Array<{ key: string }>; headers: Record<string, string> }> }>('GET', '/api/providers')).body.providers;
      expect(providers.map((p) => p.name)).toEqual(['oa', 'an']);
      expect(providers[0].credentials.map((c) => c.key)).toEqual(['sk-u…0001', 'sk-u…0002']);
      expect(providers[1].headers).toEqual({ 'x-extra': 'hdr-…0004' });
      expect((await admin('GET', '/api/mapping')).body).toEqual({ model_mapping: { 'alias-x': 'gpt-4o-mini' } });
      expect((await admin('GET', '/api/settings')).body).toMatchObject({ store_bodies: true, stored_body_max_size: 600, log_retention_days: 90 });
      const keys = (await admin<{ keys: Array<{ name: string; usage_today: { requests: number } }> }>('GET', '/api/keys')).body.keys;
      expect(keys).toMatchObject([{ name: 'restart-user', usage_today: { requests: 6 } }]);

      const log = await allLog(admin);
      expect(log.map((i) => i.id)).toEqual(firstLog.map((i) => i.id));

      // The restored providers, credentials, mapping and key serve traffic.
      expect((await chat(gw.url, { key: userKey, model: 'alias-x' })).status).toBe(200);
      expect((oa.requests.at(-1)?.body as { model: string }).model).toBe('gpt-4o-mini');
      const r = await fetch(`${gw.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': userKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'again' }] }),
      });
      expect(r.status).toBe(200);
      expect((await allLog(admin)).length).toBe(firstLog.length + 2);
    } finally {
      await gw.close();
      logs.push(...gw.logs);
    }
  });

  it('the database files and every log line hold no credential, header secret, user key or admin password in clear', () => {
    const db = databaseText();
    expect(db.length).toBeGreaterThan(10_000);
    const all = logs.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    for (const secret of [FILE_KEY, ADDED_KEY, ANT_KEY, HEADER_SECRET, userKey, PW]) {
      expect(db.includes(secret), `database holds ${secret.slice(0, 8)}…`).toBe(false);
      expect(all.includes(secret), `logs hold ${secret.slice(0, 8)}…`).toBe(false);
    }
  });

  it('a different encryption key is refused at start, clearly', async () => {
    await expect(startGateway(config(), { SWITCHYARD_ENCRYPTION_KEY: 'ab'.repeat(32) }, { dataDir })).rejects.toThrow(/another key|cannot be decrypted/);
  });
});
