import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretBox, SecretKeyError } from './crypto.js';
import { migrate, MIGRATIONS, MigrationError } from './migrations.js';
import { DAY_MS, HOUR_MS, SqliteStore } from './sqlite-store.js';
import type { LogEntry } from './types.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];
function open(key = randomBytes(32), dir?: string) {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'sy-store-'));
  if (!dir) dirs.push(d);
  const s = new SqliteStore(join(d, 'switchyard.db'), new SecretBox(key));
  stores.push(s);
  return { store: s, dir: d, key };
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function entry(i: number, over: Partial<LogEntry> = {}): LogEntry {
  return {
    id: `req-${i}`,
    startedAt: Date.UTC(2026, 0, 10, 10, 0, 0) + i * 60_000,
    method: 'POST',
    clientDialect: 'openai-chat',
    route: 'openai.chat',
    pathSent: '/v1/chat/completions',
    pathResolved: '/v1/chat/completions',
    requestedModel: i % 2 ? 'gpt-a' : 'gpt-b',
    resolvedModel: 'gpt-up',
    provider: 'oa',
    credential: 'sk-u…0001',
    status: 200,
    latencyMs: 100 + i,
    ttfbMs: 10,
    usage: { inputTokens: 10 + i, outputTokens: 5, cachedInputTokens: 2, reasoningTokens: 1 },
    ...over,
  };
}

