// The pool under faults: with at least one healthy credential no request is lost; cooling, broken
// and disabled credentials are left alone; sticky sessions stay; fallbacks fire; and when nothing
// can serve, the client is told why in its own dialect.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../helpers/gateway.js';
import { startAnthropicUpstream, startGeminiUpstream, startOpenAIUpstream, type Fault } from '../upstreams/index.js';

const FAST_RETRY = { backoff_base_ms: 5, backoff_cap_ms: 20, circuit_failures: 3, circuit_open_seconds: 0.5 };

/** Answers of every fault kind a key can give, repeated. */
function repeat(faults: Fault[], times: number): Fault[] {
  return Array.from({ length: times }, () => faults).flat();
}

describe('no request lost while one credential is healthy', () => {
  it('500 requests at 50-way concurrency under a mixed fault script all succeed', async () => {
    const up = await startOpenAIUpstream();
    const gw = await startGateway({
      timeouts: { connect: 2, first_byte: 1, idle: 5 },
      routing: { ...FAST_RETRY, max_attempts: 8 },
      providers: [{ name: 'oa', type: 'openai', base_url: up.url, api_keys: ['k-500', 'k-429', 'k-reset', 'k-mixed', 'k-good'] }],
    });
    up.setFaults({
      'k-500': repeat([{ status: 500 }, { status: 503 }], 200),
      'k-429': repeat([{ status: 429, retryAfter: 1 }], 200),
      'k-reset': repeat([{ reset: true }], 200),
      'k-mixed': repeat([{ status: 502 }, 'ok', { hang: true }, { status: 429 }, 'ok'], 100),
    });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 });
      let ok = 0;
      const failures: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (next < 500) {
            const i = next++;
            try {
              const r = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `n${i}` }] });
              if (r.choices[0].message.content?.endsWith(`You said: n${i}`)) ok++;
            } catch (err) {
              failures.push((err as Error).message);
            }
          }
        }),
      );
      expect(failures).toEqual([]);
      expect(ok).toBe(500);
      expect(up.requestCount('k-good')).toBeGreaterThan(0);
      // the breaker kept the always-failing keys from being asked for every request
      expect(up.requestCount('k-500') + up.requestCount('k-reset')).toBeLessThan(500);
      const good = gw.gateway.poolState()[0].credentials[4];
      expect(good.successes).toBeGreaterThan(0);
      expect(good.status).toBe('healthy');
    } finally {
      await gw.close();
      await up.close();
    }
  }, 60_000);
});

describe('Retry-After is honoured', () => {
  it('a cooling credential receives no request before its time, then is used again', async () => {
    const up = await startAnthropicUpstream();
    const gw = await startGateway({
      routing: FAST_RETRY,
      providers: [{ name: 'an', type: 'anthropic', base_url: up.url, api_keys: ['k-a', 'k-b'], strategy: 'fill-first' }],
    });
    up.setFaults({ 'k-a': [{ status: 429, retryAfter: 1 }] });
    try {
      const client = new Anthropic({ apiKey: 'x', baseURL: gw.url, maxRetries: 0 });
      const ask = () => client.messages.create({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
      await ask(); // k-a answers 429 (Retry-After: 1) → k-b serves
      const t429 = Date.now();
      const timesOfA: number[] = [];
      for (let i = 0; i < 8; i++) {
        const before = up.requestCount('k-a');
        await ask();
        if (up.requestCount('k-a') > before) timesOfA.push(Date.now() - t429);
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(timesOfA.length).toBeGreaterThan(0); // fill-first returns to k-a once it is free
      expect(Math.min(...timesOfA)).toBeGreaterThanOrEqual(950);
      const state = gw.gateway.poolState()[0].credentials[0];
      expect(state.status).toBe('healthy');
    } finally {
      await gw.close();
      await up.close();
    }
  });
});

describe('credentials that need a person', () => {
  it('a 403 disables a credential until it is reset; a 401 marks it invalid', async () => {
    const up = await startGeminiUpstream();
    const gw = await startGateway({ providers: [{ name: 'ge', type: 'gemini', base_url: up.url, api_keys: ['g-forbidden', 'g-revoked', 'g-ok'] }] });
    up.setFaults({ 'g-forbidden': [{ status: 403 }], 'g-revoked': [{ status: 401 }] });
    try {
      const client = new GoogleGenAI({ apiKey: 'x', httpOptions: { baseUrl: gw.url } });
      for (let i = 0; i < 6; i++) expect((await client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })).text).toContain('You said: x');
      const posts = (key: string) => up.requests.filter((r) => r.method === 'POST' && r.key === key).length;
      expect(posts('g-forbidden')).toBe(1);
      expect(posts('g-revoked')).toBe(1);
      const states = gw.gateway.poolState()[0].credentials.map((c) => [c.status, c.reason?.slice(0, 30)]);
      expect(states[0][0]).toBe('disabled');
      expect(states[1][0]).toBe('invalid');
      expect(gw.logs.some((l) => l.includes('credential healthy → disabled') && !l.includes('g-forbidden'))).toBe(true);
      expect(gw.gateway.resetCredential('ge')).toBe(3);
      for (let i = 0; i < 3; i++) await client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' });
      expect(posts('g-forbidden')).toBe(2);
    } finally {
      await gw.close();
      await up.close();
    }
  });
});

describe('sticky sessions', () => {
  it('a conversation keeps its credential across turns and moves only when it fails', async () => {
    const up = await startAnthropicUpstream();
    const gw = await startGateway({
      providers: [{ name: 'an', type: 'anthropic', base_url: up.url, api_keys: ['s-0', 's-1', 's-2'], strategy: 'sticky' }],
    });
    try {
      const client = new Anthropic({ apiKey: 'x', baseURL: gw.url, maxRetries: 0 });
      const keyOf = async (session: string, text: string) => {
        await client.messages.create(
          { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: text }], metadata: { user_id: session } },
        );
        return up.requests.at(-1)!.key;
      };
      const a1 = await keyOf('session-a', 'a1');
      const b1 = await keyOf('session-b', 'b1');
      expect(b1).not.toBe(a1);
      for (let i = 0; i < 4; i++) expect(await keyOf('session-a', `a${i}`)).toBe(a1);
      up.setFaults({ [a1!]: [{ status: 500 }] });
      const moved = await keyOf('session-a', 'after-failure');
      expect(moved).not.toBe(a1);
      expect(await keyOf('session-a', 'and-then')).toBe(moved);
    } finally {
      await gw.close();
      await up.close();
    }
  });
});

