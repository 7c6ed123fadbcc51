import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../canonical/types.js';
import { SseParser } from '../../util/sse.js';
import { AnthropicStreamDecoder } from './decode-stream.js';
import { AnthropicStreamEncoder } from './encode-stream.js';

const DIR = new URL('../../../test/fixtures/vendor-recordings/anthropic/', import.meta.url);

function encodeAll(events: StreamEvent[], requestModel = 'claude-client'): string {
  const enc = new AnthropicStreamEncoder({ requestModel });
  return events.map((e) => enc.push(e)).join('') + enc.end();
}

/** The frames as {event, data} with data parsed, via Switchyard's own SSE parser. */
function frames(wire: string): { event?: string; data: Record<string, unknown> }[] {
  const p = new SseParser();
  return [...p.push(wire), ...p.end()].map((e) => ({ event: e.event, data: JSON.parse(e.data) as Record<string, unknown> }));
}

/** Structural check of an Anthropic stream: block order, indexes 0..n, no interleaving. */
function checkAnthropicStream(wire: string): void {
  const fs = frames(wire);
  for (const f of fs) expect(f.event).toBe(f.data.type);
  expect(fs[0].event).toBe('message_start');
  expect(fs[1].event).toBe('ping');
  let open: number | undefined;
  let next = 0;
  for (const f of fs.slice(2)) {
    if (f.event === 'content_block_start') {
      expect(open).toBeUndefined();
      expect(f.data.index).toBe(next++);
      open = f.data.index as number;
    } else if (f.event === 'content_block_delta') {
      expect(f.data.index).toBe(open);
    } else if (f.event === 'content_block_stop') {
      expect(f.data.index).toBe(open);
      open = undefined;
    }
  }
  expect(open).toBeUndefined();
  expect(fs.map((f) => f.event).slice(-2)).toEqual(['message_delta', 'message_stop']);
}

const start: StreamEvent = { type: 'start', id: 'msg_x', model: 'up', created: 1, usage: { inputTokens: 120, cachedInputTokens: 100 } };

