// Micro-benchmark: the cost of translating a real Claude Code request (~60 KB: long system prompt,
// 12+ tools, thinking, cache control) to each upstream dialect, and a response back. Runs on the
// built code (dist/), measures with the process otherwise idle, prints medians and p99 in ms.
// Not a test: numbers vary by machine; compare runs side by side on the same machine.
import { readFileSync } from 'node:fs';
import { codecs } from '../dist/dialects/index.js';

const capture = JSON.parse(readFileSync(new URL('../test/fixtures/clients/claude-code-p-apikey.json', import.meta.url), 'utf8'));
const body = capture.requests[0].body;
// The capture trimmed tool schemas to placeholders; give each a realistic draft-07 schema of the same size class.
for (const t of body.tools) {
  if (typeof t.input_schema !== 'object') {
    t.input_schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        Array.from({ length: 6 }, (_, i) => [`field_${i}`, { type: 'string', description: 'x'.repeat(180) }]),
      ),
      required: ['field_0'],
    };
  }
}
const bytes = Buffer.byteLength(JSON.stringify(body));

function measure(name, fn, iterations = 2000) {
  for (let i = 0; i < 200; i++) fn(); // warm up the JIT
  const times = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  times.sort();
  const median = times[Math.floor(iterations / 2)];
  const p99 = times[Math.floor(iterations * 0.99)];
  return { name, median, p99 };
}

const anthropic = codecs.anthropic;
const rows = [];
rows.push(measure('decode Claude Code request (anthropic → canonical)', () => anthropic.decodeRequest(body, {})));
for (const target of ['openai-chat', 'openai-responses', 'gemini']) {
  rows.push(
    measure(`Claude Code request → ${target} (decode + encode + JSON.stringify)`, () => {
      const c = anthropic.decodeRequest(body, {});
      JSON.stringify(codecs[target].encodeRequest(c, { upstreamModel: 'target-model' }));
    }),
  );
}
const chatResponse = {
  id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o',
  choices: [{ index: 0, finish_reason: 'tool_calls', logprobs: null, message: { role: 'assistant', content: 'Let me run that.', refusal: null,
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'Bash', arguments: JSON.stringify({ command: 'ls -la', description: 'list' }) } }] } }],
  usage: { prompt_tokens: 15000, completion_tokens: 40, total_tokens: 15040 },
};
rows.push(
  measure('chat response → anthropic message (decode + encode)', () => {
    anthropic.encodeResponse(codecs['openai-chat'].decodeResponse(chatResponse), { requestModel: 'claude-opus-5-5' });
  }),
);

console.log(`Translation micro-benchmark — request body ${(bytes / 1024).toFixed(1)} KB, ${body.tools.length} tools, node ${process.version}`);
console.log('| case | median ms | p99 ms |\n| --- | ---: | ---: |');
for (const r of rows) console.log(`| ${r.name} | ${r.median.toFixed(3)} | ${r.p99.toFixed(3)} |`);
