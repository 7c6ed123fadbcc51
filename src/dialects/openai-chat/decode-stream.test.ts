import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../canonical/types.js';
import { SseParser } from '../../util/sse.js';
import type { SseEvent } from '../../util/sse.js';
import { createStreamDecoder } from './decode-stream.js';

const REC = join(import.meta.dirname, '../../../test/fixtures/vendor-recordings');

function chunkEvents(file: string): SseEvent[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((data) => ({ data }));
}

function sseEvents(file: string): SseEvent[] {
  const p = new SseParser();
  return [...p.push(readFileSync(file, 'utf8')), ...p.end()];
}

function decode(events: SseEvent[], withDone = true): StreamEvent[] {
  const d = createStreamDecoder();
  const out: StreamEvent[] = [];
  for (const e of events) out.push(...d.push(e));
  if (withDone) out.push(...d.push({ data: '[DONE]' }));
  out.push(...d.end());
  return out;
}

/** The canonical stream contract every decoder must keep. */
function assertWellFormed(events: StreamEvent[]): void {
  expect(events[0]?.type).toBe('start');
  const last = events[events.length - 1];
  expect(['finish', 'error']).toContain(last.type);
  expect(events.filter((e) => e.type === 'finish' || e.type === 'error')).toHaveLength(1);
  const open = new Set<number>();
  const closed = new Set<number>();
  let next = 0;
  for (const e of events) {
    if (e.type === 'part_start') {
      expect(e.index).toBe(next++);
      open.add(e.index);
    } else if (e.type === 'text_delta' || e.type === 'thinking_delta' || e.type === 'tool_args_delta') {
      expect(open.has(e.index)).toBe(true);
      expect(closed.has(e.index)).toBe(false);
    } else if (e.type === 'part_end') {
      expect(open.has(e.index)).toBe(true);
      closed.add(e.index);
    }
  }
  if (last.type === 'finish') expect([...open].every((i) => closed.has(i))).toBe(true);
}

interface Summary {
  text: string;
  thinking: string;
  calls: { id: string; name: string; args: string }[];
  finish?: string;
  usage?: unknown;
  start?: unknown;
}

function summarize(events: StreamEvent[]): Summary {
  const s: Summary = { text: '', thinking: '', calls: [] };
  const byIndex = new Map<number, { id: string; name: string; args: string }>();
  for (const e of events) {
    if (e.type === 'start') s.start = { id: e.id, model: e.model };
    if (e.type === 'text_delta') s.text += e.text;
    if (e.type === 'thinking_delta') s.thinking += e.text;
    if (e.type === 'part_start' && e.part.type === 'tool_call') {
      const c = { id: e.part.id, name: e.part.name, args: '' };
      byIndex.set(e.index, c);
      s.calls.push(c);
    }
    if (e.type === 'tool_args_delta') (byIndex.get(e.index) as { args: string }).args += e.json;
    if (e.type === 'finish') {
      s.finish = e.reason;
      s.usage = e.usage;
    }
  }
  return s;
}

