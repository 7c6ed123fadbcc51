import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../canonical/errors.js';
import { decodeRequest } from './decode-request.js';
import { encodeRequest } from './encode-request.js';

const decode = (body: Record<string, unknown>) => decodeRequest({ model: 'gpt-4o', ...body }, {});
const bad = (body: Record<string, unknown>): string => {
  try {
    decode(body);
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    expect((e as GatewayError).status).toBe(400);
    return (e as Error).message;
  }
  throw new Error('expected a 400');
};

describe('openai-chat decodeRequest: messages', () => {
  it('leading system + developer → req.system; a later one → system message in place', () => {
    const req = decode({
      messages: [
        { role: 'system', content: 'S1' },
        { role: 'developer', content: [{ type: 'text', text: 'D1' }] },
        { role: 'user', content: 'hi' },
        { role: 'system', content: 'late' },
        { role: 'user', content: 'again' },
      ],
    });
    expect(req.system).toEqual([{ type: 'text', text: 'S1' }, { type: 'text', text: 'D1' }]);
    expect(req.messages).toEqual([
      { role: 'user', parts: [{ type: 'text', text: 'hi' }] },
      { role: 'system', parts: [{ type: 'text', text: 'late' }] },
      { role: 'user', parts: [{ type: 'text', text: 'again' }] },
    ]);
  });

  it('user parts: text, image http / data URL with detail, file data URL / file_id', () => {
    const req = decode({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,QUJD' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,UERG', filename: 'a.pdf' } },
            { type: 'file', file: { file_id: 'file-123' } },
          ],
        },
      ],
    });
    expect(req.messages[0].parts).toEqual([
      { type: 'text', text: 'look' },
      { type: 'image', source: { kind: 'url', url: 'https://x.test/a.png' }, detail: 'high' },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: 'QUJD' } },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'UERG' }, filename: 'a.pdf' },
      { type: 'document', source: { kind: 'file', fileId: 'file-123' } },
    ]);
  });

  it('input_audio is a clear 400; unknown part types name the field', () => {
    expect(bad({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }] })).toBe(
      'messages[0].content[0]: audio input is not supported by Switchyard',
    );
    expect(bad({ messages: [{ role: 'user', content: 'a' }, { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'video' }] }] })).toBe(
      'messages[1].content[1].type must be one of text, image_url, file',
    );
  });

  it('assistant: reasoning_content / reasoning → thinking first, tool calls parsed, refusal → text', () => {
    const req = decode({
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: '',
          reasoning_content: 'Need the tool.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'assistant', content: [{ type: 'text', text: 'It is ' }, { type: 'text', text: 'sunny.' }], reasoning: 'OpenRouter style' },
        { role: 'assistant', content: null, refusal: 'No.' },
      ],
    });
    expect(req.messages[1]).toEqual({
      role: 'assistant',
      parts: [
        { type: 'thinking', text: 'Need the tool.' },
        { type: 'tool_call', id: 'call_1', name: 'weather', arguments: { city: 'Paris' } },
      ],
    });
    expect(req.messages[2]).toEqual({
      role: 'user',
      parts: [{ type: 'tool_result', callId: 'call_1', name: 'weather', content: [{ type: 'text', text: 'sunny' }] }],
    });
    expect(req.messages[3].parts[0]).toEqual({ type: 'thinking', text: 'OpenRouter style' });
    expect(req.messages[4].parts).toEqual([{ type: 'text', text: 'No.' }]);
  });

  it('invalid tool arguments JSON → 400 naming the field; empty arguments → {}', () => {
    const call = (args: string) => ({
      messages: [{ role: 'user', content: 'x' }, { role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: args } }] }],
    });
    expect(bad(call('{"a":'))).toBe('messages[1].tool_calls[0].function.arguments is not valid JSON');
    expect(decode(call('')).messages[1].parts[0]).toMatchObject({ arguments: {} });
  });

  it('consecutive tool messages merge into one user message; a following user message stays separate', () => {
    const req = decode({
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } },
            { id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'a', content: [{ type: 'text', text: 'A1' }, { type: 'text', text: 'A2' }] },
        { role: 'tool', tool_call_id: 'b', content: '' },
        { role: 'user', content: 'next' },
      ],
    });
    expect(req.messages).toHaveLength(4);
    expect(req.messages[2]).toEqual({
      role: 'user',
      parts: [
        { type: 'tool_result', callId: 'a', name: 'f', content: [{ type: 'text', text: 'A1' }, { type: 'text', text: 'A2' }] },
        { type: 'tool_result', callId: 'b', name: 'g', content: [] },
      ],
    });
    expect(req.messages[3]).toEqual({ role: 'user', parts: [{ type: 'text', text: 'next' }] });
  });

  it('legacy function_call / function role pair up by a stable synthesized id', () => {
    const body = {
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: null, function_call: { name: 'f', arguments: '{"q":1}' } },
        { role: 'function', name: 'f', content: 'done' },
      ],
    };
    const a = decode(body);
    const call = a.messages[1].parts[0] as { id: string };
    expect(a.messages[2].parts[0]).toMatchObject({ type: 'tool_result', callId: call.id, name: 'f' });
    expect(decode(body).messages[1].parts[0]).toEqual(call); // stable across re-sent histories
  });

  it('field-path errors for wrong shapes', () => {
    expect(bad({ messages: 'hi' })).toBe('messages is required (an array of messages)');
    expect(bad({ messages: [{ role: 'bot', content: 'x' }] })).toBe(
      'messages[0].role must be one of system, developer, user, assistant, tool, function',
    );
    expect(bad({ messages: [{ role: 'tool', content: 'x' }] })).toBe('messages[0].tool_call_id must be a string');
    expect(bad({ messages: [{ role: 'user', content: 'x' }], temperature: 'hot' })).toBe('temperature must be a number');
    expect(bad({ messages: [{ role: 'user', content: 'x' }], max_tokens: 1.5 })).toBe('max_tokens must be an integer');
    expect(() => decodeRequest({ messages: [{ role: 'user', content: 'x' }] }, {})).toThrow('model is required');
  });
});