describe('Anthropic stream encoder — wire shape', () => {
  it('emits exactly the SDK sequence for a text answer', () => {
    const wire = encodeAll([
      start,
      { type: 'part_start', index: 0, part: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Hel' },
      { type: 'text_delta', index: 0, text: 'lo' },
      { type: 'part_end', index: 0 },
      { type: 'usage', usage: { outputTokens: 7 } },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(wire).toBe(
      [
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_x","type":"message","role":"assistant","model":"claude-client","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":100}}}\n\n',
        'event: ping\ndata: {"type":"ping"}\n\n',
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}\n\n',
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":20,"output_tokens":7,"cache_creation_input_tokens":0,"cache_read_input_tokens":100}}\n\n',
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
      ].join(''),
    );
  });

  it('interleaved parts: text yields to a tool call, text arriving during the tool call waits and continues in a new block', () => {
    const wire = encodeAll([
      start,
      { type: 'part_start', index: 0, part: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Let me check. ' },
      { type: 'part_start', index: 1, part: { type: 'tool_call', id: 'call_a', name: 'lookup' } },
      { type: 'tool_args_delta', index: 1, json: '{"q":' },
      { type: 'text_delta', index: 0, text: 'Still here.' },
      { type: 'part_start', index: 2, part: { type: 'tool_call', id: 'call_b', name: 'other' } },
      { type: 'tool_args_delta', index: 2, json: '{}' },
      { type: 'tool_args_delta', index: 1, json: '"x"}' },
      { type: 'part_end', index: 1 },
      { type: 'part_end', index: 2 },
      { type: 'finish', reason: 'tool_calls', usage: { inputTokens: 120, outputTokens: 30 } },
    ]);
    checkAnthropicStream(wire);
    const fs = frames(wire);
    const starts = fs.filter((f) => f.event === 'content_block_start').map((f) => f.data.content_block);
    expect(starts).toEqual([
      { type: 'text', text: '' },
      { type: 'tool_use', id: 'call_a', name: 'lookup', input: {} },
      { type: 'text', text: '' },
      { type: 'tool_use', id: 'call_b', name: 'other', input: {} },
    ]);
    const json = (i: number) =>
      fs
        .filter((f) => f.event === 'content_block_delta' && f.data.index === i)
        .map((f) => (f.data.delta as { partial_json: string }).partial_json)
        .join('');
    expect(json(1)).toBe('{"q":"x"}');
    expect(json(3)).toBe('{}');
    expect(fs.find((f) => f.event === 'message_delta')?.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      // usage merges field by field: the cache count from `start` still holds
      usage: { input_tokens: 20, output_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 100 },
    });
  });

  it('thinking with signature; redacted thinking waits for its data; a Gemini tool signature precedes the tool_use', () => {
    const wire = encodeAll([
      start,
      { type: 'part_start', index: 0, part: { type: 'thinking' } },
      { type: 'thinking_delta', index: 0, text: 'plan' },
      { type: 'signature', index: 0, signature: { origin: 'anthropic', value: 'sig0' } },
      { type: 'part_end', index: 0 },
      { type: 'part_start', index: 1, part: { type: 'thinking', redacted: true } },
      { type: 'signature', index: 1, signature: { origin: 'openai-responses', value: 'enc' } },
      { type: 'part_end', index: 1 },
      { type: 'part_start', index: 2, part: { type: 'tool_call', id: 'c1', name: 'f' } },
      { type: 'signature', index: 2, signature: { origin: 'gemini', value: 'gs' } },
      { type: 'tool_args_delta', index: 2, json: '{"a":1}' },
      { type: 'part_end', index: 2 },
      { type: 'finish', reason: 'stop' },
    ]);
    checkAnthropicStream(wire);
    const fs = frames(wire).filter((f) => f.event?.startsWith('content_block'));
    expect(fs.map((f) => [f.event, f.data.content_block ?? f.data.delta ?? null])).toEqual([
      ['content_block_start', { type: 'thinking', thinking: '', signature: '' }],
      ['content_block_delta', { type: 'thinking_delta', thinking: 'plan' }],
      ['content_block_delta', { type: 'signature_delta', signature: 'sig0' }],
      ['content_block_stop', null],
      ['content_block_start', { type: 'redacted_thinking', data: 'sy1.r.enc' }],
      ['content_block_stop', null],
      ['content_block_start', { type: 'thinking', thinking: '', signature: '' }],
      ['content_block_delta', { type: 'signature_delta', signature: 'sy1.g.gs' }],
      ['content_block_stop', null],
      ['content_block_start', { type: 'tool_use', id: 'c1', name: 'f', input: {} }],
      ['content_block_delta', { type: 'input_json_delta', partial_json: '{"a":1}' }],
      ['content_block_stop', null],
    ]);
    // Gemini said STOP but there is a tool call: the Anthropic client must see tool_use.
    expect(frames(wire).find((f) => f.event === 'message_delta')?.data.delta).toEqual({ stop_reason: 'tool_use', stop_sequence: null });
  });

  it('copes with parts that never got part_start / part_end, and no start event', () => {
    const wire = encodeAll([
      { type: 'text_delta', index: 3, text: 'hi' },
      { type: 'part_start', index: 4, part: { type: 'tool_call', id: 't', name: 'noargs' } },
      { type: 'finish', reason: 'length' },
    ]);
    checkAnthropicStream(wire);
    const fs = frames(wire);
    expect(fs[0].data.message).toMatchObject({ model: 'claude-client', usage: { input_tokens: 0, output_tokens: 0 } });
    expect(fs.filter((f) => f.event === 'content_block_start').map((f) => f.data.content_block)).toEqual([
      { type: 'text', text: '' },
      { type: 'tool_use', id: 't', name: 'noargs', input: {} },
    ]);
    expect(fs.find((f) => f.event === 'message_delta')?.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'max_tokens', stop_sequence: null },
      usage: { output_tokens: 0 },
    });
  });

  it('an error becomes `event: error` and ends the stream', () => {
    const enc = new AnthropicStreamEncoder({ requestModel: 'm' });
    enc.push(start);
    expect(enc.push({ type: 'error', error: { kind: 'overloaded', status: 529, message: 'busy' } })).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"busy"}}\n\n',
    );
    expect(enc.push({ type: 'finish', reason: 'stop' })).toBe('');
    expect(enc.end()).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------
// The official SDK parses what the encoder writes.

let wireToServe = '';
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.end(wireToServe);
  });
});
let client: Anthropic;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new Anthropic({ apiKey: 'test-key', baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 });
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function sdkFinalMessage(wire: string): Promise<Anthropic.Message> {
  wireToServe = wire;
  return client.messages.stream({ model: 'claude-client', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
}

function decodeRecording(name: string): StreamEvent[] {
  const dec = new AnthropicStreamDecoder();
  const out: StreamEvent[] = [];
  for (const line of readFileSync(new URL(name, DIR), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    out.push(...dec.push({ event: (JSON.parse(line) as { type: string }).type, data: line }));
  }
  out.push(...dec.end());
  return out;
}

describe('@anthropic-ai/sdk parses the encoder output', () => {
  it('text + tool_use with streamed input + stop_reason', async () => {
    const msg = await sdkFinalMessage(
      encodeAll([
        start,
        { type: 'part_start', index: 0, part: { type: 'thinking' } },
        { type: 'thinking_delta', index: 0, text: 'Need weather.' },
        { type: 'signature', index: 0, signature: { origin: 'gemini', value: 'abc' } },
        { type: 'part_end', index: 0 },
        { type: 'part_start', index: 1, part: { type: 'text' } },
        { type: 'text_delta', index: 1, text: 'Checking the weather.' },
        { type: 'part_start', index: 2, part: { type: 'tool_call', id: 'call_w', name: 'weather' } },
        { type: 'tool_args_delta', index: 2, json: '{"city":' },
        { type: 'tool_args_delta', index: 2, json: '"Paris","days":2}' },
        { type: 'part_end', index: 2 },
        { type: 'finish', reason: 'tool_calls', usage: { inputTokens: 120, outputTokens: 42, cachedInputTokens: 100 } },
      ]),
    );
    expect(msg).toMatchObject({
      id: 'msg_x',
      model: 'claude-client',
      role: 'assistant',
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 20, output_tokens: 42, cache_read_input_tokens: 100, cache_creation_input_tokens: 0 },
    });
    expect(msg.content).toEqual([
      { type: 'thinking', thinking: 'Need weather.', signature: 'sy1.g.abc' },
      { type: 'text', text: 'Checking the weather.' },
      { type: 'tool_use', id: 'call_w', name: 'weather', input: { city: 'Paris', days: 2 } },
    ]);
  });

  it('an in-stream error rejects with the Anthropic error type', async () => {
    const wire = encodeAll([start, { type: 'error', error: { kind: 'rate_limit', status: 429, message: 'slow down' } }]);
    await expect(sdkFinalMessage(wire)).rejects.toMatchObject({ error: { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } } });
  });

  // Every recording, decoded and re-encoded, gives the SDK the same text, tool inputs and stop reason
  // as the original (server-tool blocks aside, which Switchyard drops).
  const files = readdirSync(DIR).filter((f) => f.endsWith('.chunks.txt') && f !== 'spliced-message-start.chunks.txt');
  it.each(files)('%s survives decode -> encode -> SDK', async (file) => {
    const events = decodeRecording(file);
    const msg = await sdkFinalMessage(encodeAll(events));
    checkAnthropicStream(encodeAll(events));
    const lines = readFileSync(new URL(file, DIR), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const all = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    // Some recordings hold several responses back to back; the decoder finishes at the first message_stop.
    const original = all.slice(0, all.findIndex((e) => e.type === 'message_stop') + 1);
    const delta = original.find((e) => e.type === 'message_delta') as { delta: { stop_reason: string } };
    expect(msg.stop_reason).toBe(delta.delta.stop_reason);
    const text = (blocks: { type: string; text?: string }[]) => blocks.filter((b) => b.type === 'text').map((b) => b.text).join('');
    const originalText = original
      .filter((e) => e.type === 'content_block_delta' && (e.delta as { type: string }).type === 'text_delta')
      .map((e) => (e.delta as { text: string }).text)
      .join('');
    expect(text(msg.content as { type: string; text?: string }[])).toBe(originalText);
    const finish = events.find((e) => e.type === 'finish');
    expect(msg.usage.output_tokens).toBe(finish?.type === 'finish' ? finish.usage?.outputTokens : undefined);
    for (const b of msg.content) if (b.type === 'tool_use') expect(typeof b.input).toBe('object');
  });
});
