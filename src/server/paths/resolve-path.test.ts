import { describe, expect, it } from 'vitest';
import { resolvePath, type ClientSignals, type BodyShape } from './resolve-path.js';

const NONE: ClientSignals = { anthropicVersion: false, googApiKey: false, xApiKey: false, bearer: false };
const OPENAI: ClientSignals = { ...NONE, bearer: true };
const ANTHROPIC: ClientSignals = { ...NONE, anthropicVersion: true, xApiKey: true };
const ANTHROPIC_1X: ClientSignals = { ...NONE, anthropicVersion: true, bearer: true };
const GOOGLE: ClientSignals = { ...NONE, googApiKey: true };
const CHAT_BODY: BodyShape = { messages: true, input: false, contents: false };
const RESPONSES_BODY: BodyShape = { messages: false, input: true, contents: false };
const origin = 'http://127.0.0.1:8045';

type Row = [method: string, path: string, signals: ClientSignals, expected: string, rewritten: boolean, body?: BodyShape];

// [method, path as received, client signals, "route dialect canonical-path", rewritten?]
const resolved: Row[] = [
  ['GET', '/healthz', NONE, 'health none /healthz', false],
  ['GET', '/health', NONE, 'health none /healthz', true],
  ['HEAD', '/healthz', NONE, 'health none /healthz', false],
  // OpenAI SDK with each base URL variant (facts from CLIENTS.md)
  ['POST', '/v1/chat/completions', OPENAI, 'openai.chat openai-chat /v1/chat/completions', false],
  ['POST', '/chat/completions', OPENAI, 'openai.chat openai-chat /v1/chat/completions', true],
  ['POST', '/v1/chat/completions/', OPENAI, 'openai.chat openai-chat /v1/chat/completions', true],
  ['POST', '//v1//chat/completions', OPENAI, 'openai.chat openai-chat /v1/chat/completions', true],
  ['POST', '/v1/v1/chat/completions', OPENAI, 'openai.chat openai-chat /v1/chat/completions', true],
  ['POST', '/v1/chat/completions/chat/completions', OPENAI, 'openai.chat openai-chat /v1/chat/completions', true],
  ['POST', '/v1/responses', OPENAI, 'openai.responses openai-responses /v1/responses', false],
  ['POST', '/responses', OPENAI, 'openai.responses openai-responses /responses', false],
  ['POST', '/v1/v1/responses', OPENAI, 'openai.responses openai-responses /v1/responses', true],
  ['POST', '/openai/v1/chat/completions', OPENAI, 'openai.chat openai-chat /v1/chat/completions', true],
  ['POST', '/v1beta/openai/chat/completions', OPENAI, 'openai.chat openai-chat /v1/chat/completions', true],
  // stacked paths: the body decides
  ['POST', '/v1/chat/completions/responses', OPENAI, 'openai.responses openai-responses /v1/responses', true, RESPONSES_BODY],
  ['POST', '/v1/chat/completions/responses', OPENAI, 'openai.chat openai-chat /v1/chat/completions', true, CHAT_BODY],
  ['POST', '/v1/responses/chat/completions', OPENAI, 'openai.chat openai-chat /v1/chat/completions', true, CHAT_BODY],
  ['POST', '/v1/responses/chat/completions', OPENAI, 'openai.responses openai-responses /v1/responses', true, RESPONSES_BODY],
  ['GET', '/v1/models', OPENAI, 'models.list openai-chat /v1/models', false],
  ['GET', '/models', OPENAI, 'models.list openai-chat /v1/models', true],
  ['GET', '/v1/chat/completions/models', OPENAI, 'models.list openai-chat /v1/models', true],
  ['GET', '/v1/models/gpt-4o', OPENAI, 'models.get openai-chat /v1/models/gpt-4o', false],
  // Anthropic SDK / Claude Code
  ['POST', '/v1/messages', ANTHROPIC, 'anthropic.messages anthropic /v1/messages', false],
  ['POST', '/v1/messages', ANTHROPIC_1X, 'anthropic.messages anthropic /v1/messages', false],
  ['POST', '/messages', ANTHROPIC, 'anthropic.messages anthropic /v1/messages', true],
  ['POST', '/v1/v1/messages', ANTHROPIC, 'anthropic.messages anthropic /v1/messages', true],
  ['POST', '/v1/messages/v1/messages', ANTHROPIC, 'anthropic.messages anthropic /v1/messages', true],
  ['POST', '/v1/messages/count_tokens', ANTHROPIC, 'anthropic.count_tokens anthropic /v1/messages/count_tokens', false],
  ['POST', '/v1/v1/messages/count_tokens', ANTHROPIC, 'anthropic.count_tokens anthropic /v1/messages/count_tokens', true],
  ['GET', '/v1/models', ANTHROPIC, 'models.list anthropic /v1/models', false],
  ['GET', '/v1/models', ANTHROPIC_1X, 'models.list anthropic /v1/models', false],
  ['GET', '/v1/v1/models', ANTHROPIC, 'models.list anthropic /v1/models', true],
  ['GET', '/v1/messages/v1/models', ANTHROPIC, 'models.list anthropic /v1/models', true],
  ['GET', '/v1/models/claude-sonnet-4-5', ANTHROPIC, 'models.get anthropic /v1/models/claude-sonnet-4-5', false],
  ['HEAD', '/api/hello', NONE, 'hello anthropic /api/hello', false],
  ['POST', '/v1/api/event_logging/batch', ANTHROPIC, 'event_logging anthropic /v1/api/event_logging/batch', false],
  ['POST', '/api/event_logging/batch', ANTHROPIC, 'event_logging anthropic /v1/api/event_logging/batch', true],
  // Gemini: genai 2.x / Gemini CLI use /v1beta, genai 3.x uses /v1
  ['POST', '/v1beta/models/gemini-2.5-flash:generateContent', GOOGLE, 'gemini.generate gemini /v1beta/models/gemini-2.5-flash:generateContent', false],
  ['POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent', GOOGLE, 'gemini.stream gemini /v1beta/models/gemini-2.5-flash:streamGenerateContent', false],
  ['POST', '/v1beta/models/gemini-2.5-flash:countTokens', GOOGLE, 'gemini.count_tokens gemini /v1beta/models/gemini-2.5-flash:countTokens', false],
  ['POST', '/v1/models/gemini-2.5-flash:generateContent', GOOGLE, 'gemini.generate gemini /v1/models/gemini-2.5-flash:generateContent', false],
  ['POST', '/v1/models/gemini-2.5-flash%3AgenerateContent', GOOGLE, 'gemini.generate gemini /v1/models/gemini-2.5-flash:generateContent', false],
  ['POST', '/v1beta/v1beta/models/gemini-2.5-flash:generateContent', GOOGLE, 'gemini.generate gemini /v1beta/models/gemini-2.5-flash:generateContent', true],
  ['POST', '/v1beta/v1/models/gemini-2.5-flash:generateContent', GOOGLE, 'gemini.generate gemini /v1beta/models/gemini-2.5-flash:generateContent', true],
  ['POST', '/v1/v1/models/gemini-2.5-flash:generateContent', GOOGLE, 'gemini.generate gemini /v1beta/models/gemini-2.5-flash:generateContent', true],
  ['POST', '/models/gemini-2.5-flash:streamGenerateContent', GOOGLE, 'gemini.stream gemini /v1beta/models/gemini-2.5-flash:streamGenerateContent', true],
  ['GET', '/v1beta/models', GOOGLE, 'models.list gemini /v1beta/models', false],
  ['GET', '/v1beta/models', NONE, 'models.list gemini /v1beta/models', false],
  ['GET', '/v1/models', GOOGLE, 'models.list gemini /v1/models', false],
  ['GET', '/v1beta/models/gemini-2.5-pro', GOOGLE, 'models.get gemini /v1beta/models/gemini-2.5-pro', false],
  ['GET', '/v1/models/gemini-2.5-pro', GOOGLE, 'models.get gemini /v1/models/gemini-2.5-pro', false],
  ['GET', '/v1beta/v1/models', GOOGLE, 'models.list gemini /v1beta/models', true],
];

