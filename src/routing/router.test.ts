import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { buildProviders } from '../providers/index.js';
import { mapModel } from './model-mapping.js';
import { Router } from './router.js';

function providers(list: Array<Record<string, unknown>>) {
  const c = configSchema.parse({ providers: list.map((p) => ({ type: 'openai', api_keys: ['k'], base_url: 'http://127.0.0.1:1/v1', ...p })) });
  return buildProviders(c.providers);
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('model mapping', () => {
  const mapping = {
    'gpt-4o': 'exact-target',
    'claude-haiku-*': 'gemini-2.5-flash',
    '/^gpt-4o-(.*)$/': 'gpt-5-$1',
    '/^(claude)-(opus)-(\\d+)$/i': '$2-$1-v$3',
  };
  it.each([
    ['gpt-4o', 'exact-target', 'gpt-4o'],
    ['claude-haiku-4-5', 'gemini-2.5-flash', 'claude-haiku-*'],
    ['gpt-4o-mini', 'gpt-5-mini', '/^gpt-4o-(.*)$/'],
    ['Claude-Opus-5', 'Opus-Claude-v5', '/^(claude)-(opus)-(\\d+)$/i'],
    ['models/claude-haiku-3', 'gemini-2.5-flash', 'claude-haiku-*'],
    ['other', 'other', undefined],
  ])('%s → %s', (requested, model, rule) => {
    expect(mapModel(requested, mapping)).toEqual(rule ? { model, rule } : { model });
  });

  it('an invalid regular expression is a config error naming the key', () => {
    const r = configSchema.safeParse({ model_mapping: { '/(unclosed/': 'x' } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('not a valid regular expression');
  });
});

describe('route plans', () => {
  it('orders providers by priority, and within a priority by weight', () => {
    const ps = providers([
      { name: 'backup', priority: 1, models: ['m'] },
      { name: 'big', priority: 0, weight: 3, models: ['m'] },
      { name: 'small', priority: 0, weight: 1, models: ['m'] },
    ]);
    const router = new Router(ps, { mapping: {}, fallbacks: {} }, () => [], seeded(7));
    const firsts = { big: 0, small: 0, backup: 0 } as Record<string, number>;
    for (let i = 0; i < 4000; i++) {
      const plan = router.plan('m');
      expect(plan.candidates[2].provider.name).toBe('backup');
      firsts[plan.candidates[0].provider.name]++;
    }
    expect(firsts.backup).toBe(0);
    expect(firsts.big / 4000).toBeGreaterThan(0.7);
    expect(firsts.big / 4000).toBeLessThan(0.8);
  });

  it('appends fallback models after the primary', () => {
    const ps = providers([
      { name: 'pro', models: ['gemini-2.5-pro'] },
      { name: 'flash', models: ['gemini-2.5-flash'] },
    ]);
    const plan = new Router(ps, { mapping: {}, fallbacks: { 'gemini-2.5-pro': ['gemini-2.5-flash'] } }, () => []).plan('gemini-2.5-pro');
    expect(plan.candidates.map((c) => [c.provider.name, c.model, c.fallbackFor])).toEqual([
      ['pro', 'gemini-2.5-pro', undefined],
      ['flash', 'gemini-2.5-flash', 'gemini-2.5-pro'],
    ]);
  });

  it('sends tool-less housekeeping requests to the background model', () => {
    const ps = providers([{ name: 'cheap', models: ['gemini-2.5-flash-lite'] }, { name: 'claude', models: ['claude-*'] }]);
    const router = new Router(ps, { mapping: {}, fallbacks: {}, background: { model: 'gemini-2.5-flash-lite', match: ['claude-*haiku*'] } }, () => []);
    expect(router.plan('claude-haiku-4-5', { hasTools: false })).toMatchObject({ background: true, model: 'gemini-2.5-flash-lite' });
    expect(router.plan('claude-haiku-4-5', { hasTools: true })).toMatchObject({ background: false, model: 'claude-haiku-4-5' });
    expect(router.plan('claude-opus-5', { hasTools: false })).toMatchObject({ background: false });
  });

  it('names an unknown model and what exists', () => {
    const router = new Router(providers([{ name: 'a', models: ['gpt-4o'] }]), { mapping: {}, fallbacks: {} }, () => ['gpt-4o']);
    expect(() => router.plan('llama')).toThrow(/"llama" is not served by any configured provider. Available models: gpt-4o/);
  });
});

describe('providers without priorities', () => {
  it('keep config order: the first that serves the model wins', () => {
    const ps = providers([
      { name: 'specific', models: ['gpt-resp-*'] },
      { name: 'catch-all' },
    ]);
    const router = new Router(ps, { mapping: {}, fallbacks: {} }, () => []);
    for (let i = 0; i < 20; i++) expect(router.plan('gpt-resp-1').candidates.map((c) => c.provider.name)).toEqual(['specific', 'catch-all']);
    expect(router.plan('other').candidates.map((c) => c.provider.name)).toEqual(['catch-all']);
  });
});
