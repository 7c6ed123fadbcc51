import { describe, expect, it } from 'vitest';
import { predictAll, predictFamily, CLIENT_FAMILIES } from './predict-paths.js';

const family = (id: string) => CLIENT_FAMILIES.find((f) => f.id === id)!;

describe('predictFamily', () => {
  it('the recommended base URLs resolve as sent', () => {
    expect(predictFamily(family('openai'), 'http://127.0.0.1:8045/v1').verdict).toBe('ok');
    expect(predictFamily(family('anthropic'), 'http://127.0.0.1:8045').verdict).toBe('ok');
    expect(predictFamily(family('gemini'), 'http://127.0.0.1:8045').verdict).toBe('ok');
    expect(predictFamily(family('genai3'), 'http://127.0.0.1:8045/').verdict).toBe('ok');
  });

  it('Claude Code with …/v1 works through a rewrite, and says what to type instead', () => {
    const p = predictFamily(family('anthropic'), 'http://127.0.0.1:8045/v1');
    expect(p.verdict).toBe('rewritten');
    expect(p.paths[0]).toMatchObject({ sent: '/v1/v1/messages', servedAs: '/v1/messages', ok: true, rewritten: true });
    expect(p.advice).toBe('set ANTHROPIC_BASE_URL / baseURL to http://127.0.0.1:8045');
  });

  it("Kilo's full endpoint and Gemini CLI's /v1beta are rewritten too", () => {
    const kilo = predictFamily(family('openai'), 'http://127.0.0.1:8045/v1/chat/completions');
    expect(kilo.verdict).toBe('rewritten');
    expect(kilo.paths.map((p) => p.servedAs)).toEqual(['/v1/chat/completions', '/v1/responses', '/v1/models']);
    expect(predictFamily(family('gemini'), 'http://127.0.0.1:8045/v1beta').paths[0].servedAs).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
  });

  it('a base URL with a path from another service does not resolve, with the fix', () => {
    const p = predictFamily(family('openai'), 'http://127.0.0.1:8045/proxy-x/v1');
    expect(p.verdict).toBe('broken');
    expect(p.paths[0].reason).toMatch(/segments Switchyard does not know \(\/proxy-x\)/);
    expect(p.advice).toBe('set OPENAI_BASE_URL / baseURL / base_url to http://127.0.0.1:8045/v1');
  });

  it('predicts every family at once', () => {
    expect(predictAll('http://127.0.0.1:8045').map((p) => [p.family.id, p.verdict])).toEqual([
      ['openai', 'rewritten'], // /chat/completions and /models are served as /v1/…
      ['anthropic', 'ok'],
      ['gemini', 'ok'],
      ['genai3', 'ok'],
    ]);
  });
});
