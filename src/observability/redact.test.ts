import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactBody, redactUrl, ResponseCapture, scrubText } from './redact.js';

describe('redactBody', () => {
  it('removes known secrets, secret-named JSON fields and key-shaped strings', () => {
    const body = JSON.stringify({
      model: 'gpt-4o',
      api_key: 'whatever-value',
      nested: { Authorization: 'Bearer abcdefghijklmnop', password: 'hunter2' },
      messages: [{ role: 'user', content: 'my key is sk-proj-abcdefghijklmnopqrstuv and AIzaSyA1234567890abcdefghijkl and custom-secret-42' }],
      max_tokens: 100,
    });
    const out = redactBody(body, ['custom-secret-42'], 10_000)!;
    for (const s of ['whatever-value', 'abcdefghijklmnop', 'hunter2', 'sk-proj-abcdefghijklmnopqrstuv', 'AIzaSyA1234567890abcdefghijkl', 'custom-secret-42']) {
      expect(out).not.toContain(s);
    }
    expect(out).toContain(REDACTED);
    expect(JSON.parse(out)).toMatchObject({ model: 'gpt-4o', max_tokens: 100 });
  });

  it('works on non-JSON text (SSE) too', () => {
    const out = redactBody('data: {"x":"sk-ant-api03-abcdefghijklmnop"}\n\n', [], 1000)!;
    expect(out).not.toContain('sk-ant-api03');
  });

  it('caps the size on a character boundary and says how big the body was', () => {
    const out = redactBody('é'.repeat(100), [], 11)!;
    expect(out.startsWith('ééééé')).toBe(true);
    expect(out).toContain('…[truncated; 200 bytes in all]');
    expect(redactBody('short', [], 100, 5000)).toBe('short…[truncated; 5000 bytes in all]');
    expect(redactBody('', [], 10)).toBeUndefined();
  });
});

describe('ResponseCapture', () => {
  it('copies what a response writes, up to the cap, counting the rest', async () => {
    let capture: ResponseCapture | undefined;
    const server = createServer((_req, res) => {
      capture = new ResponseCapture(res, 10);
      res.write('hello ');
      res.write(Buffer.from('world, '));
      res.end('and more');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as { port: number };
    const text = await (await fetch(`http://127.0.0.1:${addr.port}/`)).text();
    server.close();
    expect(text).toBe('hello world, and more');
    expect(capture?.text()).toBe('hello worl');
    expect(capture?.total).toBe(21);
  });
});

describe('redactUrl and scrubText', () => {
  it('replaces key-carrying query parameters, keeps the rest', () => {
    expect(redactUrl('/v1beta/models/x:streamGenerateContent?alt=sse&key=AIza-secret')).toBe('/v1beta/models/x:streamGenerateContent?alt=sse&key=%5Bredacted%5D');
    expect(redactUrl('/v1/messages?beta=true')).toBe('/v1/messages?beta=true');
    expect(redactUrl('/x?api_key=1&Token=2&keys=3')).toBe('/x?api_key=%5Bredacted%5D&Token=%5Bredacted%5D&keys=3');
    expect(redactUrl('/plain')).toBe('/plain');
  });

  it('scrubs known secrets and key shapes from free text', () => {
    expect(scrubText('key my-own-secret-1 failed; also sk-abcdefghijklmnopq', ['my-own-secret-1'])).toBe('key [redacted] failed; also [redacted]');
  });
});
