import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Part, StreamEvent } from '../../canonical/types.js';
import type { SseEvent } from '../../util/sse.js';
import { decodeResponse } from './decode-response.js';
import { ResponsesStreamDecoder } from './decode-stream.js';
import { packReasoning } from './reasoning-signature.js';

const RECORDINGS = join(import.meta.dirname, '../../../test/fixtures/vendor-recordings/openai-responses');

/** A recording as SSE events: one JSON per line, the event name equal to its `type` (when parseable). */
function sseEvents(name: string): SseEvent[] {
  return readFileSync(join(RECORDINGS, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((data) => {
      try {
        const type = (JSON.parse(data) as { type?: string }).type;
        return type ? { event: type, data } : { data };
      } catch {
        return { data };
      }
    });
}

/** Some recordings hold several responses back to back (a multi-step run): one stream each. */
function streams(name: string): SseEvent[][] {
  const out: SseEvent[][] = [];
  for (const ev of sseEvents(name)) {
    if (ev.event === 'response.created' || out.length === 0) out.push([]);
    out[out.length - 1].push(ev);
  }
  return out;
}

function decodeAll(events: SseEvent[]): StreamEvent[] {
  const d = new ResponsesStreamDecoder();
  return [...events.flatMap((e) => d.push(e)), ...d.end()];
}

/** Rebuilds parts from canonical events, checking the event grammar on the way. */
function assemble(events: StreamEvent[]): Part[] {
  expect(events[0]?.type).toBe('start');
  expect(['finish', 'error']).toContain(events[events.length - 1].type);
  expect(events.filter((e) => e.type === 'start')).toHaveLength(1);
  const parts: Part[] = [];
  const args = new Map<number, string>();
  const open = new Set<number>();
  for (const e of events) {
    if (e.type === 'part_start') {
      expect(e.index).toBe(parts.length); // 0,1,2… in order of first appearance
      open.add(e.index);
      if (e.part.type === 'tool_call') {
        parts.push({ type: 'tool_call', id: e.part.id, name: e.part.name, arguments: undefined });
        args.set(e.index, '');
      } else if (e.part.type === 'thinking') parts.push(e.part.redacted ? { type: 'thinking', text: '', redacted: true } : { type: 'thinking', text: '' });
      else parts.push({ type: 'text', text: '' });
    } else if (e.type === 'text_delta' || e.type === 'thinking_delta' || e.type === 'tool_args_delta' || e.type === 'signature') {
      expect(open.has(e.index)).toBe(true);
      const p = parts[e.index];
      if (e.type === 'text_delta' && p.type === 'text') p.text += e.text;
      else if (e.type === 'thinking_delta' && p.type === 'thinking') p.text += e.text;
      else if (e.type === 'signature' && p.type === 'thinking') p.signature = e.signature;
      else if (e.type === 'tool_args_delta') args.set(e.index, (args.get(e.index) ?? '') + e.json);
      else throw new Error(`${e.type} on a ${p.type} part`);
    } else if (e.type === 'part_end') {
      expect(open.delete(e.index)).toBe(true);
    }
  }
  expect(open.size).toBe(0);
  for (const [i, json] of args) (parts[i] as Part & { arguments: unknown }).arguments = JSON.parse(json) as unknown;
  return parts;
}

function withoutSignatureValue(p: Part): Part {
  return p.type === 'thinking' && p.signature ? { ...p, signature: { origin: p.signature.origin, value: 'present' } } : p;
}

/** Recordings whose text deltas do not add up to their own `.done` text (edited by hand upstream). */
const DELTAS_DISAGREE = new Set(['openai-shell-container.1.chunks.txt']);

const chunkFiles = readdirSync(RECORDINGS).filter((f) => f.endsWith('.chunks.txt'));

describe('decode stream: every recorded Responses stream', () => {
  for (const file of chunkFiles) {
    it(`${file} decodes into well-formed events matching the final response`, () => {
      for (const stream of streams(file)) {
        const events = decodeAll(stream);
        const parts = assemble(events);
        const completedEvent = stream.find((e) => e.event === 'response.completed');
        const completed = completedEvent ? (JSON.parse(completedEvent.data) as Record<string, unknown>) : undefined;
        const output = (completed?.response as { output?: unknown[] } | undefined)?.output;
        if (output && output.length > 0 && !DELTAS_DISAGREE.has(file)) {
          // The streamed parts are what the final response object says. Encrypted reasoning is
          // re-encrypted each time OpenAI serializes it (done item vs final output), so only its
          // presence is compared.
          const final = decodeResponse(completed?.response).parts;
          expect(parts.map(withoutSignatureValue)).toEqual(final.map(withoutSignatureValue));
          expect(events[events.length - 1]).toMatchObject({ type: 'finish' });
        }
      }
    });
  }
});

describe('decode stream: specific recordings', () => {
  it('reasoning summary, encrypted content from the done item, then a tool call', () => {
    const [first] = streams('openai-reasoning-encrypted-content.1.chunks.txt');
    const events = decodeAll(first);
    expect(events[0]).toEqual({ type: 'start', id: 'resp_01830d662ab3856501693c321345c88190b0de00f3b9975691', model: 'gpt-5.1-codex-max', created: 1765552659 });
    const parts = assemble(events);
    const done = JSON.parse(first.find((e) => e.data.includes('"response.output_item.done"'))?.data ?? '') as { item: { id: string; encrypted_content: string } };
    expect(parts[0]).toEqual({
      type: 'thinking',
      text: expect.stringMatching(/^\*\*Calculating step-by-step using calculator\*\*\n\nI'll compute 12 plus 7/),
      signature: { origin: 'openai-responses', value: packReasoning(done.item.id, done.item.encrypted_content) },
    });
    expect(parts[1]).toEqual({ type: 'tool_call', id: 'call_AB6AaRZ1FYZB2RwS6A5vbdqn', name: 'calculator', arguments: { a: 12, b: 7, op: 'add' } });
    const tail = events.slice(-2);
    expect(tail[0]).toMatchObject({ type: 'usage', usage: { inputTokens: expect.any(Number) } });
    expect(tail[1]).toMatchObject({ type: 'finish', reason: 'tool_calls', usage: { inputTokens: expect.any(Number) } });
  });

  it('streams text deltas one by one', () => {
    const last = streams('openai-reasoning-encrypted-content.1.chunks.txt')[3];
    const events = decodeAll(last);
    expect(events.filter((e) => e.type === 'text_delta').map((e) => (e.type === 'text_delta' ? e.text : ''))).toEqual([
      'The',
      ' final',
      ' result',
      ' is',
      ' **',
      '570',
      '**',
      '.',
    ]);
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', reason: 'stop' });
  });

  it('follows items by output_index when the item ids change on every event (GitHub Copilot)', () => {
    const parts = assemble(decodeAll(sseEvents('github-copilot-id-rotation.1.chunks.txt')));
    expect(parts.map((p) => p.type)).toEqual(['thinking', 'text']);
    expect(parts[0]).toMatchObject({ text: '**Counting character occurrences**' });
    expect(parts[1]).toMatchObject({ text: expect.stringMatching(/^There are \*\*3\*\* letter/) });
  });

  it('an error event and response.failed become one error', () => {
    const events = decodeAll(sseEvents('openai-error.1.chunks.txt'));
    expect(events.map((e) => e.type)).toEqual(['start', 'error']);
    expect(events[1]).toEqual({
      type: 'error',
      error: { kind: 'rate_limit', status: 429, message: expect.stringMatching(/^You exceeded your current quota/), code: 'insufficient_quota' },
    });
  });

  it('a stream cut before its terminal event ends in an error', () => {
    // The last line of this recording is cut short (invalid JSON), so response.completed never arrives.
    const events = decodeAll(sseEvents('parallel-tool-call-wrapper.1.chunks.txt'));
    const parts = assemble(events);
    expect(parts).toEqual([{ type: 'tool_call', id: 'call_parallel', name: 'parallel', arguments: expect.objectContaining({ tool_uses: expect.any(Array) }) }]);
    expect(events[events.length - 1]).toEqual({
      type: 'error',
      error: { kind: 'upstream_error', status: 502, message: 'upstream stream ended before the response was complete' },
    });
  });

  it('recovers text sent only in .done events and skips empty content parts', () => {
    const events = decodeAll([
      { data: JSON.stringify({ type: 'response.created', response: { id: 'resp_x', model: 'm', created_at: 5 } }) },
      { data: JSON.stringify({ type: 'response.output_item.added', output_index: 0, item: { id: 'msg_1', type: 'message', content: [] } }) },
      { data: JSON.stringify({ type: 'response.content_part.added', output_index: 0, content_index: 0, part: { type: 'output_text', text: '' } }) },
      { data: JSON.stringify({ type: 'response.output_text.done', output_index: 0, content_index: 0, text: 'whole' }) },
      { data: JSON.stringify({ type: 'response.content_part.added', output_index: 0, content_index: 1, part: { type: 'output_text', text: '' } }) },
      { data: JSON.stringify({ type: 'response.content_part.done', output_index: 0, content_index: 1, part: { type: 'output_text', text: '' } }) },
      { data: JSON.stringify({ type: 'response.output_item.done', output_index: 0, item: { id: 'msg_1', type: 'message', content: [{ type: 'output_text', text: 'whole' }, { type: 'output_text', text: '' }] } }) },
      { data: JSON.stringify({ type: 'response.completed', response: { status: 'completed' } }) },
      { data: '[DONE]' },
    ]);
    expect(assemble(events)).toEqual([{ type: 'text', text: 'whole' }]);
  });

  it('maps response.incomplete and a refusal', () => {
    const incomplete = decodeAll([
      { data: JSON.stringify({ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Par' }) },
      {
        data: JSON.stringify({
          type: 'response.incomplete',
          response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: { input_tokens: 3, output_tokens: 16 } },
        }),
      },
    ]);
    expect(assemble(incomplete)).toEqual([{ type: 'text', text: 'Par' }]);
    expect(incomplete[incomplete.length - 1]).toEqual({ type: 'finish', reason: 'length', usage: { inputTokens: 3, outputTokens: 16 } });

    const refusal = decodeAll([
      { data: JSON.stringify({ type: 'response.content_part.added', output_index: 0, content_index: 0, part: { type: 'refusal', refusal: '' } }) },
      { data: JSON.stringify({ type: 'response.refusal.delta', output_index: 0, content_index: 0, delta: 'No.' }) },
      { data: JSON.stringify({ type: 'response.completed', response: { status: 'completed' } }) },
    ]);
    expect(assemble(refusal)).toEqual([{ type: 'text', text: 'No.' }]);
    expect(refusal[refusal.length - 1]).toEqual({ type: 'finish', reason: 'refusal' });
  });

  it('translates items that appear only in the final response', () => {
    const events = decodeAll([
      {
        data: JSON.stringify({
          type: 'response.completed',
          response: { status: 'completed', output: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '{"x":1}' }] },
        }),
      },
    ]);
    expect(assemble(events)).toEqual([{ type: 'tool_call', id: 'c', name: 'f', arguments: { x: 1 } }]);
    expect(events[events.length - 1]).toEqual({ type: 'finish', reason: 'tool_calls' });
  });
});
