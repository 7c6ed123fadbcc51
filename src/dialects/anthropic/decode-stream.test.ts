import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../canonical/types.js';
import { SseParser, sseFrame } from '../../util/sse.js';
import { AnthropicStreamDecoder } from './decode-stream.js';

const DIR = new URL('../../../test/fixtures/vendor-recordings/anthropic/', import.meta.url);

/** Replays a recording as real SSE text (event name = JSON type) through the parser and decoder. */
function decodeRecording(name: string, chunkSize = 0): StreamEvent[] {
  const lines = readFileSync(new URL(name, DIR), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const wire = lines.map((l) => sseFrame(l, (JSON.parse(l) as { type: string }).type)).join('');
  const parser = new SseParser();
  const decoder = new AnthropicStreamDecoder();
  const out: StreamEvent[] = [];
  const chunks = chunkSize > 0 ? wire.match(new RegExp(`[\\s\\S]{1,${chunkSize}}`, 'g')) ?? [] : [wire];
  for (const c of chunks) for (const ev of parser.push(c)) out.push(...decoder.push(ev));
  for (const ev of parser.end()) out.push(...decoder.push(ev));
  out.push(...decoder.end());
  return out;
}

function text(events: StreamEvent[], index: number): string {
  return events.map((e) => (e.type === 'text_delta' && e.index === index ? e.text : '')).join('');
}

function args(events: StreamEvent[], index: number): string {
  return events.map((e) => (e.type === 'tool_args_delta' && e.index === index ? e.json : '')).join('');
}

/** Invariants every decoded stream must satisfy. */
function checkShape(events: StreamEvent[]): void {
  expect(events[0]?.type).toBe('start');
  const last = events[events.length - 1];
  expect(['finish', 'error']).toContain(last.type);
  expect(events.filter((e) => e.type === 'finish' || e.type === 'error')).toHaveLength(1);
  const open = new Set<number>();
  const seen = new Set<number>();
  let next = 0;
  for (const e of events) {
    if (e.type === 'part_start') {
      expect(seen.has(e.index)).toBe(false);
      expect(e.index).toBe(next++); // 0, 1, 2… in order of first appearance
      seen.add(e.index);
      open.add(e.index);
    } else if (e.type === 'part_end') {
      expect(open.delete(e.index)).toBe(true);
    } else if ('index' in e) {
      expect(open.has(e.index)).toBe(true);
    }
  }
  if (last.type === 'finish') expect(open.size).toBe(0);
}

describe('Anthropic stream decoder — recordings', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.chunks.txt'));

  it.each(files)('%s decodes to a well-formed canonical stream', (file) => {
    const events = decodeRecording(file);
    checkShape(events);
    // Byte-split delivery gives the same events.
    const split = decodeRecording(file, 37).map((e) => (e.type === 'start' ? { ...e, created: 0 } : e));
    expect(split).toEqual(events.map((e) => (e.type === 'start' ? { ...e, created: 0 } : e)));
    // Arguments of every completed tool call concatenate to valid JSON.
    for (const e of events) {
      if (e.type !== 'part_start' || e.part.type !== 'tool_call') continue;
      const index = e.index;
      if (events.some((x) => x.type === 'part_end' && x.index === index)) expect(() => JSON.parse(args(events, index))).not.toThrow();
    }
  });

  it('anthropic-text: text, usage converted, end_turn', () => {
    const events = decodeRecording('anthropic-text.chunks.txt');
    expect(events[0]).toMatchObject({ type: 'start', id: 'msg_01QC4g3HwBThD4BaNtBckFDJ', model: 'claude-sonnet-4-5-20250929' });
    expect(events[1]).toEqual({ type: 'part_start', index: 0, part: { type: 'text' } });
    expect(text(events, 0)).toBe(
      "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?",
    );
    expect(events[events.length - 1]).toEqual({
      type: 'finish',
      reason: 'stop',
      usage: { inputTokens: 12, outputTokens: 30, cachedInputTokens: 0, cacheCreationTokens: 0 },
    });
  });

  it('anthropic-tool-no-args: empty input becomes "{}"', () => {
    const events = decodeRecording('anthropic-tool-no-args.chunks.txt');
    expect(events).toContainEqual({
      type: 'part_start',
      index: 1,
      part: { type: 'tool_call', id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList' },
    });
    expect(args(events, 1)).toBe('{}');
    expect(events.filter((e) => e.type === 'tool_args_delta')).toHaveLength(1);
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', reason: 'tool_calls' });
  });

  it('anthropic-json-tool.1: streamed input_json_delta fragments', () => {
    const events = decodeRecording('anthropic-json-tool.1.chunks.txt');
    expect(JSON.parse(args(events, 0))).toEqual({
      elements: [{ location: 'San Francisco', temperature: 58, condition: 'sunny' }],
    });
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', reason: 'tool_calls', usage: { inputTokens: 849, outputTokens: 47 } });
  });

  it('anthropic-clear-thinking.1: thinking text and an anthropic-origin signature', () => {
    const events = decodeRecording('anthropic-clear-thinking.1.chunks.txt');
    expect(events[1]).toEqual({ type: 'part_start', index: 0, part: { type: 'thinking' } });
    const thinking = events.map((e) => (e.type === 'thinking_delta' ? e.text : '')).join('');
    expect(thinking).toBe('The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185');
    const sig = events.find((e) => e.type === 'signature');
    expect(sig).toMatchObject({ type: 'signature', index: 0, signature: { origin: 'anthropic' } });
    expect(sig?.type === 'signature' && sig.signature.value.startsWith('EvQBCkYICxgCKkAxhD4NUKFz')).toBe(true);
    expect(text(events, 1)).toBe('925 ÷ 5 = 185');
  });

  it('anthropic-refusal: no content, refusal finish', () => {
    const events = decodeRecording('anthropic-refusal.chunks.txt');
    expect(events.map((e) => e.type)).toEqual(['start', 'usage', 'finish']);
    expect(events[2]).toMatchObject({ type: 'finish', reason: 'refusal', usage: { inputTokens: 18, outputTokens: 5 } });
  });

  it('anthropic-message-delta-input-tokens: message_delta input_tokens supersede message_start', () => {
    const events = decodeRecording('anthropic-message-delta-input-tokens.chunks.txt');
    expect(events[0]).toMatchObject({ type: 'start', usage: { inputTokens: 43, outputTokens: 1 } });
    expect(text(events, 0)).toBe('pong');
    expect(events[events.length - 1]).toEqual({ type: 'finish', reason: 'stop', usage: { inputTokens: 61, outputTokens: 2 } });
  });

  it('duplicate-message-start: the repeated message_start of the same message is ignored', () => {
    const events = decodeRecording('duplicate-message-start.chunks.txt');
    expect(events.filter((e) => e.type === 'start')).toHaveLength(1);
    expect(text(events, 0)).toBe('Hello, World!');
    expect(events[events.length - 1]).toEqual({ type: 'finish', reason: 'stop', usage: { inputTokens: 17, outputTokens: 227 } });
  });

  it('spliced-message-start: a different message mid-stream fails the stream, nothing of the second leaks', () => {
    const events = decodeRecording('spliced-message-start.chunks.txt');
    const last = events[events.length - 1];
    expect(last).toMatchObject({ type: 'error', error: { kind: 'upstream_error', status: 502 } });
    expect(last.type === 'error' && last.error.message).toContain('msg_second');
    expect(events.some((e) => e.type === 'finish')).toBe(false);
    expect(events.filter((e) => e.type === 'start')).toHaveLength(1);
    // The half-streamed tool call of the first message never completes.
    expect(events.some((e) => e.type === 'part_end' && e.index === 1)).toBe(false);
    expect(JSON.stringify(events)).not.toContain('sig-second');
  });

  it('anthropic-web-search-tool.1: server tool blocks and citations are skipped, text indexes stay dense', () => {
    const events = decodeRecording('anthropic-web-search-tool.1.chunks.txt');
    const starts = events.filter((e) => e.type === 'part_start');
    expect(starts.every((e) => e.type === 'part_start' && e.part.type === 'text')).toBe(true);
    expect(events.some((e) => e.type === 'part_start' && e.part.type === 'tool_call')).toBe(false);
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', reason: 'stop' });
  });

  it('anthropic-fallback: the fallback block is skipped', () => {
    const events = decodeRecording('anthropic-fallback.chunks.txt');
    expect(text(events, 0)).toBe('The printing press was invented by Johannes Gutenberg around 1440.');
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', usage: { inputTokens: 412, outputTokens: 264 } });
  });
});

describe('Anthropic stream decoder — edge cases', () => {
  const ev = (data: unknown) => ({ event: (data as { type: string }).type, data: JSON.stringify(data) });
  const start = ev({
    type: 'message_start',
    message: { id: 'msg_1', model: 'm', usage: { input_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20, output_tokens: 1 } },
  });

  it('cache reads and writes are added into inputTokens', () => {
    const d = new AnthropicStreamDecoder();
    expect(d.push(start)[0]).toMatchObject({ usage: { inputTokens: 125, cachedInputTokens: 100, cacheCreationTokens: 20 } });
  });

  it('a stream without message_delta/message_stop ends with an error', () => {
    const d = new AnthropicStreamDecoder();
    d.push(start);
    d.push(ev({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
    expect(d.end()).toEqual([
      { type: 'error', error: { kind: 'upstream_error', status: 502, message: 'upstream stream ended before the response was complete' } },
    ]);
  });

  it('message_delta with a stop_reason but no message_stop still finishes, closing open parts', () => {
    const d = new AnthropicStreamDecoder();
    d.push(start);
    d.push(ev({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } } }));
    d.push(ev({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } }));
    expect(d.end()).toEqual([
      { type: 'tool_args_delta', index: 0, json: '{"a":1}' },
      { type: 'part_end', index: 0 },
      {
        type: 'finish',
        reason: 'tool_calls',
        usage: { inputTokens: 125, outputTokens: 9, cachedInputTokens: 100, cacheCreationTokens: 20 },
      },
    ]);
  });

  it('an upstream error event becomes a canonical error and ends the stream', () => {
    const d = new AnthropicStreamDecoder();
    d.push(start);
    const out = d.push({ event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' });
    expect(out).toEqual([{ type: 'error', error: { kind: 'overloaded', status: 529, message: 'Overloaded', code: 'overloaded_error' } }]);
    expect(d.push(ev({ type: 'message_stop' }))).toEqual([]);
    expect(d.end()).toEqual([]);
  });

  it('redacted_thinking becomes a redacted thinking part carrying the data as signature', () => {
    const d = new AnthropicStreamDecoder();
    d.push(start);
    expect(d.push(ev({ type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'opaque' } }))).toEqual([
      { type: 'part_start', index: 0, part: { type: 'thinking', redacted: true } },
      { type: 'signature', index: 0, signature: { origin: 'anthropic', value: 'opaque' } },
    ]);
  });

  it('stop_sequence and output_tokens_details are carried', () => {
    const d = new AnthropicStreamDecoder();
    d.push(start);
    d.push(
      ev({
        type: 'message_delta',
        delta: { stop_reason: 'stop_sequence', stop_sequence: 'END' },
        usage: { output_tokens: 40, output_tokens_details: { thinking_tokens: 30 } },
      }),
    );
    expect(d.push(ev({ type: 'message_stop' }))).toEqual([
      {
        type: 'finish',
        reason: 'stop',
        stopSequence: 'END',
        usage: { inputTokens: 125, outputTokens: 40, cachedInputTokens: 100, cacheCreationTokens: 20, reasoningTokens: 30 },
      },
    ]);
  });

  it('malformed JSON fails the stream', () => {
    const d = new AnthropicStreamDecoder();
    expect(d.push({ data: '{nope' })[0]).toMatchObject({ type: 'error', error: { kind: 'upstream_error' } });
  });
});
