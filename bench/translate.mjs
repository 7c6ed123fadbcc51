// Micro-benchmark (scenario 6): the cost of translating a realistic Claude Code request (~60 KB: long
// system prompt, 20 tools, thinking, cache control) to each upstream dialect, and an answer back —
// whole responses and a 100-chunk stream. Runs on the built code (dist/), in this process, with the
// machine otherwise idle; reports medians and p99 in ms.
//
//   node bench/translate.mjs [--quick]        (also run by bench/run.mjs)
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { claudeCodeRequest } from './lib/requests.mjs';

function measure(name, fn, iterations) {
  const warm = Math.max(20, Math.floor(iterations / 10));
  for (let i = 0; i < warm; i++) fn(); // warm up the JIT
  const times = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    fn();
    times[i] = performance.now() - t0;
  }
  times.sort();
  return { name, median: times[Math.floor(iterations / 2)], p99: times[Math.floor(iterations * 0.99)], iterations };
}

function sse(frames) {
  return frames.map(([event, data]) => (event ? `event: ${event}\ndata: ${JSON.stringify(data)}\n\n` : `data: ${JSON.stringify(data)}\n\n`)).join('');
}

/** Upstream streams of 100 text deltas, as each vendor sends them. */
function upstreamStreams(n) {
  const chat = [];
  chat.push([undefined, { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }]);
  for (let i = 0; i < n; i++) chat.push([undefined, { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: `token ${i} ` }, finish_reason: null }] }]);
  chat.push([undefined, { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }]);
  chat.push([undefined, { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 15000, completion_tokens: n, total_tokens: 15000 + n } }]);
  const gem = [];
  for (let i = 0; i < n; i++) gem.push([undefined, { candidates: [{ content: { role: 'model', parts: [{ text: `token ${i} ` }] }, index: 0 }], modelVersion: 'g' }]);
  gem.push([undefined, { candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 15000, candidatesTokenCount: n, totalTokenCount: 15000 + n } }]);
  return { 'openai-chat': sse(chat) + 'data: [DONE]\n\n', gemini: sse(gem) };
}

/** Runs the micro-benchmark; returns rows { name, median, p99, iterations } and the request size. */
export async function translationBench({ quick = false } = {}) {
  const { codecs } = await import('../dist/dialects/index.js');
  const { SseParser } = await import('../dist/util/sse.js');
  const body = claudeCodeRequest();
  const raw = JSON.stringify(body);
  const n = quick ? 50 : 2000;
  const anthropic = codecs.anthropic;
  const rows = [];
  rows.push(measure('decode Claude Code request (anthropic → canonical)', () => anthropic.decodeRequest(body, {}), n));
  for (const target of ['openai-chat', 'openai-responses', 'gemini']) {
    rows.push(
      measure(
        `Claude Code request → ${target} (decode + encode + JSON.stringify)`,
        () => JSON.stringify(codecs[target].encodeRequest(anthropic.decodeRequest(body, {}), { upstreamModel: 'target-model' })),
        n,
      ),
    );
  }
  rows.push(
    measure(
      'Claude Code request → gemini, from the raw bytes (JSON.parse + decode + encode + JSON.stringify)',
      () => JSON.stringify(codecs.gemini.encodeRequest(anthropic.decodeRequest(JSON.parse(raw), {}), { upstreamModel: 'target-model' })),
      n,
    ),
  );
  const toolCall = { command: 'ls -la', description: 'list' };
  const responses = {
    'openai-chat': {
      id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o',
      choices: [{ index: 0, finish_reason: 'tool_calls', logprobs: null, message: { role: 'assistant', content: 'Let me run that.', refusal: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'Bash', arguments: JSON.stringify(toolCall) } }] } }],
      usage: { prompt_tokens: 15000, completion_tokens: 40, total_tokens: 15040 },
    },
    'openai-responses': {
      id: 'resp_1', object: 'response', created_at: 1, status: 'completed', model: 'gpt-5',
      output: [
        { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Let me run that.', annotations: [] }] },
        { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'Bash', arguments: JSON.stringify(toolCall), status: 'completed' },
      ],
      usage: { input_tokens: 15000, output_tokens: 40, total_tokens: 15040 },
    },
    gemini: {
      candidates: [{ content: { role: 'model', parts: [{ text: 'Let me run that.' }, { functionCall: { name: 'Bash', args: toolCall } }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 15000, candidatesTokenCount: 40, totalTokenCount: 15040 },
      modelVersion: 'gemini-2.5-pro',
    },
  };
  for (const [dialect, res] of Object.entries(responses)) {
    rows.push(
      measure(
        `${dialect} response → anthropic message (decode + encode + JSON.stringify)`,
        () => JSON.stringify(anthropic.encodeResponse(codecs[dialect].decodeResponse(res), { requestModel: 'claude-opus-5-5' })),
        n,
      ),
    );
  }
  for (const [dialect, text] of Object.entries(upstreamStreams(100))) {
    const bytes = Buffer.from(text);
    rows.push(
      measure(
        `${dialect} stream of 100 deltas → anthropic SSE (parse + decode + encode)`,
        () => {
          const parser = new SseParser();
          const decoder = codecs[dialect].createStreamDecoder();
          const encoder = anthropic.createStreamEncoder({ requestModel: 'claude-opus-5-5', includeUsage: false, geminiSse: false });
          let out = '';
          for (const ev of parser.push(bytes)) for (const c of decoder.push(ev)) out += encoder.push(c);
          for (const ev of parser.end()) for (const c of decoder.push(ev)) out += encoder.push(c);
          for (const c of decoder.end()) out += encoder.push(c);
          out += encoder.end();
          return out;
        },
        quick ? 20 : 500,
      ),
    );
  }
  return { rows, requestBytes: Buffer.byteLength(raw), tools: body.tools.length };
}

export function formatTranslation({ rows, requestBytes, tools }) {
  const lines = [`Translation micro-benchmark — Claude Code request ${(requestBytes / 1024).toFixed(1)} KB, ${tools} tools, node ${process.version}`];
  lines.push('| case | median ms | p99 ms |', '| --- | ---: | ---: |');
  for (const r of rows) lines.push(`| ${r.name} | ${r.median.toFixed(3)} | ${r.p99.toFixed(3)} |`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(formatTranslation(await translationBench({ quick: process.argv.includes('--quick') })));
}
