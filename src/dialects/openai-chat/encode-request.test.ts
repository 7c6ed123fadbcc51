import { describe, expect, it } from 'vitest';
import type { CanonicalRequest } from '../../canonical/types.js';
import { decodeRequest } from './decode-request.js';
import { encodeReasoningEffort, encodeRequest, isOpenAIModel } from './encode-request.js';

const req = (over: Partial<CanonicalRequest>): CanonicalRequest => ({
  model: 'client-model',
  system: [],
  messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }],
  tools: [],
  stream: false,
  extras: {},
  ...over,
});
const enc = (over: Partial<CanonicalRequest>, model = 'deepseek-chat') => encodeRequest(req(over), { upstreamModel: model });

describe('openai-chat encodeRequest: messages', () => {
  it('system blocks → one leading system message; in-conversation system kept in place', () => {
    const body = enc({
      system: [{ type: 'text', text: 'A', cacheControl: { type: 'ephemeral' } }, { type: 'text', text: 'B' }],
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'hi' }] },
        { role: 'system', parts: [{ type: 'text', text: 'env' }] },
      ],
    });
    expect(body.model).toBe('deepseek-chat');
    expect(body.messages).toEqual([
      { role: 'system', content: 'A\n\nB' },
      { role: 'user', content: 'hi' },
      { role: 'system', content: 'env' },
    ]);
  });

  it('assistant thinking → reasoning_content (only when the turn had thinking); calls stringified', () => {
    const body = enc({
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'weather?' }] },
        {
          role: 'assistant',
          parts: [
            { type: 'thinking', text: 'Use the tool.', signature: { origin: 'anthropic', value: 'sig' } },
            { type: 'tool_call', id: 'toolu_1', name: 'weather', arguments: { city: 'Paris' } },
          ],
        },
        { role: 'user', parts: [{ type: 'tool_result', callId: 'toolu_1', content: [{ type: 'text', text: 'sunny' }] }] },
        { role: 'assistant', parts: [{ type: 'text', text: 'Sunny.' }] },
        { role: 'assistant', parts: [{ type: 'thinking', text: '', redacted: true }, { type: 'text', text: 'x' }] },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: null,
        reasoning_content: 'Use the tool.',
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
      { role: 'assistant', content: 'Sunny.' },
      { role: 'assistant', content: 'x', reasoning_content: '' },
    ]);
  });

  it('tool results first (one tool message each), then images in a user message with a note, then the rest', () => {
    const body = enc({
      messages: [
        {
          role: 'assistant',
          parts: [
            { type: 'tool_call', id: 'a', name: 'screenshot', arguments: {} },
            { type: 'tool_call', id: 'b', name: 'ls', arguments: {} },
          ],
        },
        {
          role: 'user',
          parts: [
            {
              type: 'tool_result',
              callId: 'a',
              name: 'screenshot',
              content: [{ type: 'text', text: 'captured' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBO' } }],
            },
            { type: 'tool_result', callId: 'b', content: [{ type: 'text', text: 'a.txt' }, { type: 'text', text: 'b.txt' }], isError: false },
            { type: 'text', text: 'What do you see?' },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'a', type: 'function', function: { name: 'screenshot', arguments: '{}' } },
          { id: 'b', type: 'function', function: { name: 'ls', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'a', content: 'captured' },
      { role: 'tool', tool_call_id: 'b', content: 'a.txt\nb.txt' },
      {
        role: 'user',
        content: [
          { type: 'text', text: '[Attachments returned by tool call a (screenshot)]' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBO' } },
          { type: 'text', text: 'What do you see?' },
        ],
      },
    ]);
  });

  it('images and documents in user turns', () => {
    const body = enc({
      messages: [
        {
          role: 'user',
          parts: [
            { type: 'text', text: 'read' },
            { type: 'image', source: { kind: 'url', url: 'https://x.test/a.png' }, detail: 'low' },
            { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'UERG' }, title: 'Report' },
            { type: 'document', source: { kind: 'base64', mediaType: 'text/plain', data: Buffer.from('plain words').toString('base64') } },
            { type: 'document', source: { kind: 'file', fileId: 'file-1' } },
            { type: 'document', source: { kind: 'url', url: 'https://x.test/d.pdf' } },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'read' },
          { type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'low' } },
          { type: 'file', file: { filename: 'Report.pdf', file_data: 'data:application/pdf;base64,UERG' } },
          { type: 'text', text: 'plain words' },
          { type: 'file', file: { file_id: 'file-1' } },
          { type: 'text', text: '[Document: https://x.test/d.pdf]' },
        ],
      },
    ]);
  });

  it('unparseable arguments (a string) are sent verbatim', () => {
    const body = enc({ messages: [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'a', name: 'f', arguments: '{"a":' }] }] });
    expect((body.messages as { tool_calls: { function: { arguments: string } }[] }[])[0].tool_calls[0].function.arguments).toBe('{"a":');
  });
});

