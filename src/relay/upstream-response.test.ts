import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClientAbort } from './client-abort.js';
import { requestUpstream, type UpstreamRequestOptions } from './upstream-response.js';

// The upstream exchange on undici's handler interface, against a real HTTP server: what the relay
// relies on — every byte in order however late it starts reading, a slow reader holds the upstream
// back, and a client that leaves (or a reader that fails) ends the upstream request.

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.end();
let server: Server;
let origin: string;
const agent = new Agent({ keepAliveTimeout: 10_000, connections: null });

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  handler = (_req, res) => res.end();
});
afterAll(async () => {
  await agent.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const call = (abort = new ClientAbort(), extra: Partial<UpstreamRequestOptions> = {}) =>
  requestUpstream(agent, { origin, path: '/v1/messages', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}', ...extra }, abort);

/** Resolves when the server's side of the request is closed (the upstream request was ended). */
const closed = (req: IncomingMessage) => new Promise<void>((r) => req.socket.once('close', () => r()));

describe('requestUpstream', () => {
  it('settles with status and headers; the body reads as JSON', async () => {
    handler = (req, res) => {
      let got = '';
      req.on('data', (c: Buffer) => (got += c.toString()));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-seen': got });
        res.end(JSON.stringify({ usage: { output_tokens: 3 } }));
      });
    };
    const res = await call();
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-seen']).toBe('{"a":1}');
    expect(res.headers['content-type']).toBe('application/json');
    expect(await res.body.json()).toEqual({ usage: { output_tokens: 3 } });
  });

  it('hands over every chunk in order, also those that came before anyone read', async () => {
    const parts = Array.from({ length: 50 }, (_, i) => `part ${i};`.repeat(i + 1));
    handler = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (const p of parts) {
        res.write(p);
        await sleep(0);
      }
      res.end();
    };
    const res = await call();
    await sleep(100); // the whole body has arrived and waits
    const seen: string[] = [];
    await res.body.forEach((chunk) => void seen.push(chunk.toString()));
    expect(seen.join('')).toBe(parts.join(''));
    await expect(res.body.forEach(() => undefined)).rejects.toThrow(/only once/);
  });

  it('what one socket read brought reaches the reader as one chunk, not one per HTTP chunk', async () => {
    // 200 SSE events, each its own chunk of the chunked encoding, sent in one socket write.
    const events = Array.from({ length: 200 }, (_, i) => `event: content_block_delta\ndata: {"i":${i}}\n\n`);
    const frames = events.map((e) => `${Buffer.byteLength(e).toString(16)}\r\n${e}\r\n`).join('');
    const raw = createNetServer((socket) => {
      socket.once('data', () => {
        socket.end(`HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n${frames}0\r\n\r\n`);
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    try {
      const rawOrigin = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
      const res = await requestUpstream(agent, { origin: rawOrigin, path: '/', method: 'POST', headers: {}, body: '{}' }, new ClientAbort());
      const seen: string[] = [];
      await res.body.forEach((chunk) => void seen.push(chunk.toString()));
      expect(seen.join('')).toBe(events.join(''));
      expect(seen.length).toBeLessThan(5); // one, unless the kernel split the write
    } finally {
      await new Promise((r) => raw.close(r));
    }
  });

  it('a reader that waits holds the upstream back, and the client leaving ends the upstream request', async () => {
    let written = 0;
    let serverReq: IncomingMessage | undefined;
    const total = 256 * 1024 * 1024;
    handler = (req, res) => {
      serverReq = req;
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const block = Buffer.alloc(64 * 1024, 120);
      const pump = () => {
        while (written < total && !res.destroyed) {
          written += block.length;
          if (!res.write(block)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    const abort = new ClientAbort();
    const res = await call(abort);
    let received = 0;
    const never = new Promise(() => undefined);
    const reading = res.body.forEach((chunk) => {
      received += chunk.length;
      return never; // a client that never drains
    });
    await sleep(300);
    const stalledAt = written;
    await sleep(300);
    expect(written).toBe(stalledAt); // the upstream is stalled, not buffered into our memory
    expect(written).toBeLessThan(32 * 1024 * 1024);
    expect(received).toBeLessThanOrEqual(256 * 1024);
    const gone = closed(serverReq as IncomingMessage);
    abort.abort();
    await gone;
    expect(abort.upstream).toBeUndefined();
    // The reader still waits on its own promise; the body settles once that does.
    void reading.catch(() => undefined);
  });

  it('an answer nobody reads yet waits in a bounded queue: the upstream is held back', async () => {
    let written = 0;
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const block = Buffer.alloc(64 * 1024, 120);
      const pump = () => {
        while (written < 256 * 1024 * 1024 && !res.destroyed) {
          written += block.length;
          if (!res.write(block)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    const res = await call();
    await sleep(400);
    expect(written).toBeLessThan(32 * 1024 * 1024);
    res.body.discard();
  });

  it('a client that leaves before the answer ends the request and rejects', async () => {
    let serverReq: IncomingMessage | undefined;
    const arrived = new Promise<void>((r) => {
      handler = (req) => {
        serverReq = req; // never answers
        r();
      };
    });
    const abort = new ClientAbort();
    const pending = call(abort);
    await arrived;
    const gone = closed(serverReq as IncomingMessage);
    abort.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await gone;
  });

  it('a client already gone never reaches the upstream', async () => {
    let reached = false;
    handler = (_req, res) => {
      reached = true;
      res.end();
    };
    const abort = new ClientAbort();
    abort.abort();
    await expect(call(abort)).rejects.toMatchObject({ name: 'AbortError' });
    await sleep(50);
    expect(reached).toBe(false);
  });

  it('a reader that throws ends the upstream request and the body rejects with its error', async () => {
    let serverReq: IncomingMessage | undefined;
    handler = (req, res) => {
      serverReq = req;
      res.writeHead(200);
      res.write('first');
      // and then nothing more, ever
    };
    const res = await call();
    const gone = closed(serverReq as IncomingMessage);
    await expect(
      res.body.forEach(() => {
        throw new Error('client write failed');
      }),
    ).rejects.toThrow('client write failed');
    await gone;
  });

  it('an upstream that breaks off mid-body rejects the body', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('only a little');
      setTimeout(() => req.socket.destroy(), 20);
    };
    const res = await call();
    let got = '';
    await expect(res.body.forEach((c) => void (got += c.toString()))).rejects.toThrow();
    expect(got).toBe('only a little');
  });

  it('the headers timeout rejects when the upstream says nothing', async () => {
    handler = () => undefined;
    await expect(call(new ClientAbort(), { headersTimeout: 100 })).rejects.toMatchObject({ name: 'HeadersTimeoutError' });
  });

  it('discarding an unread body ends the upstream request instead of leaving it paused', async () => {
    let serverReq: IncomingMessage | undefined;
    handler = (req, res) => {
      serverReq = req;
      res.writeHead(200);
      res.write('x'.repeat(1000)); // never ends
    };
    const res = await call();
    const gone = closed(serverReq as IncomingMessage);
    res.body.discard();
    await gone;
  });
});