describe('resolvePath: paths whose intent is clear are served', () => {
  it.each(resolved)('%s %s', (method, path, signals, expected, rewritten, body) => {
    const r = resolvePath({ method, path, signals, body, origin });
    expect(r.kind).toBe('route');
    if (r.kind !== 'route') return;
    expect(`${r.route} ${r.dialect} ${r.path}`).toBe(expected);
    expect(r.rewritten).toBe(rewritten);
    if (rewritten && r.path !== path.replace(/\/+$/, '')) expect(r.fix).toBeTruthy();
    if (!rewritten) expect(r.fix).toBeUndefined();
  });

  it('answers the same from its memory of paths, whatever headers, host and body the path came with first', () => {
    const elsewhere = 'http://elsewhere.example:1';
    for (const [method, path] of resolved) resolvePath({ method, path, signals: GOOGLE, body: RESPONSES_BODY, origin: elsewhere });
    for (const [method, path, signals, expected, rewritten, body] of resolved) {
      const r = resolvePath({ method, path, signals, body, origin });
      expect(r.kind === 'route' && `${r.route} ${r.dialect} ${r.path}`, `${method} ${path}`).toBe(expected);
      expect(r.kind === 'route' && r.rewritten).toBe(rewritten);
      if (r.kind === 'route' && r.fix) expect(r.fix).not.toContain(elsewhere);
    }
  });

  it('carries the Gemini model from the path', () => {
    const r = resolvePath({ method: 'POST', path: '/v1beta/models/gemini-3.8-flash:streamGenerateContent', signals: GOOGLE, origin });
    expect(r.kind === 'route' && r.model).toBe('gemini-3.8-flash');
  });
});

