// Mock upstream for the benchmark: answers OpenAI Chat, Anthropic Messages and Gemini requests in the
// vendors' wire shapes, as JSON or SSE, with a configurable delay and number of chunks. It is written
// to cost as little as possible and the same for every target, so that differences measured through
// it are the gateway's.
//
//   node bench/lib/mock-upstream.mjs [--port N]      prints {"port":N} on stdout when listening
//
// Behaviour is set for the whole server with POST /__bench/config {"latencyMs":0,"chunks":20}:
//   - non-streaming: the answer is sent after latencyMs;
//   - streaming: headers and the opening event at once, then `chunks` text deltas spread evenly over
//     latencyMs (all at once when 0), then the closing events.
// Every text delta carries the time it was written (`@<epoch ms>`, performance.timeOrigin + now()),
// so a client can measure how long a chunk took to cross the gateway.
// GET /__bench/stats answers {"requests":N,"streams":N,"open":N}.
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });

const config = { latencyMs: 0, chunks: 20 };
const stats = { requests: 0, streams: 0, open: 0 };
const now = () => (performance.timeOrigin + performance.now()).toFixed(3);

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' };
const JSON_HEADERS = { 'content-type': 'application/json' };
const ANSWER = 'Hello! I am a mock model answering a benchmark request.';

// --- OpenAI Chat -----------------------------------------------------------------------------------
const openai = {
  json(model) {
    return {
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      created: 1_732_000_000,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: ANSWER, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 12, total_tokens: 24 },
    };
  },
  open(model) {
    return `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1732000000,"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n`;
  },
  delta(model, i) {
    return `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1732000000,"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":{"content":"tok${i} @${now()} "},"logprobs":null,"finish_reason":null}]}\n\n`;
  },
  close(model, n, includeUsage) {
    let s = `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1732000000,"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}\n\n`;
    if (includeUsage) {
      s += `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1732000000,"model":${JSON.stringify(model)},"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":${n},"total_tokens":${12 + n}}}\n\n`;
    }
    return s + 'data: [DONE]\n\n';
  },
};

// --- Anthropic Messages ----------------------------------------------------------------------------
const anthropic = {
  json(model) {
    return {
      id: 'msg_bench',
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: ANSWER }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    };
  },
  open(model) {
    return (
      `event: message_start\ndata: {"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":${JSON.stringify(model)},"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}\n\n` +
      `event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n`
    );
  },
  delta(_model, i) {
    return `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"tok${i} @${now()} "}}\n\n`;
  },
  close(_model, n) {
    return (
      `event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n` +
      `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${n}}}\n\n` +
      `event: message_stop\ndata: {"type":"message_stop"}\n\n`
    );
  },
};

// --- Gemini ----------------------------------------------------------------------------------------
const gemini = {
  json(model) {
    return {
      candidates: [{ content: { role: 'model', parts: [{ text: ANSWER }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 12, totalTokenCount: 24 },
      modelVersion: model,
      responseId: 'bench-response',
    };
  },
  open() {
    return '';
  },
  delta(model, i) {
    return `data: {"candidates":[{"content":{"parts":[{"text":"tok${i} @${now()} "}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},"modelVersion":${JSON.stringify(model)},"responseId":"bench-response"}\r\n\r\n`;
  },
  close(model, n) {
    return `data: {"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":${n},"totalTokenCount":${12 + n}},"modelVersion":${JSON.stringify(model)},"responseId":"bench-response"}\r\n\r\n`;
  },
};

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function later(ms, fn) {
  if (ms > 0) setTimeout(fn, ms);
  else fn();
}

function stream(res, shape, model, opts) {
  const { latencyMs, chunks } = config;
  stats.streams++;
  stats.open++;
  let closed = false;
  res.on('close', () => {
    closed = true;
    stats.open--;
  });
  res.writeHead(200, SSE_HEADERS);
  const first = shape.open(model);
  if (first) res.write(first);
  const finish = () => {
    if (!closed) res.end(shape.close(model, chunks, opts.includeUsage));
  };
  if (latencyMs <= 0) {
    for (let i = 0; i < chunks; i++) res.write(shape.delta(model, i));
    finish();
    return;
  }
  const interval = latencyMs / chunks;
  const start = performance.now();
  let i = 0;
  const tick = () => {
    if (closed) return;
    res.write(shape.delta(model, i++));
    if (i >= chunks) return finish();
    setTimeout(tick, Math.max(0, start + i * interval - performance.now()));
  };
  setTimeout(tick, interval);
}

function models(res) {
  sendJson(res, 200, {
    object: 'list',
    data: [{ id: 'mock-model', object: 'model', created: 1, owned_by: 'bench', type: 'model', display_name: 'mock-model', created_at: '2025-01-01T00:00:00Z' }],
    has_more: false,
    first_id: 'mock-model',
    last_id: 'mock-model',
    models: [{ name: 'models/gemini-mock', displayName: 'gemini-mock', supportedGenerationMethods: ['generateContent'] }],
  });
}

const server = createServer(async (req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path === '/__bench/config' && req.method === 'POST') {
    Object.assign(config, JSON.parse((await readBody(req)).toString('utf8')));
    return sendJson(res, 200, config);
  }
  if (path === '/__bench/stats') return sendJson(res, 200, stats);
  if (req.method === 'GET') {
    if (path.endsWith('/models') || path === '/v1beta/models') return models(res);
    return sendJson(res, 200, { status: 'ok' });
  }
  stats.requests++;
  const raw = await readBody(req);
  let body;
  try {
    body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    return sendJson(res, 400, { error: { message: 'mock: body is not JSON', type: 'invalid_request_error' } });
  }
  const { latencyMs } = config;
  if (path.endsWith('/chat/completions')) {
    const model = String(body.model ?? 'mock-model');
    if (body.stream === true) return stream(res, openai, model, { includeUsage: body.stream_options?.include_usage === true });
    return later(latencyMs, () => sendJson(res, 200, openai.json(model)));
  }
  if (path.endsWith('/messages')) {
    const model = String(body.model ?? 'claude-mock');
    if (body.stream === true) return stream(res, anthropic, model, {});
    return later(latencyMs, () => sendJson(res, 200, anthropic.json(model)));
  }
  const gem = /\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(path);
  if (gem) {
    const model = decodeURIComponent(gem[1]);
    if (gem[2] === 'streamGenerateContent') return stream(res, gemini, model, {});
    return later(latencyMs, () => sendJson(res, 200, gemini.json(model)));
  }
  sendJson(res, 404, { error: { message: `mock: no route for ${req.method} ${path}`, type: 'not_found_error' } });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 0;
server.requestTimeout = 0;
server.maxConnections = Infinity;
server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
