import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ToolCallPart } from '../../canonical/types.js';
import { isSynthesizedCallId } from './call-ids.js';
import { decodeResponse } from './decode-response.js';
import { decodeGeminiError } from './errors.js';
import { fromGeminiFinishReason, toGeminiFinishReason } from './map-finish-reason.js';
import { fromGeminiUsage, toGeminiUsage } from './map-usage.js';

const DIR = new URL('../../../test/fixtures/vendor-recordings/gemini/', import.meta.url);
const recording = (name: string): unknown => JSON.parse(readFileSync(new URL(name, DIR), 'utf8'));

describe('decodeResponse: recordings', () => {
  it('covers every non-error *.json recording', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.includes('429'));
    expect(files.sort()).toEqual(['google-reasoning-gemini3.json', 'google-reasoning.json', 'google-text.json', 'google-tool-call-gemini3.json', 'google-tool-call.json']);
  });

  it.each(['google-text.json', 'google-reasoning.json', 'google-reasoning-gemini3.json'])('%s: text with its signature', (file) => {
    const body = recording(file) as { candidates: { content: { parts: { text: string; thoughtSignature: string }[] } }[]; responseId: string; usageMetadata: Record<string, number> };
    const res = decodeResponse(body);
    const part = body.candidates[0].content.parts[0];
    expect(res.id).toBe(body.responseId);
    expect(res.model).toBe('gemini-3-pro-preview');
    expect(res.parts).toEqual([
      { type: 'text', text: part.text },
      { type: 'thinking', text: '', signature: { origin: 'gemini', value: part.thoughtSignature } },
    ]);
    expect(res.finishReason).toBe('stop');
    const u = body.usageMetadata;
    expect(res.usage).toEqual({
      inputTokens: u.promptTokenCount,
      outputTokens: u.candidatesTokenCount + u.thoughtsTokenCount,
      reasoningTokens: u.thoughtsTokenCount,
    });
    // Gemini's own total matches canonical input + output.
    expect(res.usage.inputTokens + res.usage.outputTokens).toBe(u.totalTokenCount);
  });

  it.each(['google-tool-call.json', 'google-tool-call-gemini3.json'])('%s: function call -> tool_calls', (file) => {
    const body = recording(file) as { candidates: { content: { parts: { thoughtSignature: string }[] } }[] };
    const res = decodeResponse(body);
    expect(res.finishReason).toBe('tool_calls');
    expect(res.parts).toHaveLength(1);
    const call = res.parts[0] as ToolCallPart;
    expect(call).toMatchObject({ type: 'tool_call', name: 'weather', arguments: { location: 'San Francisco' } });
    expect(call.signature).toEqual({ origin: 'gemini', value: body.candidates[0].content.parts[0].thoughtSignature });
    expect(isSynthesizedCallId(call.id)).toBe(true);
    // Same response, same id; a different response (other responseId), a different id.
    expect((decodeResponse(body).parts[0] as ToolCallPart).id).toBe(call.id);
    expect((decodeResponse({ ...(body as object), responseId: 'other' }).parts[0] as ToolCallPart).id).not.toBe(call.id);
  });

  it('the 429 recording decodes as a rate limit error', () => {
    const err = decodeGeminiError(429, recording('google-429-retry-info.json'), {});
    expect(err.kind).toBe('rate_limit');
    expect(err.message).toContain('exceeded your current quota');
  });
});

describe('decodeResponse: shapes', () => {
  it('thought parts, function call ids, inline images, code execution dropped', () => {
    const res = decodeResponse({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'thinking about it', thought: true },
              { text: 'Here:' },
              { inlineData: { mimeType: 'image/png', data: 'PNG' } },
              { executableCode: { language: 'PYTHON', code: '1' } },
              { functionCall: { id: 'fc-1', name: 'a', args: { x: 1 } }, thoughtSignature: 'S' },
              { functionCall: { name: 'b' } },
            ],
          },
          finishReason: 'STOP',
        },
      ],
      usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 60, candidatesTokenCount: 10, toolUsePromptTokenCount: 5 },
      createTime: '2026-05-04T20:01:02.264968Z',
    });
    expect(res.parts).toEqual([
      { type: 'thinking', text: 'thinking about it' },
      { type: 'text', text: 'Here:' },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'PNG' } },
      { type: 'tool_call', id: 'fc-1', name: 'a', arguments: { x: 1 }, signature: { origin: 'gemini', value: 'S' } },
      { type: 'tool_call', id: expect.stringMatching(/^gcall_/), name: 'b', arguments: {} },
    ]);
    expect(res.usage).toEqual({ inputTokens: 105, outputTokens: 10, cachedInputTokens: 60 });
    expect(res.created).toBe(Math.floor(Date.parse('2026-05-04T20:01:02Z') / 1000));
    expect(res.id).toMatch(/^gen-/);
  });

  it('a blocked prompt has no candidates -> content_filter', () => {
    const res = decodeResponse({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 } });
    expect(res.finishReason).toBe('content_filter');
    expect(res.parts).toEqual([]);
    expect(res.usage).toEqual({ inputTokens: 8, outputTokens: 0 });
  });

  it('rejects a body that is not an object', () => {
    expect(() => decodeResponse('nope')).toThrow(/not a GenerateContentResponse/);
  });
});

describe('finish reasons', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    [undefined, true, 'tool_calls'],
    ['MAX_TOKENS', false, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['BLOCKLIST', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['SPII', false, 'content_filter'],
    ['IMAGE_SAFETY', false, 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', false, 'error'],
    ['UNEXPECTED_TOOL_CALL', false, 'error'],
    ['LANGUAGE', false, 'other'],
    ['OTHER', false, 'other'],
    ['SOMETHING_NEW', false, 'other'],
  ] as const)('%s (calls: %s) -> %s', (reason, calls, expected) => {
    expect(fromGeminiFinishReason(reason, calls)).toBe(expected);
  });

  it.each([
    ['stop', 'STOP'],
    ['tool_calls', 'STOP'],
    ['pause', 'STOP'],
    ['length', 'MAX_TOKENS'],
    ['content_filter', 'SAFETY'],
    ['refusal', 'SAFETY'],
    ['error', 'OTHER'],
    ['other', 'OTHER'],
  ] as const)('%s -> %s', (reason, expected) => {
    expect(toGeminiFinishReason(reason)).toBe(expected);
  });
});

describe('usage', () => {
  it('round-trips through usageMetadata', () => {
    const meta = { promptTokenCount: 100, cachedContentTokenCount: 40, candidatesTokenCount: 20, thoughtsTokenCount: 30, totalTokenCount: 150 };
    const usage = fromGeminiUsage(meta)!;
    expect(usage).toEqual({ inputTokens: 100, outputTokens: 50, cachedInputTokens: 40, reasoningTokens: 30 });
    expect(toGeminiUsage(usage)).toEqual(meta);
  });

  it('metadata without counts is no usage', () => {
    expect(fromGeminiUsage({ trafficType: 'ON_DEMAND' })).toBeUndefined();
  });
});
