import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { wrapSignature } from '../../canonical/signature.js';
import type { StreamEvent } from '../../canonical/types.js';
import { SseParser } from '../../util/sse.js';
import { createStreamDecoder } from './decode-stream.js';
import { createStreamEncoder } from './encode-stream.js';

type Chunk = Record<string, unknown> & {
  candidates?: { content: { parts: Record<string, unknown>[]; role: string }; finishReason?: string; index: number }[];
  usageMetadata?: Record<string, number>;
};

function encode(events: StreamEvent[], geminiSse: boolean): string {
  const enc = createStreamEncoder({ requestModel: 'gemini-client-model', geminiSse });
  return events.map((e) => enc.push(e)).join('') + enc.end();
}

function sseChunks(wire: string): Chunk[] {
  expect(wire.endsWith('\r\n\r\n')).toBe(true);
  return wire
    .split('\r\n\r\n')
    .filter((f) => f !== '')
    .map((f) => {
      expect(f.startsWith('data: ')).toBe(true);
      return JSON.parse(f.slice(6)) as Chunk;
    });
}

const start: StreamEvent = { type: 'start', id: 'resp-9', model: 'upstream', created: 0 };

describe('encode stream', () => {
  it('SSE: a chunk per delta, finishReason and usage on the last one', () => {
    const wire = encode(
      [
        start,
        { type: 'part_start', index: 0, part: { type: 'text' } },
        { type: 'text_delta', index: 0, text: 'Hel' },
        { type: 'text_delta', index: 0, text: 'lo' },
        { type: 'part_end', index: 0 },
        { type: 'usage', usage: { inputTokens: 7 } },
        { type: 'finish', reason: 'stop', usage: { inputTokens: 7, outputTokens: 12, reasoningTokens: 10 } },
      ],
      true,
    );
    expect(wire.startsWith('data: {"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"},"index":0}],"modelVersion":"gemini-client-model","responseId":"resp-9"}\r\n\r\n')).toBe(true);
    const chunks = sseChunks(wire);
    expect(chunks).toHaveLength(3);
    expect(chunks[1].candidates![0].content.parts).toEqual([{ text: 'lo' }]);
    expect(chunks[2]).toEqual({
      candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 2, thoughtsTokenCount: 10, totalTokenCount: 19 },
      modelVersion: 'gemini-client-model',
      responseId: 'resp-9',
    });
  });

  it('JSON array mode: [ … , … ] and [] for an empty stream', () => {
    const wire = encode(
      [start, { type: 'text_delta', index: 0, text: 'a' }, { type: 'text_delta', index: 0, text: 'b' }, { type: 'finish', reason: 'length' }],
      false,
    );
    expect(wire.startsWith('[{')).toBe(true);
    expect(wire.endsWith('\n]')).toBe(true);
    const chunks = JSON.parse(wire) as Chunk[];
    expect(chunks.map((c) => c.candidates![0].content.parts[0].text)).toEqual(['a', 'b', '']);
    expect(chunks[2].candidates![0].finishReason).toBe('MAX_TOKENS');
    expect(chunks[2].usageMetadata).toBeUndefined();
    expect(encode([], false)).toBe('[]');
    expect(encode([], true)).toBe('');
  });

  it('thoughts, lazily started parts, tool calls at part_end, open parts closed by finish', () => {
    const chunks = sseChunks(
      encode(
        [
          start,
          { type: 'thinking_delta', index: 0, text: 'hmm' }, // no part_start
          { type: 'signature', index: 0, signature: { origin: 'anthropic', value: 'SIG' } },
          { type: 'part_end', index: 0 },
          { type: 'part_start', index: 1, part: { type: 'tool_call', id: 'toolu_1', name: 'weather' } },
          { type: 'signature', index: 1, signature: { origin: 'gemini', value: 'G' } },
          { type: 'tool_args_delta', index: 1, json: '{"city":' },
          { type: 'part_start', index: 2, part: { type: 'text' } },
          { type: 'text_delta', index: 2, text: 'Checking' },
          { type: 'tool_args_delta', index: 1, json: '"Paris"}' },
          { type: 'part_start', index: 3, part: { type: 'tool_call', id: 'toolu_2', name: 'noargs' } },
          { type: 'finish', reason: 'tool_calls', usage: { inputTokens: 1, outputTokens: 2 } },
        ],
        true,
      ),
    );
    expect(chunks.map((c) => c.candidates![0].content.parts)).toEqual([
      [{ text: 'hmm', thought: true }],
      [{ text: '', thought: true, thoughtSignature: wrapSignature({ origin: 'anthropic', value: 'SIG' }, 'gemini') }],
      [{ text: 'Checking' }],
      [{ functionCall: { id: 'toolu_1', name: 'weather', args: { city: 'Paris' } }, thoughtSignature: 'G' }],
      [{ functionCall: { id: 'toolu_2', name: 'noargs', args: {} } }],
      [{ text: '' }],
    ]);
    expect(chunks.at(-1)!.candidates![0].finishReason).toBe('STOP');
  });

  it('a signature-only thinking part becomes an empty text part with the signature, as Google sends it', () => {
    const chunks = sseChunks(
      encode(
        [
          start,
          { type: 'text_delta', index: 0, text: 'Answer' },
          { type: 'part_end', index: 0 },
          { type: 'part_start', index: 1, part: { type: 'thinking' } },
          { type: 'signature', index: 1, signature: { origin: 'gemini', value: 'TS' } },
          { type: 'part_end', index: 1 },
          { type: 'finish', reason: 'stop' },
        ],
        true,
      ),
    );
    expect(chunks[1].candidates![0].content.parts).toEqual([{ text: '', thoughtSignature: 'TS' }]);
  });

  it('an error becomes {"error": {code, message, status}} and ends the stream', () => {
    const events: StreamEvent[] = [
      start,
      { type: 'text_delta', index: 0, text: 'partial' },
      { type: 'error', error: { kind: 'rate_limit', status: 429, message: 'slow down' } },
      { type: 'text_delta', index: 0, text: 'ignored' },
    ];
    const chunks = sseChunks(encode(events, true));
    expect(chunks.at(-1)).toEqual({ error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' } });
    expect(chunks).toHaveLength(2);
    const array = JSON.parse(encode(events, false)) as unknown[];
    expect(array.at(-1)).toEqual({ error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' } });
  });
});

describe('recordings: Gemini stream -> canonical -> Gemini stream -> canonical', () => {
  const DIR = new URL('../../../test/fixtures/vendor-recordings/gemini/', import.meta.url);
  const files = readdirSync(DIR).filter((f) => f.endsWith('.chunks.txt'));

  const decodeWire = (wire: string): StreamEvent[] => {
    const parser = new SseParser();
    const dec = createStreamDecoder();
    const out = parser.push(wire).flatMap((e) => dec.push(e));
    return [...out, ...parser.end().flatMap((e) => dec.push(e)), ...dec.end()];
  };
  /** Parts as a client sees them: text joined, calls with parsed args, signatures collected. */
  const summary = (events: StreamEvent[]) => {
    const parts = new Map<number, { type: string; text: string; args: string; name?: string; sig: string[] }>();
    for (const e of events) {
      if (e.type === 'part_start') parts.set(e.index, { type: e.part.type, text: '', args: '', sig: [], ...(e.part.type === 'tool_call' && { name: e.part.name }) });
      if (e.type === 'text_delta' || e.type === 'thinking_delta') parts.get(e.index)!.text += e.text;
      if (e.type === 'tool_args_delta') parts.get(e.index)!.args += e.json;
      if (e.type === 'signature') parts.get(e.index)!.sig.push(e.signature.value);
    }
    const finish = events.find((e) => e.type === 'finish');
    return { parts: [...parts.values()].map((p) => ({ ...p, args: p.args ? (JSON.parse(p.args) as unknown) : undefined })), finish };
  };

  for (const file of files) {
    it(file, () => {
      const upstream = readFileSync(new URL(file, DIR), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => `data: ${l}\r\n\r\n`)
        .join('');
      const first = decodeWire(upstream);
      const wire = encode(first, true);
      const second = decodeWire(wire);
      expect(summary(second)).toEqual(summary(first));
    });
  }
});
