import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../canonical/types.js';
import { SseParser } from '../../util/sse.js';
import { createStreamDecoder } from './decode-stream.js';

const DIR = new URL('../../../test/fixtures/vendor-recordings/gemini/', import.meta.url);
const CHUNK_FILES = readdirSync(DIR).filter((f) => f.endsWith('.chunks.txt')).sort();

function lines(file: string): string[] {
  return readFileSync(new URL(file, DIR), 'utf8').split('\n').filter((l) => l.trim() !== '');
}

/** Feeds a recording through the real SSE parser, as the relay would, in awkward chunk sizes. */
function decodeRecording(file: string): StreamEvent[] {
  const wire = lines(file).map((l) => `data: ${l}\r\n\r\n`).join('');
  const parser = new SseParser();
  const dec = createStreamDecoder();
  const events: StreamEvent[] = [];
  for (let i = 0; i < wire.length; i += 97) for (const e of parser.push(wire.slice(i, i + 97))) events.push(...dec.push(e));
  for (const e of parser.end()) events.push(...dec.push(e));
  events.push(...dec.end());
  return events;
}

interface Assembled {
  parts: { type: string; text: string; name?: string; id?: string; args: string; signatures: number }[];
  finish?: Extract<StreamEvent, { type: 'finish' }>;
  errors: Extract<StreamEvent, { type: 'error' }>[];
}

/** Checks the canonical stream grammar and assembles the parts. */
function assemble(events: StreamEvent[]): Assembled {
  expect(events[0].type).toBe('start');
  const out: Assembled = { parts: [], errors: [] };
  const open = new Set<number>();
  const closed = new Set<number>();
  let terminal = false;
  events.forEach((e, k) => {
    expect(terminal, `event ${k} (${e.type}) after the terminal event`).toBe(false);
    if (e.type === 'part_start') {
      expect(e.index).toBe(out.parts.length); // indexes in order of first appearance
      out.parts.push({ type: e.part.type, text: '', args: '', signatures: 0, ...(e.part.type === 'tool_call' && { name: e.part.name, id: e.part.id }) });
      open.add(e.index);
    } else if (e.type === 'text_delta' || e.type === 'thinking_delta' || e.type === 'tool_args_delta' || e.type === 'signature') {
      expect(open.has(e.index), `${e.type} for part ${e.index} that is not open`).toBe(true);
      const p = out.parts[e.index];
      if (e.type === 'text_delta') {
        expect(p.type).toBe('text');
        p.text += e.text;
      } else if (e.type === 'thinking_delta') {
        expect(p.type).toBe('thinking');
        p.text += e.text;
      } else if (e.type === 'tool_args_delta') {
        expect(p.type).toBe('tool_call');
        p.args += e.json;
      } else {
        expect(e.signature.origin).toBe('gemini');
        p.signatures++;
      }
    } else if (e.type === 'part_end') {
      expect(open.delete(e.index)).toBe(true);
      closed.add(e.index);
    } else if (e.type === 'finish') {
      expect(open.size, 'parts still open at finish').toBe(0);
      out.finish = e;
      terminal = true;
    } else if (e.type === 'error') {
      out.errors.push(e);
      terminal = true;
    }
  });
  return out;
}

