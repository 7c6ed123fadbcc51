// One GET /v1/models path, three dialects: each SDK lists and retrieves the names it can send.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { startGeminiUpstream, startOpenAIUpstream, type Upstream } from '../upstreams/index.js';

let ups: Upstream[];
let gw: RunningGateway;

beforeAll(async () => {
  const o = await startOpenAIUpstream({ models: ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'] });
  const g = await startGeminiUpstream({ models: ['gemini-2.5-flash', 'gemini-2.5-pro'] });
  ups = [o, g];
  gw = await startGateway({
    providers: [
      { name: 'oa', type: 'openai', base_url: o.url, api_keys: ['k'], models: ['gpt-*'] },
      { name: 'ge', type: 'gemini', base_url: g.url, api_keys: ['k'], models: ['gemini-*'] },
      { name: 'cl', type: 'anthropic', base_url: 'http://127.0.0.1:9', api_keys: ['k'], models: ['claude-sonnet-4-5', 'claude-opus-4-1'] },
    ],
    model_mapping: { 'claude-haiku-*': 'gemini-2.5-flash', 'fast': 'gpt-4o-mini' },
  });
  await gw.gateway.app.inject({ method: 'GET', url: '/v1/models' }); // first call starts the background fetch
  for (let i = 0; i < 50 && !(await listIds()).includes('gpt-4o'); i++) await new Promise((r) => setTimeout(r, 20));
});
afterAll(async () => {
  await gw.close();
  await Promise.all(ups.map((u) => u.close()));
});

async function listIds(): Promise<string[]> {
  const r = await fetch(`${gw.url}/v1/models`);
  return ((await r.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
}

describe('model lists', () => {
  it('OpenAI shape: upstream models filtered by the provider patterns, literal names and aliases', async () => {
    const page = await new OpenAI({ apiKey: 'x', baseURL: `${gw.url}/v1`, maxRetries: 0 }).models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-4o-mini', 'gemini-2.5-flash', 'gemini-2.5-pro', 'claude-sonnet-4-5', 'claude-opus-4-1', 'fast']));
    expect(ids).not.toContain('text-embedding-3-small'); // not served: no provider pattern matches
    expect(page.data[0]).toMatchObject({ object: 'model', owned_by: expect.any(String) });
  });

  it('Anthropic shape when anthropic-version is sent, and retrieve by id', async () => {
    const client = new Anthropic({ apiKey: 'x', baseURL: gw.url, maxRetries: 0 });
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(['claude-sonnet-4-5', 'gpt-4o', 'fast']));
    expect(await client.models.retrieve('claude-sonnet-4-5')).toMatchObject({ type: 'model', id: 'claude-sonnet-4-5' });
  });

  it('Gemini shape on /v1beta/models and on /v1/models with x-goog-api-key (genai 3.x)', async () => {
    const client = new GoogleGenAI({ apiKey: 'x', httpOptions: { baseUrl: gw.url } });
    const names: string[] = [];
    for await (const m of await client.models.list()) names.push(m.name ?? '');
    expect(names).toEqual(expect.arrayContaining(['models/gemini-2.5-flash', 'models/claude-sonnet-4-5', 'models/fast']));
    const one = await client.models.get({ model: 'gemini-2.5-pro' });
    expect(one.name).toBe('models/gemini-2.5-pro');
    const beta = await fetch(`${gw.url}/v1beta/models`);
    expect(((await beta.json()) as { models: unknown[] }).models.length).toBe(names.length);
  });

  it('an unknown id is a 404 listing what exists', async () => {
    const r = await fetch(`${gw.url}/v1/models/nope`);
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain('claude-sonnet-4-5');
  });
});