describe('openai-chat stream decoder: every recording', () => {
  const files = ['openai-chat', 'deepseek-chat', 'openai-compatible'].flatMap((dir) =>
    readdirSync(join(REC, dir))
      .filter((f) => f.endsWith('.chunks.txt') || f.endsWith('.sse'))
      .map((f) => join(dir, f)),
  );

  it('finds the recordings', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  for (const f of files) {
    const events = f.endsWith('.sse') ? sseEvents(join(REC, f)) : chunkEvents(join(REC, f));
    it(`${f}: well-formed with [DONE] and with a bare end`, () => {
      const a = decode(events, true);
      assertWellFormed(a);
      expect(a[a.length - 1].type).toBe('finish');
      const b = decode(events.filter((e) => e.data !== '[DONE]'), false);
      assertWellFormed(b);
      expect(summarize(b)).toEqual(summarize(a));
    });
    it(`${f}: without its final chunks ends in an error`, () => {
      const cut = events.filter((e) => e.data !== '[DONE]').slice(0, Math.max(2, Math.floor(events.length / 2)));
      const out = decode(cut, false);
      const last = out[out.length - 1];
      expect(last).toEqual({
        type: 'error',
        error: { kind: 'upstream_error', status: 502, message: 'upstream stream ended before the response was complete' },
      });
    });
  }

  it('openai-text: text, stop, usage from the chunk AFTER finish_reason', () => {
    const out = decode(chunkEvents(join(REC, 'openai-chat/openai-text.chunks.txt')));
    const s = summarize(out);
    expect(s.start).toEqual({ id: 'chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0', model: 'gpt-4.1-nano-2025-04-14' });
    expect(s.text.startsWith('**Holiday Name:** Harmony Day')).toBe(true);
    expect(s.finish).toBe('stop');
    expect(s.usage).toEqual({ inputTokens: 16, outputTokens: 300, cachedInputTokens: 0, reasoningTokens: 0 });
    // finish waited for the usage chunk
    const types = out.map((e) => e.type);
    expect(types.indexOf('usage')).toBeLessThan(types.indexOf('finish'));
  });

  it('azure: skips the empty prompt-filter chunk; reasoning tokens counted', () => {
    const s = summarize(decode(chunkEvents(join(REC, 'openai-chat/azure-model-router.1.chunks.txt'))));
    expect(s.start).toEqual({ id: 'chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt', model: 'gpt-5-nano-2025-08-07' });
    expect(s.text).toBe('Capital of Denmark.');
    expect(s.usage).toEqual({ inputTokens: 15, outputTokens: 78, cachedInputTokens: 0, reasoningTokens: 64 });
  });

  it('deepseek-reasoning: thinking part then text part; usage inside the finish chunk', () => {
    const out = decode(chunkEvents(join(REC, 'deepseek-chat/deepseek-reasoning.chunks.txt')));
    const starts = out.filter((e) => e.type === 'part_start');
    expect(starts.map((e) => (e as { part: { type: string } }).part.type)).toEqual(['thinking', 'text']);
    const s = summarize(out);
    expect(s.thinking.startsWith('We need to count')).toBe(true);
    expect(s.text).toContain('strawberry');
    expect(s.finish).toBe('stop');
    expect(s.usage).toEqual({ inputTokens: 18, outputTokens: 219, cachedInputTokens: 0, reasoningTokens: 205 });
  });

  it('deepseek-text: length', () => {
    const s = summarize(decode(chunkEvents(join(REC, 'deepseek-chat/deepseek-text.chunks.txt'))));
    expect(s.finish).toBe('length');
    expect(s.usage).toEqual({ inputTokens: 13, outputTokens: 400, cachedInputTokens: 0 });
  });

  it('deepseek-tool-call: arguments streamed in fragments', () => {
    const s = summarize(decode(chunkEvents(join(REC, 'deepseek-chat/deepseek-tool-call.chunks.txt'))));
    expect(s.calls).toEqual([{ id: 'call_00_ioIn7yN9p1ZOMNpDLwd4MgAF', name: 'weather', args: '{"location": "San Francisco"}' }]);
    expect(s.finish).toBe('tool_calls');
    expect(s.usage).toEqual({ inputTokens: 339, outputTokens: 83, cachedInputTokens: 320, reasoningTokens: 39 });
  });

  it('xai-tool-call: whole call in one delta; reasoning tokens folded into output', () => {
    const s = summarize(decode(chunkEvents(join(REC, 'openai-compatible/xai-tool-call.chunks.txt'))));
    expect(s.calls).toEqual([{ id: 'call_79382389', name: 'weather', args: '{"location":"San Francisco"}' }]);
    expect(s.finish).toBe('tool_calls');
    // prompt 307 + completion 26 + reasoning 227 = total 560: xAI excludes reasoning from completion
    expect(s.usage).toEqual({ inputTokens: 307, outputTokens: 253, cachedInputTokens: 306, reasoningTokens: 227 });
  });

  it('xai-text: reasoning then text', () => {
    const s = summarize(decode(chunkEvents(join(REC, 'openai-compatible/xai-text.chunks.txt'))));
    expect(s.thinking.startsWith('First, the user said')).toBe(true);
    expect(s.text).toBe('Grok');
    expect(s.usage).toEqual({ inputTokens: 12, outputTokens: 342, cachedInputTokens: 11, reasoningTokens: 340 });
  });

  it('anthropic-fallback .sse: text, then a tool call at upstream index 1, no usage', () => {
    const out = decode(sseEvents(join(REC, 'openai-compatible/anthropic-fallback-tool-call.sse')), false);
    assertWellFormed(out);
    const s = summarize(out);
    expect(s.text).toBe('Reading it.');
    expect(s.calls).toEqual([{ id: 'toolu_sanitized', name: 'read_file', args: '{"path": "a.txt"}' }]);
    expect(s.finish).toBe('tool_calls');
    expect(s.usage).toBeUndefined();
    // the text part is closed before the tool call starts
    const types = out.map((e) => e.type);
    expect(types.slice(0, 6)).toEqual(['start', 'part_start', 'text_delta', 'text_delta', 'part_end', 'part_start']);
  });
});

describe('openai-chat stream decoder: edge cases', () => {
  const chunk = (o: Record<string, unknown>): SseEvent => ({
    data: JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', ...o }),
  });
  const delta = (d: Record<string, unknown>, finish: string | null = null): SseEvent =>
    chunk({ choices: [{ index: 0, delta: d, finish_reason: finish }] });

  it('an {"error":…} object mid-stream becomes an error event and ends the stream', () => {
    const d = createStreamDecoder();
    const out = [
      ...d.push(delta({ role: 'assistant', content: 'Hi' })),
      ...d.push({ data: JSON.stringify({ error: { message: 'Rate limit reached', type: 'rate_limit_error', code: 'rate_limit_exceeded' } }) }),
    ];
    expect(out[out.length - 1]).toEqual({
      type: 'error',
      error: { kind: 'rate_limit', status: 429, message: 'Rate limit reached', code: 'rate_limit_exceeded' },
    });
    expect(d.push(delta({ content: 'more' }))).toEqual([]);
    expect(d.end()).toEqual([]);
  });

  it('OpenRouter-style error with a numeric code', () => {
    const d = createStreamDecoder();
    const out = d.push({ data: JSON.stringify({ error: { code: 502, message: 'Provider returned error' } }) });
    expect(out).toEqual([{ type: 'error', error: { kind: 'upstream_error', status: 502, message: 'Provider returned error' } }]);
  });

  it('[DONE] without any finish_reason is an error', () => {
    const d = createStreamDecoder();
    d.push(delta({ content: 'Hi' }));
    expect(d.push({ data: '[DONE]' })).toEqual([
      { type: 'error', error: { kind: 'upstream_error', status: 502, message: 'upstream stream ended before the response was complete' } },
    ]);
  });

  it('finish is held until usage arrives, then emitted once with it', () => {
    const d = createStreamDecoder();
    d.push(delta({ role: 'assistant', content: 'Hi' }));
    const atFinish = d.push(delta({}, 'stop'));
    expect(atFinish.map((e) => e.type)).toEqual(['part_end']);
    const atUsage = d.push(chunk({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }));
    expect(atUsage).toEqual([
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 1 } },
      { type: 'finish', reason: 'stop', usage: { inputTokens: 3, outputTokens: 1 } },
    ]);
    expect(d.push({ data: '[DONE]' })).toEqual([]);
    expect(d.end()).toEqual([]);
  });

  it('usage seen before the finish_reason does not release the finish; Kimi usage inside the choice does', () => {
    const d = createStreamDecoder();
    d.push(chunk({ choices: [{ index: 0, delta: { content: 'a' } }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }));
    expect(d.push(delta({}, 'stop')).map((e) => e.type)).toEqual(['part_end']);
    const last = d.push(chunk({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }));
    expect(last.at(-1)).toEqual({ type: 'finish', reason: 'stop', usage: { inputTokens: 3, outputTokens: 2 } });

    const k = createStreamDecoder();
    k.push(delta({ role: 'assistant', content: 'a' }));
    const out = k.push(chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop', usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10, cached_tokens: 8 } }] }));
    expect(out.at(-1)).toEqual({ type: 'finish', reason: 'stop', usage: { inputTokens: 9, outputTokens: 1, cachedInputTokens: 8 } });
  });

  it('OpenRouter `reasoning` deltas; both fields present are not doubled', () => {
    const d = createStreamDecoder();
    const out = [
      ...d.push(delta({ role: 'assistant', reasoning: 'think' })),
      ...d.push(delta({ reasoning: ' more', reasoning_content: ' more' })),
      ...d.push(delta({ content: 'ok' }, 'stop')),
      ...d.end(),
    ];
    const s = summarize(out);
    expect(s.thinking).toBe('think more');
    expect(s.text).toBe('ok');
  });

  it('parallel calls: each closed when the next starts; argument-less call gets {}', () => {
    const d = createStreamDecoder();
    const out = [
      ...d.push(delta({ role: 'assistant', tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '' } }] })),
      ...d.push(delta({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '' } }] })),
      ...d.push(delta({ tool_calls: [{ index: 1, function: { arguments: '{"x":1}' } }] })),
      ...d.push(delta({}, 'tool_calls')),
      ...d.end(),
    ];
    assertWellFormed(out);
    expect(summarize(out).calls).toEqual([
      { id: 'a', name: 'f', args: '{}' },
      { id: 'b', name: 'g', args: '{"x":1}' },
    ]);
  });

  it('a call whose name arrives after its first fragment; a call without id gets one', () => {
    const d = createStreamDecoder();
    const out = [
      ...d.push(delta({ tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] })),
      ...d.push(delta({ tool_calls: [{ index: 0, function: { name: 'late', arguments: ':2}' } }] })),
      ...d.push(delta({}, 'tool_calls')),
      ...d.end(),
    ];
    assertWellFormed(out);
    const [call] = summarize(out).calls;
    expect(call.name).toBe('late');
    expect(call.args).toBe('{"a":2}');
    expect(call.id).toMatch(/^call_/);
  });

  it('`stop` with tool calls is reported as tool_calls; refusal deltas finish as refusal', () => {
    const a = createStreamDecoder();
    a.push(delta({ tool_calls: [{ index: 0, id: 'x', function: { name: 'f', arguments: '{}' } }] }));
    a.push(delta({}, 'stop'));
    expect(a.end().at(-1)).toMatchObject({ type: 'finish', reason: 'tool_calls' });

    const b = createStreamDecoder();
    b.push(delta({ role: 'assistant', refusal: "I can't help with that." }));
    b.push(delta({}, 'stop'));
    expect(b.end().at(-1)).toMatchObject({ type: 'finish', reason: 'refusal' });
  });

  it('garbage JSON is an error; SSE comments / blank data are ignored', () => {
    const d = createStreamDecoder();
    expect(d.push({ data: '' })).toEqual([]);
    expect(d.push({ data: '{not json' })[0]).toMatchObject({ type: 'error' });
  });

  it('legacy delta.function_call streams as a tool call', () => {
    const d = createStreamDecoder();
    const out = [
      ...d.push(delta({ role: 'assistant', function_call: { name: 'f', arguments: '' } })),
      ...d.push(delta({ function_call: { arguments: '{"q":1}' } })),
      ...d.push(delta({}, 'function_call')),
      ...d.end(),
    ];
    assertWellFormed(out);
    const s = summarize(out);
    expect(s.calls[0]).toMatchObject({ name: 'f', args: '{"q":1}' });
    expect(s.finish).toBe('tool_calls');
  });
});
