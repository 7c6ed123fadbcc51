import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../canonical/errors.js';
import { decodeResponse } from './decode-response.js';
import { openaiChatCodec } from './index.js';

const REC = join(import.meta.dirname, '../../../test/fixtures/vendor-recordings');
const load = (f: string): unknown => JSON.parse(readFileSync(join(REC, f), 'utf8'));

describe('openai-chat decodeResponse: recordings', () => {
  it('openai-text', () => {
    const res = decodeResponse(load('openai-chat/openai-text.json'));
    expect(res.id).toBe('chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU');
    expect(res.model).toBe('gpt-4.1-nano-2025-04-14');
    expect(res.created).toBe(1770933883);
    expect(res.parts).toHaveLength(1);
    expect(res.parts[0]).toMatchObject({ type: 'text' });
    expect((res.parts[0] as { text: string }).text.startsWith('**Holiday Name:** Galaxy Day')).toBe(true);
    expect(res.finishReason).toBe('stop');
    expect(res.usage).toEqual({ inputTokens: 16, outputTokens: 363, cachedInputTokens: 0, reasoningTokens: 0 });
  });

  it('deepseek-reasoning: reasoning_content → thinking part first', () => {
    const res = decodeResponse(load('deepseek-chat/deepseek-reasoning.json'));
    expect(res.parts.map((p) => p.type)).toEqual(['thinking', 'text']);
    expect((res.parts[0] as { text: string }).text.startsWith('We are asked')).toBe(true);
    expect(res.parts[0]).not.toHaveProperty('signature');
  });

  it('deepseek-json: cached tokens and reasoning tokens', () => {
    const res = decodeResponse(load('deepseek-chat/deepseek-json.json'));
    expect(res.usage).toEqual({ inputTokens: 495, outputTokens: 144, cachedInputTokens: 320, reasoningTokens: 118 });
  });

  it('deepseek-text: length, prompt_cache_hit_tokens as cached fallback', () => {
    const res = decodeResponse(load('deepseek-chat/deepseek-text.json'));
    expect(res.finishReason).toBe('length');
    expect(res.usage.cachedInputTokens).toBe(0);
    const body = load('deepseek-chat/deepseek-text.json') as { usage: Record<string, unknown> };
    delete body.usage.prompt_tokens_details;
    body.usage.prompt_cache_hit_tokens = 7;
    expect(decodeResponse(body).usage.cachedInputTokens).toBe(7);
  });

  it('deepseek-tool-call: empty content dropped, thinking + tool call with parsed args', () => {
    const res = decodeResponse(load('deepseek-chat/deepseek-tool-call.json'));
    expect(res.parts.map((p) => p.type)).toEqual(['thinking', 'tool_call']);
    expect(res.parts[1]).toEqual({
      type: 'tool_call',
      id: 'call_00_9V0vrf86Pc9aelHCJMZqnJBo',
      name: 'weather',
      arguments: { location: 'San Francisco' },
    });
    expect(res.finishReason).toBe('tool_calls');
    expect(res.usage).toEqual({ inputTokens: 339, outputTokens: 92, cachedInputTokens: 320, reasoningTokens: 48 });
  });

  it('xai-text: completion_tokens excludes reasoning there; outputTokens is all output', () => {
    const res = decodeResponse(load('openai-compatible/xai-text.json'));
    expect(res.parts.map((p) => p.type)).toEqual(['thinking', 'text']);
    expect(res.usage).toEqual({ inputTokens: 12, outputTokens: 322, cachedInputTokens: 2, reasoningTokens: 320 });
  });

  it('xai-tool-call', () => {
    const res = decodeResponse(load('openai-compatible/xai-tool-call.json'));
    expect(res.parts[1]).toEqual({ type: 'tool_call', id: 'call_46427107', name: 'weather', arguments: { location: 'San Francisco' } });
    expect(res.finishReason).toBe('tool_calls');
    expect(res.usage.outputTokens).toBe(26 + 255);
  });

  it('the legacy-parameter error recording decodes as a 400 that is not retryable', () => {
    const err = openaiChatCodec.decodeError(400, load('openai-chat/reasoning-model-legacy-parameter-error.json'), {});
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.kind).toBe('invalid_request');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('max_completion_tokens');
  });
});

describe('openai-chat decodeResponse: shapes', () => {
  const wrap = (message: Record<string, unknown>, finish: unknown = 'stop', extra: Record<string, unknown> = {}): unknown => ({
    id: 'x',
    object: 'chat.completion',
    created: 5,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish, ...extra }],
  });

  it('refusal → text part + refusal finish', () => {
    const res = decodeResponse(wrap({ content: null, refusal: "I can't help with that." }));
    expect(res.parts).toEqual([{ type: 'text', text: "I can't help with that." }]);
    expect(res.finishReason).toBe('refusal');
  });

  it('OpenRouter `reasoning`, content_filter, missing usage → zeros', () => {
    const res = decodeResponse(wrap({ content: 'a', reasoning: 'r' }, 'content_filter'));
    expect(res.parts).toEqual([{ type: 'thinking', text: 'r' }, { type: 'text', text: 'a' }]);
    expect(res.finishReason).toBe('content_filter');
    expect(res.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
  });

  it('legacy function_call → tool call with a synthesized id; finish function_call → tool_calls', () => {
    const res = decodeResponse(wrap({ content: null, function_call: { name: 'f', arguments: '{"a":1}' } }, 'function_call'));
    expect(res.parts[0]).toMatchObject({ type: 'tool_call', name: 'f', arguments: { a: 1 } });
    expect((res.parts[0] as { id: string }).id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(res.finishReason).toBe('tool_calls');
  });

  it('invalid JSON arguments are kept verbatim as a string; empty arguments → {}', () => {
    const res = decodeResponse(
      wrap({
        tool_calls: [
          { id: 'a', type: 'function', function: { name: 'f', arguments: '{"a":' } },
          { id: 'b', type: 'function', function: { name: 'g', arguments: '' } },
        ],
      }, 'tool_calls'),
    );
    expect(res.parts).toEqual([
      { type: 'tool_call', id: 'a', name: 'f', arguments: '{"a":' },
      { type: 'tool_call', id: 'b', name: 'g', arguments: {} },
    ]);
  });

  it('server-specific finish reasons; vLLM stop_reason → stopSequence', () => {
    expect(decodeResponse(wrap({ content: 'a' }, 'insufficient_system_resource')).finishReason).toBe('error');
    expect(decodeResponse(wrap({ content: 'a' }, 'eos')).finishReason).toBe('stop');
    expect(decodeResponse(wrap({ content: 'a' }, null)).finishReason).toBe('other');
    expect(decodeResponse(wrap({ content: 'a' }, 'stop', { stop_reason: 'END' })).stopSequence).toBe('END');
  });

  it('a body without choices is an upstream error', () => {
    expect(() => decodeResponse({ id: 'x', choices: [] })).toThrow(GatewayError);
    expect(() => decodeResponse('nope')).toThrow(/malformed/);
  });
});