describe('fallbacks and background routing', () => {
  it('falls back to the next model when no credential can serve, and says so in a header', async () => {
    const up = await startGeminiUpstream();
    const gw = await startGateway({
      providers: [
        { name: 'pro', type: 'gemini', base_url: up.url, api_keys: ['p-1'], models: ['gemini-2.5-pro'] },
        { name: 'flash', type: 'gemini', base_url: up.url, api_keys: ['f-1'], models: ['gemini-2.5-flash'] },
      ],
      fallbacks: { 'gemini-2.5-pro': ['gemini-2.5-flash'] },
    });
    up.setFaults({ 'p-1': [{ status: 429, retryAfter: 30 }] });
    try {
      const r = await fetch(`${gw.url}/v1beta/models/gemini-2.5-pro:generateContent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'fallback please' }] }] }),
      });
      expect(r.status).toBe(200);
      expect(r.headers.get('x-switchyard-fallback')).toBe('gemini-2.5-pro -> gemini-2.5-flash');
      expect(up.requests.at(-1)!.path).toContain('gemini-2.5-flash:generateContent');
      // while pro cools, the next request goes straight to the fallback
      const before = up.requestCount('p-1');
      await fetch(`${gw.url}/v1beta/models/gemini-2.5-pro:generateContent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'again' }] }] }),
      });
      expect(up.requestCount('p-1')).toBe(before);
    } finally {
      await gw.close();
      await up.close();
    }
  });

  it('sends a tool-less small-model request to the background model', async () => {
    const up = await startGeminiUpstream();
    const an = await startAnthropicUpstream();
    const gw = await startGateway({
      providers: [
        { name: 'claude', type: 'anthropic', base_url: an.url, api_keys: ['a'], models: ['claude-*'] },
        { name: 'cheap', type: 'gemini', base_url: up.url, api_keys: ['g'], models: ['gemini-2.5-flash-lite'] },
      ],
      background: { model: 'gemini-2.5-flash-lite' },
    });
    try {
      const client = new Anthropic({ apiKey: 'x', baseURL: gw.url, maxRetries: 0 });
      const res = await client.messages
        .create({ model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'title for this chat' }] })
        .withResponse();
      expect(res.response.headers.get('x-switchyard-background')).toBe('claude-haiku-4-5 -> gemini-2.5-flash-lite');
      expect(res.data.content[0].type === 'text' && res.data.content[0].text).toContain('Gemini upstream');
      expect(an.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    } finally {
      await gw.close();
      await up.close();
      await an.close();
    }
  });
});

