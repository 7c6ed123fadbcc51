// Graceful shutdown: a stream in flight when the gateway is asked to stop still finishes; one that
// outlives the grace period is cut so the process can exit.
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../helpers/gateway.js';
import { startAnthropicUpstream } from '../upstreams/index.js';

describe('graceful shutdown', () => {
  it('lets an in-flight stream finish, then closes', async () => {
    const up = await startAnthropicUpstream({ chunkDelayMs: 80 });
    const gw = await startGateway({ shutdown_grace_seconds: 5, providers: [{ name: 'a', type: 'anthropic', base_url: up.url, api_keys: ['k'] }] });
    try {
      const client = new Anthropic({ apiKey: 'x', baseURL: gw.url, maxRetries: 0 });
      const stream = client.messages.stream({ model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'finish me please' }] });
      await new Promise<void>((resolve) => stream.on('text', () => resolve()));
      const started = Date.now();
      const closed = gw.gateway.close();
      const msg = await stream.finalMessage();
      expect(msg.content[0].type === 'text' && msg.content[0].text).toBe('Hello from the Anthropic upstream. You said: finish me please');
      expect(msg.stop_reason).toBe('end_turn');
      await closed;
      expect(Date.now() - started).toBeLessThan(3000); // did not sit out the 5 s grace on idle sockets
      await expect(fetch(`${gw.url}/healthz`)).rejects.toThrow();
    } finally {
      await gw.close();
      await up.close();
    }
  });

  it('cuts a stream that outlives the grace period', async () => {
    const up = await startAnthropicUpstream({ chunkDelayMs: 400 });
    const gw = await startGateway({ shutdown_grace_seconds: 0.3, providers: [{ name: 'a', type: 'anthropic', base_url: up.url, api_keys: ['k'] }] });
    try {
      const client = new Anthropic({ apiKey: 'x', baseURL: gw.url, maxRetries: 0 });
      const stream = client.messages.stream({ model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'a long answer that takes a while' }] });
      stream.on('error', () => undefined); // asserted below through finalMessage()
      await new Promise<void>((resolve) => stream.on('text', () => resolve()));
      const t0 = Date.now();
      await gw.gateway.close();
      expect(Date.now() - t0).toBeLessThan(3000);
      await expect(stream.finalMessage()).rejects.toThrow();
    } finally {
      await up.close();
    }
  });
});
