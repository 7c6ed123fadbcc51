import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../canonical/types.js';
import { createStreamDecoder } from './decode-stream.js';
import { createStreamEncoder } from './encode-stream.js';

const REC = join(import.meta.dirname, '../../../test/fixtures/vendor-recordings');

function encode(events: StreamEvent[], includeUsage = true): string {
  const enc = createStreamEncoder({ requestModel: 'client-model', includeUsage });
  let out = '';
  for (const e of events) out += enc.push(e);
  return out + enc.end();
}

function chunksOf(wire: string): unknown[] {
  return wire
    .split('\n\n')
    .filter((f) => f.startsWith('data: '))
    .map((f) => f.slice(6))
    .map((d) => (d === '[DONE]' ? d : JSON.parse(d)));
}

const TOOL_TURN: StreamEvent[] = [
  { type: 'start', id: 'msg_1', model: 'upstream-model', created: 1700000000, usage: { inputTokens: 50 } },
  { type: 'part_start', index: 0, part: { type: 'thinking' } },
  { type: 'thinking_delta', index: 0, text: 'Let me ' },
  { type: 'thinking_delta', index: 0, text: 'check.' },
  { type: 'signature', index: 0, signature: { origin: 'anthropic', value: 'sig' } },
  { type: 'part_end', index: 0 },
  { type: 'part_start', index: 1, part: { type: 'text' } },
  { type: 'text_delta', index: 1, text: 'Checking ' },
  { type: 'text_delta', index: 1, text: 'the weather.' },
  { type: 'part_end', index: 1 },
  { type: 'part_start', index: 2, part: { type: 'tool_call', id: 'toolu_a', name: 'weather' } },
  { type: 'tool_args_delta', index: 2, json: '{"city":' },
  { type: 'tool_args_delta', index: 2, json: '"Paris"}' },
  { type: 'part_end', index: 2 },
  { type: 'part_start', index: 3, part: { type: 'tool_call', id: 'toolu_b', name: 'clock' } },
  { type: 'usage', usage: { outputTokens: 30, reasoningTokens: 4 } },
  // finish while part 3 is still open and never got arguments
  { type: 'finish', reason: 'tool_calls', usage: { inputTokens: 50, outputTokens: 31, cachedInputTokens: 10, reasoningTokens: 4 } },
];