describe('when every credential fails', () => {
  it('the final error says what was tried and why, in each dialect; 429 + Retry-After when all cool', async () => {
    const o = await startOpenAIUpstream();
    const a = await startAnthropicUpstream();
    const g = await startGeminiUpstream();
    const gw = await startGateway({
      routing: FAST_RETRY,
      providers: [
        { name: 'oa', type: 'openai', base_url: o.url, api_keys: ['o-1', 'o-2'], models: ['gpt-*'] },
        { name: 'an', type: 'anthropic', base_url: a.url, api_keys: ['a-1', 'a-2'], models: ['claude-*'] },
        { name: 'ge', type: 'gemini', base_url: g.url, api_keys: ['g-1', 'g-2'], models: ['gemini-*'] },
      ],
    });
    try {
      o.setFaults({ 'o-1': [{ status: 500 }], 'o-2': [{ status: 502 }] });
      const e1 = await new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 })
        .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })
        .catch((e: Error & { status: number }) => e);
      expect([500, 502]).toContain((e1 as { status: number }).status);
      expect((e1 as Error).message).toMatch(/Tried 2 credentials for "gpt-4o", all failed: oa o-…: HTTP 50[02].*; oa o-…: HTTP 50[02]/);

      a.setFaults({ 'a-1': [{ status: 429, retryAfter: 20 }], 'a-2': [{ status: 529 }] });
      const r2 = await fetch(`${gw.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'claude-x', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      });
      const b2 = (await r2.json()) as { type: string; error: { type: string; message: string } };
      expect(b2.type).toBe('error');
      expect(b2.error.message).toContain('Tried 2 credentials');
      expect(b2.error.message).toContain('HTTP 529');

      g.setFaults({ 'g-1': [{ status: 429, retryAfter: 9 }], 'g-2': [{ status: 429, retryAfter: 4 }] });
      const r3 = await fetch(`${gw.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] }),
      });
      expect(r3.status).toBe(429);
      expect(Number(r3.headers.get('retry-after'))).toBe(4);
      expect(await r3.json()).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });

      // Responses client, same provider: nothing can serve now → 429 at once, no upstream call
      const before = g.requests.length;
      const e4 = await new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 })
        .responses.create({ model: 'gemini-2.5-flash', input: 'x' })
        .catch((e: Error) => e);
      expect((e4 as unknown as { status: number }).status).toBe(429);
      expect((e4 as Error).message).toMatch(/No credential can serve "gemini-2.5-flash" right now; the first is free again in \ds/);
      expect(g.requests.length).toBe(before);
    } finally {
      await gw.close();
      await Promise.all([o.close(), a.close(), g.close()]);
    }
  });

  it('nothing is retried after the first byte reached the client', async () => {
    const up = await startOpenAIUpstream();
    const gw = await startGateway({ providers: [{ name: 'oa', type: 'openai', base_url: up.url, api_keys: ['d-1', 'd-2'] }] });
    up.setFaults({ 'd-1': [{ dropAfterChunks: 3 }], 'd-2': [{ dropAfterChunks: 3 }] });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'a longer answer to drop' }] });
      let text = '';
      await expect(
        (async () => {
          for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
        })(),
      ).rejects.toThrow(/dropped the connection/);
      expect(text.length).toBeGreaterThan(0);
      expect(up.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    } finally {
      await gw.close();
      await up.close();
    }
  });

  it('a hanging upstream is left after the first-byte timeout and the next key answers', async () => {
    const up = await startOpenAIUpstream();
    const gw = await startGateway({
      timeouts: { connect: 2, first_byte: 0.5, idle: 5 },
      providers: [{ name: 'oa', type: 'openai', base_url: up.url, api_keys: ['h-1', 'h-2'], strategy: 'fill-first' }],
    });
    up.setFaults({ 'h-1': [{ hang: true }] });
    try {
      const t0 = Date.now();
      const r = await new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 }).chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'hang' }],
      });
      expect(r.choices[0].message.content).toContain('You said: hang');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    } finally {
      await gw.close();
      await up.close();
    }
  });
  it('the routing deadline bounds the wait across keys, and the answer says so', async () => {
    const up = await startOpenAIUpstream();
    const gw = await startGateway({
      timeouts: { connect: 2, first_byte: 30, idle: 5 },
      routing: { deadline_seconds: 0.6 },
      providers: [{ name: 'oa', type: 'openai', base_url: up.url, api_keys: ['d-1', 'd-2'], strategy: 'fill-first' }],
    });
    up.setFaults({ 'd-1': [{ hang: true }], 'd-2': [{ hang: true }] });
    try {
      const t0 = Date.now();
      const err = await new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 }).chat.completions
        .create({ model: 'm', messages: [{ role: 'user', content: 'hang' }] })
        .catch((e: unknown) => e);
      const waited = Date.now() - t0;
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).message).toMatch(/did not answer before the routing deadline/);
      // Not the 30 s first-byte timeout: the deadline (0.6 s) ended the wait.
      expect(waited).toBeGreaterThanOrEqual(550);
      expect(waited).toBeLessThan(5000);
    } finally {
      await gw.close();
      await up.close();
    }
  });
});
