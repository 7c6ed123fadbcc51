import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../canonical/errors.js';
import type { CanonicalResponse } from '../../canonical/types.js';
import { encodeResponse } from './encode-response.js';

const base = (over: Partial<CanonicalResponse>): CanonicalResponse => ({
  id: 'msg_01abc',
  model: 'claude-sonnet-4-5',
  created: 1700000000,
  parts: [],
  finishReason: 'stop',
  usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 60, reasoningTokens: 5 },
  ...over,
});
const ctx = { requestModel: 'gpt-4o' };

describe('openai-chat encodeResponse', () => {
  it('text answer: chatcmpl id, client model, usage with details', () => {
    const out = encodeResponse(base({ parts: [{ type: 'text', text: 'Hel' }, { type: 'text', text: 'lo' }] }), ctx);
    expect(out).toEqual({
      id: 'chatcmpl-msg_01abc',
      object: 'chat.completion',
      created: 1700000000,
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: 100,
        completion_tokens: 20,
        total_tokens: 120,
        prompt_tokens_details: { cached_tokens: 60 },
        completion_tokens_details: { reasoning_tokens: 5 },
      },
    });
  });

  it('tool calls only: content null, arguments JSON text, finish tool_calls; thinking → reasoning_content', () => {
    const out = encodeResponse(
      base({
        finishReason: 'tool_calls',
        parts: [
          { type: 'thinking', text: 'Need weather.', signature: { origin: 'anthropic', value: 'sig' } },
          { type: 'tool_call', id: 'toolu_1', name: 'weather', arguments: { city: 'Paris' } },
          { type: 'tool_call', id: 'toolu_2', name: 'noop', arguments: {} },
        ],
      }),
      ctx,
    );
    expect(out.choices[0].message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      reasoning_content: 'Need weather.',
      tool_calls: [
        { id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
        { id: 'toolu_2', type: 'function', function: { name: 'noop', arguments: '{}' } },
      ],
    });
    expect(out.choices[0].finish_reason).toBe('tool_calls');
  });

  it('unparseable upstream arguments (a string) go out verbatim', () => {
    const out = encodeResponse(base({ parts: [{ type: 'tool_call', id: 'a', name: 'f', arguments: '{"a":' }], finishReason: 'tool_calls' }), ctx);
    expect(out.choices[0].message.tool_calls?.[0].function.arguments).toBe('{"a":');
  });

  it('refusal → message.refusal with content null, finish stop', () => {
    const out = encodeResponse(base({ finishReason: 'refusal', parts: [{ type: 'text', text: 'No.' }] }), ctx);
    expect(out.choices[0].message).toEqual({ role: 'assistant', content: null, refusal: 'No.' });
    expect(out.choices[0].finish_reason).toBe('stop');
    const silent = encodeResponse(base({ finishReason: 'refusal', parts: [] }), ctx);
    expect(silent.choices[0].message.refusal).toBe('The model declined to respond.');
  });

  it('pause / other → stop; content_filter / length kept; empty answer → content ""', () => {
    expect(encodeResponse(base({ finishReason: 'pause' }), ctx).choices[0].finish_reason).toBe('stop');
    expect(encodeResponse(base({ finishReason: 'other' }), ctx).choices[0].finish_reason).toBe('stop');
    expect(encodeResponse(base({ finishReason: 'content_filter' }), ctx).choices[0].finish_reason).toBe('content_filter');
    expect(encodeResponse(base({ finishReason: 'length' }), ctx).choices[0].finish_reason).toBe('length');
    expect(encodeResponse(base({}), ctx).choices[0].message.content).toBe('');
  });

  it('finish error → a GatewayError (not a fake stop)', () => {
    expect(() => encodeResponse(base({ finishReason: 'error', parts: [{ type: 'text', text: 'partial' }] }), ctx)).toThrow(GatewayError);
  });

  it('redacted thinking is not exposed; cache writes reported', () => {
    const out = encodeResponse(
      base({ parts: [{ type: 'thinking', text: '', redacted: true, signature: { origin: 'anthropic', value: 'x' } }, { type: 'text', text: 'ok' }], usage: { inputTokens: 10, outputTokens: 1, cacheCreationTokens: 4 } }),
      ctx,
    );
    expect(out.choices[0].message).not.toHaveProperty('reasoning_content');
    expect(out.usage.prompt_tokens_details).toEqual({ cached_tokens: 0, cache_write_tokens: 4 });
  });

  it('keeps an id that is already chatcmpl-', () => {
    expect(encodeResponse(base({ id: 'chatcmpl-abc' }), ctx).id).toBe('chatcmpl-abc');
  });
});