describe('openai-chat encodeRequest: parameters', () => {
  it('max_completion_tokens for OpenAI model names, max_tokens for compatible servers', () => {
    for (const m of ['o1', 'o3-mini', 'o4-mini', 'gpt-5', 'gpt-5.1-codex', 'gpt-4.1', 'gpt-4o-mini', 'openai/gpt-5', 'chatgpt-4o-latest']) {
      expect(isOpenAIModel(m)).toBe(true);
      expect(enc({ maxTokens: 100 }, m)).toMatchObject({ max_completion_tokens: 100 });
    }
    for (const m of ['deepseek-chat', 'kimi-k2', 'grok-3-mini', 'Qwen/Qwen3-8B', 'gpt-oss-120b', 'openai/gpt-oss-20b']) {
      expect(isOpenAIModel(m)).toBe(false);
      const body = enc({ maxTokens: 100 }, m);
      expect(body.max_tokens).toBe(100);
      expect(body).not.toHaveProperty('max_completion_tokens');
    }
  });

  it('reasoning effort mapping', () => {
    expect(encodeReasoningEffort({ enabled: true, effort: 'xhigh' })).toBe('high');
    expect(encodeReasoningEffort({ enabled: true, effort: 'medium' })).toBe('medium');
    expect(encodeReasoningEffort({ enabled: false, effort: 'none' })).toBe('none');
    expect(encodeReasoningEffort({ enabled: true, effort: 'minimal' })).toBe('minimal');
    expect(encodeReasoningEffort({ enabled: true, budgetTokens: 1024 })).toBe('low');
    expect(encodeReasoningEffort({ enabled: true, budgetTokens: 8000 })).toBe('medium');
    expect(encodeReasoningEffort({ enabled: true, budgetTokens: 31999 })).toBe('high');
    expect(encodeReasoningEffort({ enabled: false })).toBeUndefined();
    expect(encodeReasoningEffort({ enabled: true })).toBeUndefined();
    expect(enc({ reasoning: { enabled: true, effort: 'low' } })).toMatchObject({ reasoning_effort: 'low' });
  });

  it('stream → stream_options.include_usage; tool_choice / parallel_tool_calls only with tools', () => {
    const withTools = enc({
      stream: true,
      tools: [{ name: 'f', description: 'F', parameters: { type: 'object' }, strict: true }, { name: 'g', parameters: { type: 'object' }, strict: false }],
      toolChoice: { type: 'tool', name: 'f' },
      parallelToolCalls: false,
    });
    expect(withTools).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      tools: [
        { type: 'function', function: { name: 'f', description: 'F', parameters: { type: 'object' }, strict: true } },
        { type: 'function', function: { name: 'g', parameters: { type: 'object' } } },
      ],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
    });
    const noTools = enc({ toolChoice: { type: 'none' }, parallelToolCalls: true });
    expect(noTools).not.toHaveProperty('tool_choice');
    expect(noTools).not.toHaveProperty('parallel_tool_calls');
    expect(noTools).not.toHaveProperty('stream');
    expect(enc({ tools: [{ name: 'f', parameters: {} }], toolChoice: { type: 'required' } }).tool_choice).toBe('required');
  });

  it('sampling knobs, stop, seed, n, penalties, user, response formats; topK dropped', () => {
    const body = enc({
      temperature: 0.5,
      topP: 0.8,
      topK: 40,
      stop: ['x'],
      seed: 3,
      n: 2,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      user: 'u',
      responseFormat: { type: 'json_schema', schema: { type: 'object' }, strict: true },
    });
    expect(body).toMatchObject({
      temperature: 0.5,
      top_p: 0.8,
      stop: ['x'],
      seed: 3,
      n: 2,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      user: 'u',
      response_format: { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object' }, strict: true } },
    });
    expect(body).not.toHaveProperty('top_k');
    expect(enc({ responseFormat: { type: 'json' } }).response_format).toEqual({ type: 'json_object' });
    expect(enc({ responseFormat: { type: 'text' } })).not.toHaveProperty('response_format');
  });

  it('openai-chat extras: OpenAI-only fields to OpenAI, vendor knobs to compatible servers', () => {
    const extras = { 'openai-chat': { service_tier: 'flex', verbosity: 'low', thinking: { type: 'disabled' }, logprobs: true } };
    const toOpenAI = enc({ extras }, 'gpt-5');
    expect(toOpenAI).toMatchObject({ service_tier: 'flex', verbosity: 'low' });
    expect(toOpenAI).not.toHaveProperty('thinking');
    expect(toOpenAI).not.toHaveProperty('logprobs');
    const toDeepSeek = enc({ extras }, 'deepseek-reasoner');
    expect(toDeepSeek).toMatchObject({ thinking: { type: 'disabled' } });
    expect(toDeepSeek).not.toHaveProperty('service_tier');
  });
});

describe('openai-chat: decode → encode round trip', () => {
  it('a chat request survives the trip to an OpenAI upstream', () => {
    const body = {
      model: 'gpt-5',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'user', content: [{ type: 'text', text: 'and this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAA' } }] },
      ],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      tool_choice: 'auto',
      max_completion_tokens: 500,
      reasoning_effort: 'low',
      stream: true,
      stream_options: { include_usage: true },
    };
    const out = encodeRequest(decodeRequest(body, {}), { upstreamModel: 'gpt-5' });
    expect(out).toEqual({
      ...body,
      messages: [{ role: 'system', content: 'Be brief.' }, ...body.messages.slice(1)],
    });
  });
});