describe('openai-chat stream encoder: wire', () => {
  it('emits exactly the chunk sequence OpenAI sends', () => {
    const chunks = chunksOf(encode(TOOL_TURN));
    const env = { id: 'chatcmpl-msg_1', object: 'chat.completion.chunk', created: 1700000000, model: 'client-model' };
    const c = (delta: unknown, finish: string | null = null) => ({ ...env, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null });
    expect(chunks).toEqual([
      c({ role: 'assistant', content: '' }),
      c({ reasoning_content: 'Let me ' }),
      c({ reasoning_content: 'check.' }),
      c({ content: 'Checking ' }),
      c({ content: 'the weather.' }),
      c({ tool_calls: [{ index: 0, id: 'toolu_a', type: 'function', function: { name: 'weather', arguments: '' } }] }),
      c({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      c({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      c({ tool_calls: [{ index: 1, id: 'toolu_b', type: 'function', function: { name: 'clock', arguments: '' } }] }),
      c({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }),
      c({}, 'tool_calls'),
      {
        ...env,
        choices: [],
        usage: {
          prompt_tokens: 50,
          completion_tokens: 31,
          total_tokens: 81,
          prompt_tokens_details: { cached_tokens: 10 },
          completion_tokens_details: { reasoning_tokens: 4 },
        },
      },
      '[DONE]',
    ]);
  });

  it('without include_usage: no usage field, no usage chunk', () => {
    const chunks = chunksOf(encode(TOOL_TURN, false));
    expect(chunks.at(-1)).toBe('[DONE]');
    expect(chunks.at(-2)).toMatchObject({ choices: [{ finish_reason: 'tool_calls' }] });
    for (const c of chunks.slice(0, -1)) expect(c).not.toHaveProperty('usage');
  });

  it('error → {"error":…} frame and no [DONE]', () => {
    const wire = encode([
      { type: 'start', id: 'x', model: 'm', created: 1 },
      { type: 'text_delta', index: 0, text: 'Hel' },
      { type: 'error', error: { kind: 'overloaded', status: 529, message: 'Overloaded' } },
    ]);
    const chunks = chunksOf(wire);
    expect(chunks.at(-1)).toEqual({ error: { message: 'Overloaded', type: 'server_error', param: null, code: null } });
    expect(wire).not.toContain('[DONE]');
  });

  it('finish error → error frame, not a stop; refusal without text → refusal delta then stop', () => {
    const err = chunksOf(encode([{ type: 'text_delta', index: 0, text: 'partial' }, { type: 'finish', reason: 'error' }]));
    expect(err.at(-1)).toMatchObject({ error: { type: 'api_error' } });
    const refusal = chunksOf(encode([{ type: 'start', id: 'x', model: 'm', created: 1 }, { type: 'finish', reason: 'refusal' }], false));
    expect(refusal.slice(1, 3)).toMatchObject([
      { choices: [{ delta: { refusal: 'The model declined to respond.' }, finish_reason: null }] },
      { choices: [{ delta: {}, finish_reason: 'stop' }] },
    ]);
  });

  it('lazily starts the stream and parts that never got part_start', () => {
    const chunks = chunksOf(
      encode([
        { type: 'text_delta', index: 0, text: 'a' },
        { type: 'tool_args_delta', index: 1, json: '{"x":1}' },
        { type: 'finish', reason: 'tool_calls' },
      ]),
    ) as { id: string; choices: { delta: Record<string, unknown> }[] }[];
    expect(chunks[0].id).toMatch(/^chatcmpl-/);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks[2].choices[0].delta).toMatchObject({ tool_calls: [{ index: 0, type: 'function', function: { name: '', arguments: '' } }] });
    expect(chunks[3].choices[0].delta).toEqual({ tool_calls: [{ index: 0, function: { arguments: '{"x":1}' } }] });
  });
});

// ---------------------------------------------------------------------------------------------
// The official SDK consumes what we serve.

describe('openai-chat stream encoder: the openai SDK', () => {
  let server: Server;
  let client: OpenAI;
  let next: () => string = () => '';
  let lastBody: unknown;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString()));
      req.on('end', () => {
        lastBody = JSON.parse(raw);
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.end(next());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    client = new OpenAI({ apiKey: 'test', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const params = {
    model: 'client-model',
    messages: [{ role: 'user' as const, content: 'weather in Paris?' }],
    tools: [
      { type: 'function' as const, function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
      { type: 'function' as const, function: { name: 'clock', parameters: { type: 'object', properties: {} } } },
    ],
  };

  it('create({stream:true, include_usage}) yields content, tool calls, finish and the usage chunk', async () => {
    next = () => encode(TOOL_TURN, true);
    const stream = await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
    let content = '';
    const args: string[] = [];
    let finish: string | null = null;
    let usage: unknown;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      content += choice.delta.content ?? '';
      for (const tc of choice.delta.tool_calls ?? []) args[tc.index] = (args[tc.index] ?? '') + (tc.function?.arguments ?? '');
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    expect(lastBody).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(content).toBe('Checking the weather.');
    expect(args.map((a) => JSON.parse(a))).toEqual([{ city: 'Paris' }, {}]);
    expect(finish).toBe('tool_calls');
    expect(usage).toMatchObject({ prompt_tokens: 50, completion_tokens: 31, total_tokens: 81 });
  });

  it('chat.completions.stream(...).finalChatCompletion() assembles the turn', async () => {
    next = () => encode(TOOL_TURN, true);
    const final = await client.chat.completions
      .stream({ ...params, stream_options: { include_usage: true } })
      .finalChatCompletion();
    expect(final.id).toBe('chatcmpl-msg_1');
    expect(final.model).toBe('client-model');
    const choice = final.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('Checking the weather.');
    expect(choice.message.tool_calls?.map((t) => (t.type === 'function' ? [t.id, t.function.name, JSON.parse(t.function.arguments)] : null))).toEqual([
      ['toolu_a', 'weather', { city: 'Paris' }],
      ['toolu_b', 'clock', {}],
    ]);
    expect(final.usage?.total_tokens).toBe(81);
  });

  it('an in-stream error surfaces as an SDK APIError with our message', async () => {
    next = () =>
      encode([
        { type: 'start', id: 'x', model: 'm', created: 1 },
        { type: 'text_delta', index: 0, text: 'Hel' },
        { type: 'error', error: { kind: 'rate_limit', status: 429, message: 'Slow down' } },
      ]);
    const consume = async () => {
      const stream = await client.chat.completions.create({ ...params, stream: true });
      for await (const _chunk of stream) void _chunk;
    };
    await expect(consume()).rejects.toThrow(/Slow down/);
    await expect(client.chat.completions.stream(params).finalChatCompletion()).rejects.toThrow(/Slow down/);
  });

  // Full relay path: a recorded upstream stream → our decoder → our encoder → the SDK.
  const relay = (file: string): string => {
    const dec = createStreamDecoder();
    const events: StreamEvent[] = [];
    for (const line of readFileSync(join(REC, file), 'utf8').split('\n')) if (line.trim()) events.push(...dec.push({ data: line }));
    events.push(...dec.push({ data: '[DONE]' }), ...dec.end());
    return encode(events, true);
  };

  it('relays deepseek-tool-call.chunks.txt to the SDK', async () => {
    next = () => relay('deepseek-chat/deepseek-tool-call.chunks.txt');
    const final = await client.chat.completions.stream({ ...params, stream_options: { include_usage: true } }).finalChatCompletion();
    const choice = final.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls?.[0];
    expect(call?.type === 'function' && [call.id, call.function.name, call.function.arguments]).toEqual([
      'call_00_ioIn7yN9p1ZOMNpDLwd4MgAF',
      'weather',
      '{"location": "San Francisco"}',
    ]);
    expect(final.usage).toMatchObject({ prompt_tokens: 339, completion_tokens: 83, prompt_tokens_details: { cached_tokens: 320 } });
  });

  it('relays openai-text.chunks.txt to the SDK byte-for-byte in content', async () => {
    const expected = readFileSync(join(REC, 'openai-chat/openai-text.chunks.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { choices: { delta: { content?: string } }[] })
      .map((c) => c.choices[0]?.delta.content ?? '')
      .join('');
    next = () => relay('openai-chat/openai-text.chunks.txt');
    const final = await client.chat.completions.stream({ model: 'client-model', messages: params.messages }).finalChatCompletion();
    expect(final.choices[0].message.content).toBe(expected);
    expect(final.choices[0].finish_reason).toBe('stop');
  });
});
