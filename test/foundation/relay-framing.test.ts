// How the same-dialect relay frames what it sends back (see pipeThrough in src/relay/handle-generation.ts):
// a JSON answer keeps the upstream's content-length (one socket write, no chunked framing), a stream
// shows its headers at once even when the upstream is slow to send its first event, and a JSON body
// that breaks off mid-way closes the client's connection instead of appending bytes after it; a client
// that reads slower than the upstream writes holds the upstream back, and one that leaves while the relay
// waits for it aborts the upstream request.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
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

/** The flooding upstream's progress: bytes written so far, and whether its answer was cut off by the gateway. */
const flood = { total: 256 * 1024 * 1024, written: 0, closedEarly: false };
const FLOOD_EVENT = Buffer.from(
  `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x'.repeat(8000) } })}\n\n`,
);

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
      if (model === 'claude-flood') {
        // Writes as fast as the gateway takes it (waiting for 'drain' like any well-behaved server).
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.on('close', () => (flood.closedEarly = !res.writableFinished));
        while (flood.written < flood.total && !res.destroyed) {
          flood.written += FLOOD_EVENT.length;
          if (!res.write(FLOOD_EVENT)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
        }
        res.end();
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

  it('a client that reads nothing holds the upstream back; when it leaves, the upstream request is aborted', async () => {
    const body = JSON.stringify({ model: 'claude-flood', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const { port } = new URL(gw.url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nanthropic-version: 2023-06-01\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    socket.pause(); // reads nothing: only the kernel's socket buffers take what the gateway writes
    const settled = async () => {
      for (let last = -1; flood.written !== last; await sleep(400)) last = flood.written;
      return flood.written;
    };
    const held = await settled();
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(flood.total / 2); // stalled by backpressure, far from the end
    await sleep(300);
    expect(flood.written).toBe(held); // and stays stalled: nothing piles up in the gateway
    socket.destroy();
    for (const end = Date.now() + 5000; !flood.closedEarly && Date.now() < end; ) await sleep(20);
    expect(flood.closedEarly).toBe(true); // the gateway aborted its upstream request
    // The relay stopped waiting for the client too: the request ended and was logged as the client's doing.
    const ended = () => gw.logs.find((l) => l.includes('claude-flood') && l.includes('the client closed the connection'));
    for (const end = Date.now() + 5000; !ended() && Date.now() < end; ) await sleep(20);
    expect(ended()).toBeDefined();
    // And it keeps serving.
    const client = new Client(gw.url);
    try {
      const next = await post(client, 'claude-x');
      expect(await next.body.text()).toBe(ANSWER);
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
