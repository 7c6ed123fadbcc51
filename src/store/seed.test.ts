import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { SecretBox } from './crypto.js';
import { seedFromConfig, stableJson } from './seed.js';
import { SqliteStore } from './sqlite-store.js';

const box = new SecretBox(randomBytes(32));
let store: SqliteStore;
afterEach(async () => {
  await store?.close();
});

const cfg = (doc: Record<string, unknown>) => configSchema.parse(doc);
const P1 = { name: 'p1', type: 'openai', base_url: 'http://a/v1', api_keys: ['key-one-1111111'] };
const P2 = { name: 'p2', type: 'gemini', api_keys: ['key-two-2222222'] };

describe('seedFromConfig: the side changed last wins', () => {
  it('seeds everything on the first start, nothing on an unchanged restart', async () => {
    store = new SqliteStore(':memory:', box);
    const c = cfg({ providers: [P1, P2], model_mapping: { a: 'b' }, store_bodies: true });
    const first = await seedFromConfig(store, box, c);
    expect(first.providers).toEqual(['p1', 'p2']);
    expect(first.mapping).toBe(true);
    expect(first.settings).toContain('store_bodies');
    expect((await store.listProviders()).map((p) => [p.name, p.origin, p.credentials.map((k) => k.secret)])).toEqual([
      ['p1', 'config', ['key-one-1111111']],
      ['p2', 'config', ['key-two-2222222']],
    ]);
    expect(await store.getSettings()).toMatchObject({ store_bodies: true, log_retention_days: 30 });
    const again = await seedFromConfig(store, box, c);
    expect(again).toEqual({ providers: [], removedProviders: [], mapping: false, settings: [] });
  });

  it('keeps admin edits while the file is unchanged, and lets a changed file section win', async () => {
    store = new SqliteStore(':memory:', box);
    await seedFromConfig(store, box, cfg({ providers: [P1, P2], model_mapping: { a: 'b' }, log_retention_days: 7 }));
    // Admin edits: p1 disabled, a credential added, mapping and a setting replaced, p2 deleted.
    const p1 = (await store.getProvider('p1'))!;
    await store.putProvider({ name: 'p1', settings: { ...p1.settings, enabled: false }, origin: 'admin' });
    await store.addCredential('p1', 'key-extra-33333');
    await store.setMapping([['x', 'y']]);
    await store.putSettings({ log_retention_days: 3 });
    await store.deleteProvider('p2');

    await seedFromConfig(store, box, cfg({ providers: [P1, P2], model_mapping: { a: 'b' }, log_retention_days: 7 }));
    expect((await store.getProvider('p1'))?.settings.enabled).toBe(false);
    expect((await store.getProvider('p1'))?.credentials).toHaveLength(2);
    expect(await store.getProvider('p2')).toBeUndefined(); // deleted through the API, file unchanged: stays deleted
    expect(await store.getMapping()).toEqual([['x', 'y']]);
    expect((await store.getSettings()).log_retention_days).toBe(3);

    // Now the file changes p1, the mapping and the setting: the file wins for those.
    const r = await seedFromConfig(
      store,
      box,
      cfg({ providers: [{ ...P1, api_keys: ['key-one-1111111', 'key-new-4444444'] }, P2], model_mapping: { a: 'c' }, log_retention_days: 14 }),
    );
    expect(r.providers).toEqual(['p1']);
    const after = (await store.getProvider('p1'))!;
    expect(after.origin).toBe('config');
    expect(after.settings.enabled).toBe(true);
    expect(after.credentials.map((c) => c.secret)).toEqual(['key-one-1111111', 'key-new-4444444']);
    expect(await store.getMapping()).toEqual([['a', 'c']]);
    expect((await store.getSettings()).log_retention_days).toBe(14);
  });

  it('removes a provider dropped from the file unless the API has made it its own', async () => {
    store = new SqliteStore(':memory:', box);
    await seedFromConfig(store, box, cfg({ providers: [P1, P2] }));
    const p2 = (await store.getProvider('p2'))!;
    await store.putProvider({ name: 'p2', settings: p2.settings, origin: 'admin' });
    await store.putProvider({ name: 'mine', settings: { name: 'mine', type: 'openai' }, origin: 'admin' });
    const r = await seedFromConfig(store, box, cfg({ providers: [] }));
    expect(r.removedProviders).toEqual(['p1']);
    expect((await store.listProviders()).map((p) => p.name)).toEqual(['p2', 'mine']);
    // Put back in the file later: the file's version is written again.
    expect((await seedFromConfig(store, box, cfg({ providers: [P1] }))).providers).toEqual(['p1']);
  });

  it('keeps the file order for providers it seeds', async () => {
    store = new SqliteStore(':memory:', box);
    await store.putProvider({ name: 'mine', settings: { name: 'mine', type: 'openai' }, origin: 'admin' });
    await seedFromConfig(store, box, cfg({ providers: [P1, P2] }));
    expect((await store.listProviders()).map((p) => p.name)).toEqual(['p1', 'p2', 'mine']);
  });

  it('fingerprints do not depend on key order', () => {
    expect(stableJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe(stableJson({ a: [{ c: 2, d: 1 }], b: 1 }));
  });
});
