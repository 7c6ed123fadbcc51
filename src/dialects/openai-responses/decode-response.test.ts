import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../canonical/errors.js';
import { decodeResponse } from './decode-response.js';
import { openaiResponsesCodec } from './index.js';
import { packReasoning } from './reasoning-signature.js';

const RECORDINGS = join(import.meta.dirname, '../../../test/fixtures/vendor-recordings/openai-responses');
const recording = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(RECORDINGS, name), 'utf8')) as Record<string, unknown>;

describe('decodeResponse: recorded OpenAI responses', () => {
  it('reasoning with encrypted content, then text', () => {
    const body = recording('openai-reasoning-encrypted-content.1.json');
    const res = decodeResponse(body);
    const reasoning = (body.output as Record<string, string>[])[0];
    expect(res).toMatchObject({ id: body.id, model: 'gpt-5-mini-2025-08-07', created: body.created_at, finishReason: 'stop' });
    expect(res.parts).toHaveLength(2);
    expect(res.parts[0]).toEqual({
      type: 'thinking',
      text: expect.stringMatching(/^\*\*Reporting final result\*\*/),
      signature: { origin: 'openai-responses', value: packReasoning(reasoning.id, reasoning.encrypted_content) },
    });
    expect(res.parts[1]).toEqual({ type: 'text', text: '12 + 7 = 19\n19 × 3 = 57\n57 × 10 = 570\n\nFinal result: 570' });
    expect(res.usage).toEqual({ inputTokens: 865, outputTokens: 163, cachedInputTokens: 0, reasoningTokens: 128 });
  });

  it('a function call finishes with tool_calls', () => {
    const res = decodeResponse(recording('openai-client-tool-search.2.json'));
    expect(res.parts).toEqual([
      { type: 'tool_call', id: 'call_heVrRaKZEJbsRvHvaEf5BLUI', name: 'get_weather', arguments: { location: 'San Francisco, CA', unit: 'fahrenheit' } },
    ]);
    expect(res.finishReason).toBe('tool_calls');
  });

  it('skips built-in tool items and empty reasoning, reads cached tokens', () => {
    // The reasoning items here have neither summary nor encrypted content (not requested): nothing to keep.
    const res = decodeResponse(recording('openai-web-search-tool.1.json'));
    expect(res.parts.map((p) => p.type)).toEqual(['text']);
    expect(res.usage).toEqual({ inputTokens: 19681, outputTokens: 3773, cachedInputTokens: 3712, reasoningTokens: 3136 });
  });

  it('a custom (free-form) tool call has no canonical form and is dropped', () => {
    const res = decodeResponse(recording('openai-custom-tool.1.json'));
    expect(res.parts).toEqual([]);
    expect(res.finishReason).toBe('stop');
  });

  it('commentary and final answer messages both become text', () => {
    const res = decodeResponse(recording('openai-phase.1.json'));
    expect(res.parts.map((p) => p.type)).toEqual(['text', 'text']);
  });

  it('maps incomplete and refusal outcomes', () => {
    const base = { id: 'resp_1', object: 'response', created_at: 1, model: 'gpt-5', usage: null };
    const text = { type: 'message', id: 'msg_1', role: 'assistant', status: 'incomplete', content: [{ type: 'output_text', text: 'Par', annotations: [] }] };
    expect(decodeResponse({ ...base, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [text] }).finishReason).toBe('length');
    expect(decodeResponse({ ...base, status: 'incomplete', incomplete_details: { reason: 'content_filter' }, output: [] }).finishReason).toBe('content_filter');
    const refusal = decodeResponse({
      ...base,
      status: 'completed',
      output: [{ type: 'message', id: 'msg_2', role: 'assistant', status: 'completed', content: [{ type: 'refusal', refusal: "I can't help with that." }] }],
    });
    expect(refusal.finishReason).toBe('refusal');
    expect(refusal.parts).toEqual([{ type: 'text', text: "I can't help with that." }]);
    expect(refusal.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
  });

  it('keeps a namespaced function call name flat, like the tool it came from', () => {
    const res = decodeResponse({
      id: 'resp_1',
      status: 'completed',
      output: [{ type: 'function_call', id: 'fc_1', call_id: 'c1', namespace: 'crm', name: 'lookup', arguments: '' }],
    });
    expect(res.parts).toEqual([{ type: 'tool_call', id: 'c1', name: 'crm__lookup', arguments: {} }]);
  });

  it('a failed response becomes an upstream error', () => {
    let err: unknown;
    try {
      decodeResponse({ id: 'r', status: 'failed', output: [], error: { code: 'rate_limit_exceeded', message: 'Slow down. Please try again in 2s.' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ kind: 'rate_limit', status: 429, retryable: true, message: 'Slow down. Please try again in 2s.' });
    expect(() => decodeResponse('nope')).toThrow(/not a Responses API response object/);
  });
});

describe('errors: the Chat Completions error body', () => {
  it('decodes the recorded quota error and re-encodes it', () => {
    const err = openaiResponsesCodec.decodeError(429, recording('openai-error.1.json'), {});
    expect(err).toMatchObject({ kind: 'rate_limit', status: 429, upstream: { type: 'insufficient_quota' } });
    expect(err.message).toMatch(/exceeded your current quota/);
    const rendered = openaiResponsesCodec.encodeError(err);
    expect(rendered.status).toBe(429);
    expect(rendered.body).toMatchObject({ error: { message: err.message, type: 'rate_limit_error', param: null } });
  });

  it('decodes an invalid parameter error', () => {
    const err = openaiResponsesCodec.decodeError(400, recording('reasoning-model-temperature-error.json'), {});
    expect(err).toMatchObject({ kind: 'invalid_request', status: 400, retryable: false });
    expect(err.message).toMatch(/temperature/);
  });
});