describe('decode stream: every recording', () => {
  it('found the recordings', () => {
    expect(CHUNK_FILES).toHaveLength(9);
  });

  for (const file of CHUNK_FILES) {
    it(`${file}: well-formed, finished, usage and arguments complete`, () => {
      const events = decodeRecording(file);
      const { parts, finish, errors } = assemble(events);
      expect(errors).toEqual([]);
      expect(finish).toBeDefined();
      for (const p of parts) if (p.type === 'tool_call') expect(() => JSON.parse(p.args), `${p.name} args: ${p.args}`).not.toThrow();

      // The usage on finish is the last chunk's usageMetadata.
      const last = JSON.parse(lines(file).at(-1)!) as { usageMetadata: Record<string, number> };
      const u = last.usageMetadata;
      expect(finish!.usage).toMatchObject({
        inputTokens: u.promptTokenCount,
        outputTokens: u.candidatesTokenCount + u.thoughtsTokenCount,
        reasoningTokens: u.thoughtsTokenCount,
      });
      // Every signature in the recording reaches the canonical stream.
      const sigs = lines(file).join('\n').match(/"thoughtSignature"/g)?.length ?? 0;
      expect(parts.reduce((n, p) => n + p.signatures, 0)).toBe(sigs);
    });
  }

  it('google-text: one text part, then the trailing signature on its carrier', () => {
    const { parts, finish } = assemble(decodeRecording('google-text.chunks.txt'));
    expect(parts.map((p) => [p.type, p.text, p.signatures])).toEqual([
      ['text', 'There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y', 0],
      ['thinking', '', 1],
    ]);
    expect(finish!.reason).toBe('stop');
  });

  it('google-reasoning-gemini3: text across chunks, usage events as counts change', () => {
    const events = decodeRecording('google-reasoning-gemini3.chunks.txt');
    expect(assemble(events).parts[0].text).toBe('There are **3** "r"s in strawberry.\n\nSt**r**awbe**rr**y');
    const usages = events.filter((e) => e.type === 'usage');
    expect(usages.map((e) => e.type === 'usage' && e.usage.outputTokens)).toEqual([315, 325]);
    expect(events[0]).toMatchObject({ type: 'start', id: 'M3iLaY-AI7zTxN8P3Piw4Qg', model: 'gemini-3-pro-preview' });
  });

  it.each(['google-tool-call.chunks.txt', 'google-tool-call-gemini3.chunks.txt'])('%s: a whole function call', (file) => {
    const { parts, finish } = assemble(decodeRecording(file));
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ type: 'tool_call', name: 'weather', signatures: 1 });
    expect(JSON.parse(parts[0].args)).toEqual({ location: 'San Francisco' });
    expect(finish!.reason).toBe('tool_calls');
  });

  it('google-stream-no-args-tool-call: thought, a call without args, streamed calls', () => {
    const { parts, finish } = assemble(decodeRecording('google-stream-no-args-tool-call.chunks.txt'));
    expect(parts.map((p) => p.type)).toEqual(['thinking', 'tool_call', 'tool_call', 'tool_call', 'tool_call']);
    expect(parts[0].text).toMatch(/^\*\*Processing User Requests\*\*/);
    expect(parts.slice(1).map((p) => [p.name, JSON.parse(p.args)])).toEqual([
      ['read_theme', {}],
      ['read_screen', { id: 'A' }],
      ['read_screen', { id: 'B' }],
      ['read_screen', { id: 'C' }],
    ]);
    expect(new Set(parts.slice(1).map((p) => p.id)).size).toBe(4);
    expect(finish!.reason).toBe('tool_calls');
  });

  it('google-stream-tool-call-arguments: partialArgs stream as JSON fragments', () => {
    const events = decodeRecording('google-stream-tool-call-arguments.chunks.txt');
    const { parts } = assemble(events);
    expect(parts.map((p) => [p.name, JSON.parse(p.args)])).toEqual([
      ['getWeather', { location: 'Boston' }],
      ['getWeather', { location: 'San Francisco' }],
    ]);
    const fragments = events.filter((e) => e.type === 'tool_args_delta' && e.index === 0).map((e) => e.type === 'tool_args_delta' && e.json);
    expect(fragments).toEqual(['{"location":"Boston', '"', '}']);
  });

  it('array arguments with no terminal functionCall chunk', () => {
    const { parts } = assemble(decodeRecording('google-stream-tool-call-array-arguments-missing-terminal-function-call.chunks.txt'));
    expect(parts).toHaveLength(1);
    expect(JSON.parse(parts[0].args)).toEqual({
      operations: [
        { action: 'add', description: 'Fresh red apple', itemid: 'apple_001', price: 0.5 },
        { action: 'add', description: 'Ripe yellow banana', itemid: 'banana_001', price: 0.3 },
      ],
    });
  });

  it('vertex nested arguments', () => {
    const { parts } = assemble(decodeRecording('google-vertex-stream-tool-call-arguments-nested.1.chunks.txt'));
    expect(parts).toHaveLength(1);
    const args = JSON.parse(parts[0].args) as { recipe: { name: string; ingredients: unknown[]; steps: string[] } };
    expect(parts[0].name).toBe('cookRecipe');
    expect(args.recipe.name).toBe('Lasagna');
    expect(args.recipe.ingredients).toHaveLength(10);
    expect(args.recipe.ingredients[0]).toEqual({ amount: '16 oz', name: 'Lasagna noodles' });
    expect(args.recipe.steps).toHaveLength(10);
    expect(args.recipe.steps[1]).toBe('Cook lasagna noodles according to package directions, drain and set aside.');
  });
});

