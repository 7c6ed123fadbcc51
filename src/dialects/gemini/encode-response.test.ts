import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { wrapSignature } from '../../canonical/signature.js';
import type { CanonicalResponse } from '../../canonical/types.js';
import { decodeRequest } from './decode-request.js';
import { decodeResponse } from './decode-response.js';
import { encodeResponse } from './encode-response.js';

const DIR = new URL('../../../test/fixtures/vendor-recordings/gemini/', import.meta.url);
const recording = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as Record<string, unknown>;

const base: CanonicalResponse = {
  id: 'resp-1',
  model: 'claude-sonnet-4-5',
  created: 1,
  parts: [],
  finishReason: 'stop',
  usage: { inputTokens: 10, outputTokens: 5 },
};

describe('encodeResponse', () => {
  it('text answer: candidates, usage, the model the client asked for', () => {
    expect(encodeResponse({ ...base, parts: [{ type: 'text', text: 'Hi!' }] }, { requestModel: 'gemini-3-pro-preview' })).toEqual({
      candidates: [{ content: { parts: [{ text: 'Hi!' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
      modelVersion: 'gemini-3-pro-preview',
      responseId: 'resp-1',
    });
  });

  it('usage: candidates exclude thoughts, cached input reported', () => {
    const out = encodeResponse({ ...base, usage: { inputTokens: 100, outputTokens: 50, reasoningTokens: 30, cachedInputTokens: 40 } }, { requestModel: 'm' });
    expect(out.usageMetadata).toEqual({ promptTokenCount: 100, candidatesTokenCount: 20, thoughtsTokenCount: 30, cachedContentTokenCount: 40, totalTokenCount: 150 });
  });

  it('tool calls carry their id; signatures are wrapped for foreign origins', () => {
    const out = encodeResponse(
      {
        ...base,
        finishReason: 'tool_calls',
        parts: [
          { type: 'thinking', text: 'Let me check.', signature: { origin: 'anthropic', value: 'ANT' } },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_call', id: 'toolu_01', name: 'weather', arguments: { city: 'Paris' }, signature: { origin: 'gemini', value: 'G' } },
          { type: 'tool_call', id: 'toolu_02', name: 'time', arguments: '{"tz":"CET"}' },
        ],
      },
      { requestModel: 'm' },
    );
    expect(out.candidates![0]).toEqual({
      content: {
        role: 'model',
        parts: [
          { text: 'Let me check.', thought: true, thoughtSignature: wrapSignature({ origin: 'anthropic', value: 'ANT' }, 'gemini') },
          { text: 'Checking.' },
          { functionCall: { id: 'toolu_01', name: 'weather', args: { city: 'Paris' } }, thoughtSignature: 'G' },
          { functionCall: { id: 'toolu_02', name: 'time', args: { tz: 'CET' } } },
        ],
      },
      finishReason: 'STOP',
      index: 0,
    });
  });

  it.each(['google-text.json', 'google-reasoning-gemini3.json', 'google-tool-call.json'])(
    '%s: Gemini -> canonical -> Gemini keeps parts and signatures where they were',
    (file) => {
      const original = recording(file) as { candidates: { content: { parts: Record<string, unknown>[] } }[]; usageMetadata: Record<string, number> };
      const out = encodeResponse(decodeResponse(original), { requestModel: 'gemini-3-pro-preview' });
      const parts = out.candidates![0].content!.parts!;
      const expected = original.candidates[0].content.parts.map((p) =>
        p.functionCall ? { ...p, functionCall: { id: expect.stringMatching(/^gcall_/), ...(p.functionCall as object) } } : p,
      );
      expect(parts).toEqual(expected);
      const { promptTokenCount, candidatesTokenCount, thoughtsTokenCount, totalTokenCount } = original.usageMetadata;
      expect(out.usageMetadata).toEqual({ promptTokenCount, candidatesTokenCount, thoughtsTokenCount, totalTokenCount });
    },
  );

  it('what a Gemini client echoes back decodes to the same canonical parts', () => {
    const res = decodeResponse(recording('google-tool-call.json'));
    const out = encodeResponse(res, { requestModel: 'gemini-3-pro-preview' });
    const req = decodeRequest({ contents: [{ role: 'user', parts: [{ text: 'weather?' }] }, out.candidates![0].content] }, { pathModel: 'gemini-3-pro-preview' });
    expect(req.messages[1].parts).toEqual(res.parts);
  });

  it('content filter with nothing said', () => {
    const out = encodeResponse({ ...base, finishReason: 'content_filter' }, { requestModel: 'm' });
    expect(out.candidates![0]).toEqual({ content: { parts: [], role: 'model' }, finishReason: 'SAFETY', index: 0 });
  });
});
