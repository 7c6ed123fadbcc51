import { describe, expect, it } from 'vitest';
import { codecs } from '../dialects/index.js';
import { UsageTap } from './usage-tap.js';

// The tap reads usage from relayed bytes as each vendor streams them. It decodes only the events
// that mention usage (see usage-tap.ts), so these streams carry usage where the vendors put it and
// text deltas in between; every stream is also fed one byte at a time.

const sse = (frames: Array<[string | undefined, unknown]>) =>
  frames.map(([event, data]) => (event ? `event: ${event}\ndata: ${JSON.stringify(data)}\n\n` : `data: ${JSON.stringify(data)}\n\n`)).join('');

const deltas = (n: number, make: (i: number) => [string | undefined, unknown]) => Array.from({ length: n }, (_, i) => make(i));

const streams = {
  anthropic: sse([
    ['message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 120, cache_read_input_tokens: 30, cache_creation_input_tokens: 0, output_tokens: 1 } } }],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ...deltas(5, (i): [string, unknown] => ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `word ${i} ` } }]),
    ['ping', { type: 'ping' }],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 7 } }],
    ['message_stop', { type: 'message_stop' }],
  ]),
  'openai-chat':
    sse([
      [undefined, { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }],
      ...deltas(5, (i): [undefined, unknown] => [undefined, { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: `word ${i} ` }, finish_reason: null }] }]),
      [undefined, { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }],
      [undefined, { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 120, completion_tokens: 7, total_tokens: 127, prompt_tokens_details: { cached_tokens: 30 } } }],
    ]) + 'data: [DONE]\n\n',
  gemini: sse([
    ...deltas(5, (i): [undefined, unknown] => [undefined, { candidates: [{ content: { role: 'model', parts: [{ text: `word ${i} ` }] }, index: 0 }], usageMetadata: { promptTokenCount: 120, totalTokenCount: 120 }, modelVersion: 'g' }]),
    [undefined, { candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 120, candidatesTokenCount: 7, totalTokenCount: 127 }, modelVersion: 'g' }],
  ]),
  'openai-responses': sse([
    ['response.created', { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', object: 'response', created_at: 1, status: 'in_progress', model: 'm', output: [], usage: null } }],
    ['response.output_item.added', { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] } }],
    ['response.content_part.added', { type: 'response.content_part.added', sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }],
    ...deltas(5, (i): [string, unknown] => ['response.output_text.delta', { type: 'response.output_text.delta', sequence_number: 3 + i, item_id: 'msg_1', output_index: 0, content_index: 0, delta: `word ${i} ` }]),
    ['response.completed', { type: 'response.completed', sequence_number: 9, response: { id: 'resp_1', object: 'response', created_at: 1, status: 'completed', model: 'm', output: [{ type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'word 0 word 1 word 2 word 3 word 4 ', annotations: [] }] }], usage: { input_tokens: 120, output_tokens: 7, total_tokens: 127, input_tokens_details: { cached_tokens: 30 } } } }],
  ]),
} as const;

function tapAll(dialect: keyof typeof streams, pieces: Buffer[]) {
  const tap = new UsageTap(codecs[dialect], 'sse');
  for (const p of pieces) tap.push(p);
  return tap.end();
}

describe('UsageTap on relayed streams', () => {
  for (const dialect of Object.keys(streams) as Array<keyof typeof streams>) {
    it(`${dialect}: reads usage from the stream, whole and byte by byte`, () => {
      const bytes = Buffer.from(streams[dialect]);
      const whole = tapAll(dialect, [bytes]);
      expect(whole?.inputTokens).toBeGreaterThan(0);
      expect(whole?.outputTokens).toBe(7);
      const byByte = tapAll(dialect, Array.from(bytes, (b) => Buffer.from([b])));
      expect(byByte).toEqual(whole);
    });
  }

  it('reads usage whatever the line ends (CRLF, CR) and wherever the chunks are cut', () => {
    const expected = tapAll('anthropic', [Buffer.from(streams.anthropic)]);
    for (const eol of ['\r\n', '\r']) {
      const bytes = Buffer.from(streams.anthropic.replaceAll('\n', eol));
      for (const size of [1, 7, 64, 1000]) {
        const pieces: Buffer[] = [];
        for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
        expect(tapAll('anthropic', pieces), `${JSON.stringify(eol)} in ${size}-byte chunks`).toEqual(expected);
      }
    }
  });

  it('anthropic: input and cache tokens from message_start, output from message_delta', () => {
    const usage = tapAll('anthropic', [Buffer.from(streams.anthropic)]);
    expect(usage?.outputTokens).toBe(7);
    // Canonical usage counts all input, cached included (OpenAI semantics).
    expect(usage).toMatchObject({ inputTokens: 150, cachedInputTokens: 30, outputTokens: 7 });
  });

  it('reports nothing for a stream without usage', () => {
    const text = sse(deltas(3, (i): [string, unknown] => ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `w${i}` } }]));
    expect(tapAll('anthropic', [Buffer.from(text)])).toBeUndefined();
  });

  it('reads usage from a JSON answer', () => {
    const tap = new UsageTap(codecs.anthropic, 'json');
    const body = JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 12, output_tokens: 3 } });
    tap.push(Buffer.from(body.slice(0, 20)));
    tap.push(Buffer.from(body.slice(20)));
    expect(tap.end()).toMatchObject({ inputTokens: 12, outputTokens: 3 });
  });
});