describe('openai-chat decodeRequest: parameters', () => {
  const msgs = [{ role: 'user', content: 'x' }];

  it('tools (non-function types dropped), tool_choice, parallel_tool_calls', () => {
    const req = decode({
      messages: msgs,
      tools: [
        { type: 'function', function: { name: 'f', description: 'F', parameters: { type: 'object', properties: { a: { type: 'string' } } }, strict: true } },
        { type: 'function', function: { name: 'noargs' } },
        { type: 'custom', custom: { name: 'grammar' } },
        { type: 'web_search' },
      ],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
    });
    expect(req.tools).toEqual([
      { name: 'f', description: 'F', parameters: { type: 'object', properties: { a: { type: 'string' } } }, strict: true },
      { name: 'noargs', parameters: { type: 'object', properties: {} } },
    ]);
    expect(req.toolChoice).toEqual({ type: 'tool', name: 'f' });
    expect(req.parallelToolCalls).toBe(false);
    for (const c of ['auto', 'none', 'required'] as const) expect(decode({ messages: msgs, tool_choice: c }).toolChoice).toEqual({ type: c });
    expect(bad({ messages: msgs, tool_choice: 'sometimes' })).toMatch(/^tool_choice must be one of/);
  });

  it('legacy functions + function_call', () => {
    const req = decode({ messages: msgs, functions: [{ name: 'f', parameters: { type: 'object' } }], function_call: { name: 'f' } });
    expect(req.tools).toEqual([{ name: 'f', parameters: { type: 'object' } }]);
    expect(req.toolChoice).toEqual({ type: 'tool', name: 'f' });
  });

  it('sampling, limits, stop, response_format, reasoning, stream, user', () => {
    const req = decode({
      messages: msgs,
      max_tokens: 10,
      max_completion_tokens: 20,
      temperature: 0.2,
      top_p: 0.9,
      stop: 'END',
      seed: 7,
      n: 1,
      presence_penalty: 0.1,
      frequency_penalty: 0.3,
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true, description: 'd' } },
      reasoning_effort: 'high',
      stream: true,
      stream_options: { include_usage: true },
      safety_identifier: 'u-1',
    });
    expect(req).toMatchObject({
      maxTokens: 20,
      temperature: 0.2,
      topP: 0.9,
      stop: ['END'],
      seed: 7,
      n: 1,
      presencePenalty: 0.1,
      frequencyPenalty: 0.3,
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true, description: 'd' },
      reasoning: { enabled: true, effort: 'high' },
      stream: true,
      streamUsage: true,
      user: 'u-1',
    });
    expect(decode({ messages: msgs, max_tokens: 10 }).maxTokens).toBe(10);
    expect(decode({ messages: msgs, stop: ['a', 'b'] }).stop).toEqual(['a', 'b']);
    expect(decode({ messages: msgs, response_format: { type: 'json_object' } }).responseFormat).toEqual({ type: 'json' });
    expect(decode({ messages: msgs, reasoning_effort: 'none' }).reasoning).toEqual({ enabled: false, effort: 'none' });
    expect(decode({ messages: msgs, reasoning_effort: 'max' }).reasoning).toEqual({ enabled: true, effort: 'xhigh' });
    expect(decode({ messages: msgs, user: 'a', prompt_cache_key: 'b' }).user).toBe('a');
    expect(decode({ messages: msgs, stream: false, stream_options: { include_usage: true } }).streamUsage).toBeUndefined();
  });

  it('unknown fields are never an error; notable ones land in extras', () => {
    const req = decode({ messages: msgs, service_tier: 'flex', store: true, verbosity: 'low', thinking: { type: 'enabled' }, frobnicate: 1 });
    expect(req.extras).toEqual({ 'openai-chat': { service_tier: 'flex', store: true, verbosity: 'low', thinking: { type: 'enabled' } } });
  });
});

