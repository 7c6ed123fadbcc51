import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README_BEGIN, README_CONTEXT, README_END, SETUP_CLIENTS, planFor, renderPlan, renderReadmeSection } from './setup-templates.js';

describe('setup templates', () => {
  it("the README's \"Use with…\" section is what setup prints (regenerate with `npm run readme:setup`)", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf(README_BEGIN);
    const end = readme.indexOf(README_END);
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start + README_BEGIN.length, end).trim()).toBe(renderReadmeSection());
  });

  it('every client gets the base URL its SDK expects', () => {
    const ctx = README_CONTEXT;
    const env = (c: (typeof SETUP_CLIENTS)[number]) => Object.fromEntries(planFor(c, ctx).env);
    expect(env('claude-code').ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:8045');
    expect(env('anthropic-sdk').ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:8045');
    expect(env('gemini-cli').GOOGLE_GEMINI_BASE_URL).toBe('http://127.0.0.1:8045');
    expect(env('openai-sdk').OPENAI_BASE_URL).toBe('http://127.0.0.1:8045/v1');
    expect(planFor('codex', ctx).files[0].preview).toContain('base_url = "http://127.0.0.1:8045/v1"');
    expect(planFor('kilo', ctx).files[0].preview).toContain('"baseURL": "http://127.0.0.1:8045/v1"');
  });

  it('prints something for every client, with a command to try', () => {
    for (const c of SETUP_CLIENTS) {
      const text = renderPlan(planFor(c, README_CONTEXT));
      expect(text).toContain('# try it:');
      expect(text).toContain('http://127.0.0.1:8045');
    }
  });

  it('keeps client defaults when no model is known, except where a model is required', () => {
    const ctx = { origin: 'http://127.0.0.1:8045', key: 'k', models: [] };
    expect(planFor('claude-code', ctx).env.map(([k]) => k)).toEqual(['ANTHROPIC_BASE_URL', 'ANTHROPIC_AUTH_TOKEN']);
    expect(planFor('codex', ctx).files[0].preview).toContain('model = "gpt-5-codex"');
  });
});
