// The baseline: a minimal Node reverse proxy (node:http in, undici out, no parsing). Method, path,
// headers and body go to the upstream as they are; status, headers and body come back as they are,
// streamed chunk by chunk with backpressure. It is the floor any Node gateway can reach on this machine: every
// gateway does at least this much work per request.
//
//   node bench/lib/bare-proxy.mjs --port N --upstream http://127.0.0.1:M
import { createServer } from 'node:http';
import { once } from 'node:events';
import { Buffer } from 'node:buffer';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, upstream: { type: 'string' } } });
const upstream = new URL(values.upstream).origin;
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: null });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host']);

const server = createServer((req, res) => {
  // The body is read whole (every gateway has to, to route it) but never parsed.
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => void forward(req, res, chunks.length === 0 ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
});

async function forward(req, res, body) {
  const headers = {};
  for (const k in req.headers) if (!HOP.has(k)) headers[k] = req.headers[k];
  try {
    const up = await request(upstream + req.url, { method: req.method, headers, body, dispatcher });
    const out = {};
    for (const k in up.headers) if (!HOP.has(k)) out[k] = up.headers[k];
    res.writeHead(up.statusCode, out);
    for await (const chunk of up.body) {
      if (!res.write(chunk)) await once(res, 'drain');
    }
    res.end();
  } catch (err) {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `bare proxy: ${err.message}` } }));
  }
}
server.keepAliveTimeout = 60_000;
server.headersTimeout = 0;
server.requestTimeout = 0;
server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