// ---------------------------------------------------------------------------------------------
// Speed: a Claude Code sized request (≈60 KB, 20 tools), rewritten into chat form.

interface AnthropicBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
}

function claudeCodeAsChat(): Record<string, unknown> {
  const dir = join(import.meta.dirname, '../../../test/fixtures/clients');
  const big = JSON.parse(readFileSync(join(dir, 'claude-code-p-apikey.json'), 'utf8')).requests[0].body;
  const round = JSON.parse(readFileSync(join(dir, 'claude-code-p-tool-roundtrip.json'), 'utf8')).requests[1].body;
  const messages: Record<string, unknown>[] = [
    { role: 'system', content: (big.system as AnthropicBlock[]).map((b) => ({ type: 'text', text: b.text })) },
  ];
  for (const m of [...big.messages, ...round.messages] as { role: string; content: string | AnthropicBlock[] }[]) {
    if (typeof m.content === 'string') {
      messages.push({ role: m.role, content: m.content });
      continue;
    }
    const calls = m.content.filter((b) => b.type === 'tool_use');
    const results = m.content.filter((b) => b.type === 'tool_result');
    const texts = m.content.filter((b) => b.type === 'text').map((b) => ({ type: 'text', text: b.text }));
    for (const r of results) {
      messages.push({ role: 'tool', tool_call_id: r.tool_use_id, content: typeof r.content === 'string' ? r.content : JSON.stringify(r.content) });
    }
    if (m.role === 'assistant') {
      messages.push({
        role: 'assistant',
        content: texts.length ? texts : null,
        tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input) } })),
      });
    } else if (texts.length) messages.push({ role: m.role, content: texts });
  }
  const tools = (big.tools as { name: string; description: string; input_schema: unknown }[]).map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: t.input_schema },
  }));
  while (tools.length < 20) tools.push({ ...tools[tools.length % 12], function: { ...tools[tools.length % 12].function, name: `extra_${tools.length}` } });
  return { model: 'claude-sonnet-4-5', messages, tools, max_tokens: 32000, stream: true, stream_options: { include_usage: true } };
}

describe('openai-chat request codec speed', () => {
  it('decodes and re-encodes a Claude Code sized request in well under 1 ms', () => {
    const body = claudeCodeAsChat();
    expect(JSON.stringify(body).length).toBeGreaterThan(45_000);
    expect((body.tools as unknown[]).length).toBe(20);
    for (let i = 0; i < 200; i++) encodeRequest(decodeRequest(body, {}), { upstreamModel: 'gpt-5' }); // warm up
    const runs = 500;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) encodeRequest(decodeRequest(body, {}), { upstreamModel: 'gpt-5' });
    const perRequest = (performance.now() - t0) / runs;
    expect(perRequest).toBeLessThan(0.5);
  });
});