describe('migrations', () => {
  it('run once, in order, and are recorded', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrate(db)).toEqual([]);
    const next = MIGRATIONS.length + 1;
    const extra = [...MIGRATIONS, { version: next, name: 'more', sql: 'CREATE TABLE extra (x INTEGER)' }];
    expect(migrate(db, extra)).toEqual([next]);
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual(extra.map((m) => ({ version: m.version })));
    db.close();
  });

  it('refuse a database from a newer Switchyard', () => {
    const db = new Database(':memory:');
    migrate(db, [...MIGRATIONS, { version: 99, name: 'future', sql: 'SELECT 1' }]);
    expect(() => migrate(db)).toThrow(MigrationError);
    db.close();
  });

  it('a failing migration leaves nothing half-applied', () => {
    const db = new Database(':memory:');
    migrate(db);
    expect(() => migrate(db, [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE ok (x); NOT SQL' }])).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok'").get()).toBeUndefined();
    db.close();
  });
});

describe('SqliteStore', () => {
  it('opens in WAL mode with the files readable by the owner only', async () => {
    const { dir } = open();
    for (const f of readdirSync(dir).filter((f) => f.startsWith('switchyard.db'))) expect(statSync(join(dir, f)).mode & 0o077).toBe(0);
    const db = new Database(join(dir, 'switchyard.db'), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses to open with another encryption key', async () => {
    const { store, dir } = open();
    await store.close();
    expect(() => new SqliteStore(join(dir, 'switchyard.db'), new SecretBox(randomBytes(32)))).toThrow(SecretKeyError);
  });

  it('keeps providers and credentials, with secrets (and header values) sealed in the file', async () => {
    const { store, dir, key } = open();
    await store.putProvider({ name: 'oa', settings: { name: 'oa', type: 'openai', base_url: 'http://x/v1', headers: { 'x-token': 'header-secret-777' } }, origin: 'admin' });
    const a = await store.addCredential('oa', 'sk-secret-aaaa-1111');
    await store.addCredential('oa', 'sk-secret-bbbb-2222', false);
    await store.putProvider({ name: 'an', settings: { name: 'an', type: 'anthropic' }, origin: 'config', position: 0 });
    expect((await store.listProviders()).map((p) => p.name)).toEqual(['an', 'oa']);
    const oa = await store.getProvider('oa');
    expect(oa?.settings.headers).toEqual({ 'x-token': 'header-secret-777' });
    expect(oa?.credentials.map((c) => [c.secret, c.masked, c.enabled])).toEqual([
      ['sk-secret-aaaa-1111', 'sk-s…1111', true],
      ['sk-secret-bbbb-2222', 'sk-s…2222', false],
    ]);
    expect(await store.updateCredential('oa', a.id, { enabled: false })).toBe(true);
    expect(await store.updateCredential('an', a.id, { enabled: false })).toBe(false);
    await store.close();
    const raw = readdirSync(dir)
      .filter((f) => f.startsWith('switchyard.db'))
      .map((f) => readFileSync(join(dir, f)).toString('latin1'))
      .join('');
    for (const secret of ['sk-secret-aaaa-1111', 'sk-secret-bbbb-2222', 'header-secret-777']) expect(raw).not.toContain(secret);
    const again = open(key, dir).store;
    expect((await again.getProvider('oa'))?.credentials[0].enabled).toBe(false);
    expect(await again.deleteProvider('oa')).toBe(true);
    expect(await again.getProvider('oa')).toBeUndefined();
  });

  it('replaceCredentials keeps the ids of keys that stay and follows the new order', async () => {
    const { store } = open();
    await store.putProvider({ name: 'p', settings: { name: 'p', type: 'openai' }, origin: 'config' });
    await store.replaceCredentials('p', ['k-one-111111', 'k-two-222222']);
    const before = (await store.getProvider('p'))!.credentials;
    await store.replaceCredentials('p', ['k-three-33333', 'k-two-222222']);
    const after = (await store.getProvider('p'))!.credentials;
    expect(after.map((c) => c.secret)).toEqual(['k-three-33333', 'k-two-222222']);
    expect(after[1].id).toBe(before[1].id);
    expect(after.some((c) => c.id === before[0].id)).toBe(false);
  });

  it('keeps mapping order, settings and seed fingerprints', async () => {
    const { store } = open();
    await store.setMapping([
      ['z-*', 'a'],
      ['a-*', 'b'],
    ]);
    expect(await store.getMapping()).toEqual([
      ['z-*', 'a'],
      ['a-*', 'b'],
    ]);
    await store.putSettings({ store_bodies: true, ip_allow: ['10.0.0.0/8'] });
    await store.putSettings({ store_bodies: false });
    expect(await store.getSettings()).toEqual({ store_bodies: false, ip_allow: ['10.0.0.0/8'] });
    await store.setSeed('a', 'f1');
    await store.setSeed('a', 'f2');
    await store.setSeed('b', 'f3');
    await store.setSeed('b', undefined);
    expect([...(await store.getSeeds())]).toEqual([['a', 'f2']]);
  });

  it('user keys: created, updated, listed (only a hash stored)', async () => {
    const { store } = open();
    const k = await store.createUserKey({
      name: 'alice',
      hash: 'h1',
      masked: 'sk-s…abcd',
      enabled: true,
      expiresAt: null,
      allowedModels: ['gpt-*'],
      dailyRequests: 5,
      dailyTokens: null,
      rpm: 2,
    });
    expect(k).toMatchObject({ id: 1, name: 'alice', allowedModels: ['gpt-*'], dailyRequests: 5, dailyTokens: null, rpm: 2, revokedAt: null });
    const u = await store.updateUserKey(k.id, { rpm: null, allowedModels: [], enabled: false, revokedAt: 123 });
    expect(u).toMatchObject({ rpm: null, allowedModels: [], enabled: false, revokedAt: 123, dailyRequests: 5 });
    await expect(store.createUserKey({ ...k, hash: 'h2' })).rejects.toThrow(/UNIQUE/);
  });

  it('writes the log in batches and folds it into hourly stats whose sums equal the log', async () => {
    const { store } = open();
    const entries = Array.from({ length: 150 }, (_, i) =>
      entry(i, i % 10 === 0 ? { status: 502, error: 'upstream broke', usage: undefined, ttfbMs: undefined } : i % 7 === 0 ? { userKey: 'bob', userKeyId: 3, billable: true } : {}),
    );
    await store.writeRequests(entries.slice(0, 100));
    await store.writeRequests(entries.slice(100));
    await store.writeRequests([entries[0]]); // the same id again: ignored
    const all = await store.queryRequests({ limit: 1000, offset: 0 });
    expect(all.total).toBe(150);
    const sum = (f: (e: LogEntry) => number) => all.items.reduce((a, e) => a + f(e), 0);
    const from = entries[0].startedAt - DAY_MS;
    const to = entries[149].startedAt + DAY_MS;
    const st = await store.stats({ from, to, bucket: 'hour', groupBy: 'model' });
    expect(st.totals.requests).toBe(150);
    expect(st.totals.errors).toBe(15);
    expect(st.totals.input_tokens).toBe(sum((e) => e.usage?.inputTokens ?? 0));
    expect(st.totals.output_tokens).toBe(sum((e) => e.usage?.outputTokens ?? 0));
    expect(st.totals.cached_tokens).toBe(sum((e) => e.usage?.cachedInputTokens ?? 0));
    expect(st.totals.reasoning_tokens).toBe(sum((e) => e.usage?.reasoningTokens ?? 0));
    expect(st.totals.latency_ms_max).toBe(249);
    expect(st.totals.latency_ms_avg).toBe(Math.round(sum((e) => e.latencyMs) / 150));
    expect(st.groups.map((g) => [g.key, g.requests]).sort()).toEqual([
      ['gpt-a', 75],
      ['gpt-b', 75],
    ]);
    // 150 minutes from 10:00: hours 10, 11 and 12 (two series per hour: one per model).
    expect(new Set(st.series.map((s) => s.t))).toEqual(new Set([0, 1, 2].map((h) => Date.UTC(2026, 0, 10, 10 + h))));
    expect(st.series.reduce((a, s) => a + s.input_tokens, 0)).toBe(st.totals.input_tokens);
    const days = await store.stats({ from, to, bucket: 'day' });
    expect(days.series).toHaveLength(1);
    expect(days.series[0]).toMatchObject({ t: Date.UTC(2026, 0, 10), requests: 150 });
    const byKey = await store.stats({ from, to, groupBy: 'user_key' });
    expect(byKey.groups.find((g) => g.key === 'bob')?.requests).toBe(all.items.filter((e) => e.userKey === 'bob').length);
    const byCred = await store.stats({ from, to, groupBy: 'credential' });
    expect(byCred.groups[0].key).toBe('oa sk-u…0001');
    // A range that excludes the last hour.
    const partial = await store.stats({ from, to: Date.UTC(2026, 0, 10, 12) });
    expect(partial.totals.requests).toBe(120);
    const usage = await store.keyUsage(Date.UTC(2026, 0, 10));
    const bob = entries.filter((e) => e.userKeyId === 3);
    expect(usage.get(3)).toEqual({ requests: bob.length, tokens: bob.reduce((a, e) => a + (e.usage?.inputTokens ?? 0) + (e.usage?.outputTokens ?? 0), 0) });
  });

  it('filters and pages the log, newest first', async () => {
    const { store } = open();
    await store.writeRequests([
      entry(1, { status: 429, error: 'slow down', provider: 'an', clientDialect: 'anthropic' }),
      entry(2, { userKey: 'bob' }),
      entry(3, { status: 200, error: 'stream broke' }),
      entry(4, { requestedModel: 'alias', resolvedModel: 'gpt-real', requestBody: '{"a":1}', responseBody: 'ok' }),
    ]);
    const ids = async (q: Parameters<SqliteStore['queryRequests']>[0]) => (await store.queryRequests(q)).items.map((r) => r.id);
    const base = { limit: 50, offset: 0 };
    expect(await ids(base)).toEqual(['req-4', 'req-3', 'req-2', 'req-1']);
    expect(await ids({ ...base, limit: 2, offset: 1 })).toEqual(['req-3', 'req-2']);
    expect(await ids({ ...base, status: '4xx' })).toEqual(['req-1']);
    expect(await ids({ ...base, status: '200' })).toEqual(['req-4', 'req-3', 'req-2']);
    expect(await ids({ ...base, errorsOnly: true })).toEqual(['req-3', 'req-1']);
    expect(await ids({ ...base, model: 'gpt-real' })).toEqual(['req-4']);
    expect(await ids({ ...base, model: 'alias' })).toEqual(['req-4']);
    expect(await ids({ ...base, provider: 'an' })).toEqual(['req-1']);
    expect(await ids({ ...base, dialect: 'anthropic' })).toEqual(['req-1']);
    expect(await ids({ ...base, userKey: 'bob' })).toEqual(['req-2']);
    const t2 = entry(2).startedAt;
    expect(await ids({ ...base, from: t2, to: t2 + 1 })).toEqual(['req-2']);
    const detail = await store.getRequest('req-4');
    expect(detail).toMatchObject({ requestBody: '{"a":1}', responseBody: 'ok', usage: { inputTokens: 14 } });
    expect((await store.getRequest('req-1'))?.requestBody).toBeUndefined();
  });

  it('prunes by age and by count; stats outlive the log', async () => {
    const { store } = open();
    const now = Date.now();
    await store.writeRequests(Array.from({ length: 30 }, (_, i) => entry(i, { startedAt: now - (30 - i) * HOUR_MS, requestBody: 'b' })));
    expect(await store.pruneRequests(now - 10.5 * HOUR_MS, 1000)).toBe(20);
    expect(await store.pruneRequests(0, 4)).toBe(6);
    const left = await store.queryRequests({ limit: 100, offset: 0 });
    expect(left.items.map((r) => r.id)).toEqual(['req-29', 'req-28', 'req-27', 'req-26']);
    expect((await store.stats({ from: now - 2 * DAY_MS, to: now + 1 })).totals.requests).toBe(30);
  });

  it('a read-then-write transaction waits for another connection holding the write lock (the log worker)', async () => {
    const { store, dir } = open();
    // Another thread takes the write lock, as the request log worker does for each batch, and keeps it a while.
    const holder = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const Database = require(workerData.module);
       const db = new Database(workerData.file);
       db.exec('BEGIN IMMEDIATE');
       db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('held', '1');
       parentPort.postMessage('locked');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600);
       db.exec('COMMIT');
       db.close();`,
      { eval: true, workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), file: join(dir, 'switchyard.db') } },
    );
    await new Promise((r) => holder.once('message', r));
    const t0 = Date.now();
    // putProvider reads (is it there? the last position) before it writes: a deferred transaction would get
    // SQLITE_BUSY at once; an immediate one waits (busy_timeout) for the lock.
    await store.putProvider({ name: 'oa', settings: { name: 'oa', type: 'openai' }, origin: 'admin' });
    expect(Date.now() - t0).toBeGreaterThan(100);
    await new Promise((r) => holder.once('exit', r));
    expect((await store.getProvider('oa'))?.position).toBe(0);
    expect((await store.getSettings()).held).toBe(1);
  });
});