describe('resolvePath: the fix names the base URL to use', () => {
  const fix = (method: string, path: string, signals: ClientSignals) => {
    const r = resolvePath({ method, path, signals, origin });
    return r.kind === 'route' ? (r.fix ?? '') : '';
  };
  it('Claude Code with ANTHROPIC_BASE_URL=…/v1 is told to drop /v1', () => {
    const f = fix('POST', '/v1/v1/messages', ANTHROPIC);
    expect(f).toContain('repeats the API version');
    expect(f).toContain(`to ${origin}, without /v1`);
  });
  it('OpenAI SDK without /v1 is told to add it', () => {
    expect(fix('POST', '/chat/completions', OPENAI)).toContain(`${origin}/v1`);
  });
  it('Kilo with the full endpoint as base URL is told it stacked paths', () => {
    const f = fix('POST', '/v1/chat/completions/chat/completions', OPENAI);
    expect(f).toContain('already contained an endpoint path');
    expect(f).toContain(`${origin}/v1`);
  });
  it('Gemini CLI with …/v1beta is told to drop it', () => {
    expect(fix('POST', '/v1beta/v1beta/models/g:generateContent', GOOGLE)).toContain(`to ${origin}, without /v1beta`);
  });
  it('a trailing slash is called harmless', () => {
    expect(fix('POST', '/v1/messages/', ANTHROPIC)).toContain('trailing');
  });
});

describe('resolvePath: everything else is explained', () => {
  const cases: Array<[string, string, ClientSignals, string, RegExp]> = [
    ['POST', '/v1/completions', OPENAI, 'openai-chat', /legacy text completions/],
    ['POST', '/v1/embeddings', OPENAI, 'openai-chat', /embeddings/],
    ['POST', '/foo/bar/v1/chat/completions', OPENAI, 'openai-chat', /\/foo\/bar/],
    ['POST', '/v1beta/models/gemini-2.5-flash:embedContent', GOOGLE, 'gemini', /:embedContent/],
    ['GET', '/', NONE, 'openai-chat', /root path/],
    ['POST', '/v2/something', ANTHROPIC, 'anthropic', /no Switchyard endpoint/],
    ['POST', '/nothing', GOOGLE, 'gemini', /no Switchyard endpoint/],
  ];
  it.each(cases)('%s %s → 404 in %s', (method, path, signals, dialect, reason) => {
    const r = resolvePath({ method, path, signals, origin });
    expect(r.kind).toBe('not_found');
    expect(r.dialect).toBe(dialect);
    if (r.kind === 'not_found') expect(r.reason).toMatch(reason);
  });

  it('a wrong method is a 405 naming the right one', () => {
    const r = resolvePath({ method: 'GET', path: '/v1/chat/completions', signals: OPENAI, origin });
    expect(r.kind).toBe('method_not_allowed');
    if (r.kind === 'method_not_allowed') expect(r.allow).toEqual(['POST']);
  });
});
