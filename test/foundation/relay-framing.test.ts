// How the same-dialect relay frames what it sends back (see pipeThrough in src/relay/handle-generation.ts):
// a JSON answer keeps the upstream's content-length (one socket write, no chunked framing), a stream
// shows its headers at once even when the upstream is slow to send its first event, and a JSON body
// that breaks off mid-way closes the client's connection instead of appending bytes after it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';

const ANSWER = JSON.stringify({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-x',
  content: [{ type: 'text', text: 'hello' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 5, output_tokens: 1 },
});

let upstream: Server;
let gw: RunningGateway;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    if (req.method === 'GET') {
      // The gateway's model-list fetch.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [{ type: 'model', id: 'claude-x', display_name: 'claude-x', created_at: '2025-01-01T00:00:00Z' }], has_more: false }));
      return;
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const model = (JSON.parse(body) as { model: string }).model;
      if (model === 'claude-cut') {
        // Announces the whole answer, sends part of it, then drops the connection.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(ANSWER.length) });
        res.write(ANSWER.slice(0, 20));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      if (model === 'claude-slow-stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        await sleep(1500); // thinking before the first event
        res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(ANSWER.length) });
      res.end(ANSWER);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const port = (upstream.address() as AddressInfo).port;
  gw = await startGateway({
    providers: [{ name: 'an', type: 'anthropic', base_url: `http://127.0.0.1:${port}`, api_keys: ['sk-up'], models: ['claude-*'] }],
  });
});

afterAll(async () => {
  await gw?.close();
  await new Promise((r) => upstream?.close(r));
});

const post = (client: Client, model: string, stream = false) =>
  client.request({
    path: '/v1/messages',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model, max_tokens: 10, stream, messages: [{ role: 'user', content: 'hi' }] }),
  });

describe('same-dialect relay framing', () => {
  it('relays a JSON answer with its content-length, not chunked', async () => {
    const client = new Client(gw.url);
    try {
      const res = await post(client, 'claude-x');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-length']).toBe(String(ANSWER.length));
      expect(res.headers['transfer-encoding']).toBeUndefined();
      expect(await res.body.text()).toBe(ANSWER);
    } finally {
      await client.close();
    }
  });

  it('shows a stream’s headers before the upstream’s first event', async () => {
    const client = new Client(gw.url);
    try {
      const started = Date.now();
      const res = await post(client, 'claude-slow-stream', true);
      expect(res.statusCode).toBe(200);
      expect(Date.now() - started).toBeLessThan(1000); // the upstream waits 1.5 s before its first byte of body
      expect(await res.body.text()).toContain('message_stop');
    } finally {
      await client.close();
    }
  });

  it('closes the connection when a JSON body breaks off, and keeps serving', async () => {
    const client = new Client(gw.url);
    try {
      const res = await post(client, 'claude-cut');
      expect(res.statusCode).toBe(200);
      await expect(res.body.text()).rejects.toThrow();
      const next = await post(new Client(gw.url), 'claude-x');
      expect(next.statusCode).toBe(200);
      expect(await next.body.text()).toBe(ANSWER);
    } finally {
      await client.close().catch(() => undefined);
    }
  });
});