describe('decode stream: endings and errors', () => {
  const push = (chunks: unknown[]) => {
    const dec = createStreamDecoder();
    const events = chunks.flatMap((c) => dec.push({ data: typeof c === 'string' ? c : JSON.stringify(c) }));
    return [...events, ...dec.end()];
  };

  it('a stream without finishReason ends in an error', () => {
    const events = push([{ candidates: [{ content: { parts: [{ text: 'Hel' }] } }] }]);
    expect(events.at(-1)).toEqual({
      type: 'error',
      error: { kind: 'upstream_error', status: 502, message: 'upstream stream ended before the response was complete' },
    });
  });

  it('an empty stream ends in an error', () => {
    expect(push([])).toEqual([{ type: 'error', error: { kind: 'upstream_error', status: 502, message: 'upstream stream ended before the response was complete' } }]);
  });

  it('an {"error": …} chunk becomes an error event and ends the stream', () => {
    const events = push([
      { candidates: [{ content: { parts: [{ text: 'Hi' }] } }] },
      { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } },
      { candidates: [{ content: { parts: [{ text: 'ignored' }] }, finishReason: 'STOP' }] },
    ]);
    expect(events.map((e) => e.type)).toEqual(['start', 'part_start', 'text_delta', 'error']);
    expect(events.at(-1)).toEqual({ type: 'error', error: { kind: 'overloaded', status: 503, message: 'The model is overloaded.', code: 'UNAVAILABLE' } });
  });

  it('a blocked prompt finishes with content_filter', () => {
    const events = push([{ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 3 } }]);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'content_filter', usage: { inputTokens: 3, outputTokens: 0 } });
  });

  it('not-JSON data is an error', () => {
    expect(push(['{oops']).at(-1)).toMatchObject({ type: 'error', error: { kind: 'upstream_error' } });
  });

  it('a streamed JSON array chunk is accepted too', () => {
    const events = push([[{ candidates: [{ content: { parts: [{ text: 'a' }] } }] }, { candidates: [{ content: { parts: [{ text: 'b' }] }, finishReason: 'MAX_TOKENS' }] }]]);
    expect(events.filter((e) => e.type === 'text_delta').map((e) => e.type === 'text_delta' && e.text)).toEqual(['a', 'b']);
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'length' });
  });

  it('thought then text then a call: parts close in order; text after a signature starts a new part', () => {
    const events = push([
      { candidates: [{ content: { parts: [{ text: 'hmm', thought: true }] } }] },
      { candidates: [{ content: { parts: [{ text: 'A', thoughtSignature: 'T1' }] } }] },
      { candidates: [{ content: { parts: [{ text: 'B' }] } }] },
      { candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: { x: 1 } } }] }, finishReason: 'STOP' }] },
    ]);
    const { parts, finish } = assemble(events);
    expect(parts.map((p) => [p.type, p.text, p.signatures])).toEqual([
      ['thinking', 'hmm', 0],
      ['text', 'A', 0],
      ['thinking', '', 1],
      ['text', 'B', 0],
      ['tool_call', '', 0],
    ]);
    expect(finish!.reason).toBe('tool_calls');
  });
});
