// Found by the e2e suite: opencode's OpenAI-compatible provider sends `max_tokens: 32000` whatever the
// model, and OpenAI answers 400 to `max_tokens` on its reasoning models. The relay renames it for them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { startOpenAIUpstream, type Upstream } from '../upstreams/index.js';

let up: Upstream;
let gw: RunningGateway;
beforeAll(async () => {
  up = await startOpenAIUpstream();
  gw = await startGateway({ providers: [{ name: 'oa', type: 'openai', base_url: `${up.url}/v1`, api_keys: ['k'] }] });
});
afterAll(async () => {
  await gw.close();
  await up.close();
});

async function chat(model: string): Promise<{ status: number; sent: Record<string, unknown> }> {
  const before = up.requests.length;
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 32000, stream: false }),
  });
  await res.text();
  return { status: res.status, sent: up.requests.slice(before).find((r) => r.path.includes('chat'))?.body as Record<string, unknown> };
}

describe('relay of max_tokens to OpenAI', () => {
  it('renames max_tokens to max_completion_tokens for reasoning models (gpt-5, o3)', async () => {
    for (const model of ['gpt-5', 'o3']) {
      const { status, sent } = await chat(model);
      expect(status).toBe(200);
      expect(sent).toMatchObject({ model, max_completion_tokens: 32000 });
      expect(sent).not.toHaveProperty('max_tokens');
    }
  });

  it('passes max_tokens through unchanged for other models', async () => {
    const { status, sent } = await chat('gpt-4o');
    expect(status).toBe(200);
    expect(sent).toMatchObject({ max_tokens: 32000 });
    expect(sent).not.toHaveProperty('max_completion_tokens');
  });
});
