import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../canonical/types.js';
import { SseParser } from '../../util/sse.js';
import { decodeRequest } from './decode-request.js';
import { ResponsesStreamDecoder } from './decode-stream.js';
import { ResponsesStreamEncoder } from './encode-stream.js';
import { encodeRequest } from './encode-request.js';
import { packReasoning } from './reasoning-signature.js';
import { flattenToolName } from './tool-names.js';

const MODEL = 'gpt-5-codex';

function encode(events: StreamEvent[], model = MODEL): string {
  const enc = new ResponsesStreamEncoder({ requestModel: model });
  return events.map((e) => enc.push(e)).join('') + enc.end();
}

interface Frame {
  event?: string;
  data: Record<string, unknown> & { type: string; sequence_number: number };
}

function frames(wire: string): Frame[] {
  const p = new SseParser();
  return [...p.push(wire), ...p.end()].map((e) => ({ event: e.event, data: JSON.parse(e.data) as Frame['data'] }));
}

const START: StreamEvent = { type: 'start', id: 'msg_01ABC', model: 'claude-sonnet-4-5', created: 1_760_000_000 };
const USAGE = { inputTokens: 120, outputTokens: 30, cachedInputTokens: 100, reasoningTokens: 10 };

const textStream: StreamEvent[] = [
  START,
  { type: 'part_start', index: 0, part: { type: 'text' } },
  { type: 'text_delta', index: 0, text: 'Hello' },
  { type: 'text_delta', index: 0, text: ' world' },
  { type: 'part_end', index: 0 },
  { type: 'finish', reason: 'stop', usage: USAGE },
];

const upstreamSignature = { origin: 'openai-responses' as const, value: packReasoning('rs_upstream1', 'gAAAAenc') };
const spawn = flattenToolName('multi_agent_v1', 'spawn_agent');

const toolStream: StreamEvent[] = [
  START,
  { type: 'part_start', index: 0, part: { type: 'thinking' } },
  { type: 'thinking_delta', index: 0, text: 'Need a ' },
  { type: 'thinking_delta', index: 0, text: 'helper.' },
  { type: 'signature', index: 0, signature: upstreamSignature },
  { type: 'part_end', index: 0 },
  { type: 'part_start', index: 1, part: { type: 'text' } },
  { type: 'text_delta', index: 1, text: 'Spawning.' },
  { type: 'part_end', index: 1 },
  { type: 'part_start', index: 2, part: { type: 'tool_call', id: 'call_1', name: spawn } },
  { type: 'tool_args_delta', index: 2, json: '{"task":' },
  { type: 'tool_args_delta', index: 2, json: '"lint"}' },
  { type: 'part_end', index: 2 },
  { type: 'part_start', index: 3, part: { type: 'tool_call', id: 'call_2', name: 'exec_command' } },
  { type: 'part_end', index: 3 },
  { type: 'usage', usage: { inputTokens: 50 } },
  { type: 'finish', reason: 'tool_calls', usage: { inputTokens: 50, outputTokens: 20 } },
];

describe('stream encoder: wire frames', () => {
  it('writes the documented event order with sequence numbers from 0', () => {
    const f = frames(encode(textStream));
    expect(f.map((x) => x.data.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    f.forEach((x, i) => {
      expect(x.data.sequence_number).toBe(i);
      expect(x.event).toBe(x.data.type);
    });
    const created = f[0].data.response as Record<string, unknown>;
    expect(created).toMatchObject({ id: 'resp_msg_01ABC', object: 'response', status: 'in_progress', model: MODEL, output: [] });
    expect(created.usage).toBeUndefined();
    const item = f[8].data.item as Record<string, unknown>;
    expect(item).toEqual({
      id: (f[2].data.item as { id: string }).id,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'Hello world', annotations: [], logprobs: [] }],
    });
    const done = f[9].data.response as Record<string, unknown>;
    expect(done).toMatchObject({ id: 'resp_msg_01ABC', status: 'completed', model: MODEL, output: [item], error: null, incomplete_details: null });
    expect(done.usage).toEqual({
      input_tokens: 120,
      input_tokens_details: { cached_tokens: 100, cache_write_tokens: 0 },
      output_tokens: 30,
      output_tokens_details: { reasoning_tokens: 10 },
      total_tokens: 150,
    });
  });

  it('reasoning, text and function calls: stable ids, namespace split back, encrypted content', () => {
    const f = frames(encode(toolStream));
    expect(f.map((x) => x.data.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const added = f.filter((x) => x.data.type === 'response.output_item.added').map((x) => x.data);
    const done = f.filter((x) => x.data.type === 'response.output_item.done').map((x) => x.data);
    expect(added.map((a) => a.output_index)).toEqual([0, 1, 2, 3]);
    expect(done.map((d) => (d.item as { id: string }).id)).toEqual(added.map((a) => (a.item as { id: string }).id));
    for (const x of f) {
      if (typeof x.data.item_id === 'string') expect(x.data.item_id).toBe((added[x.data.output_index as number].item as { id: string }).id);
    }
    expect(added[0].item).toEqual({ id: expect.stringMatching(/^rs_/), type: 'reasoning', summary: [] });
    expect(done[0].item).toEqual({
      id: (added[0].item as { id: string }).id,
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'Need a helper.' }],
      encrypted_content: upstreamSignature.value,
    });
    expect(added[2].item).toMatchObject({ type: 'function_call', status: 'in_progress', call_id: 'call_1', name: 'spawn_agent', namespace: 'multi_agent_v1', arguments: '' });
    expect(done[2].item).toMatchObject({ type: 'function_call', status: 'completed', call_id: 'call_1', name: 'spawn_agent', namespace: 'multi_agent_v1', arguments: '{"task":"lint"}' });
    expect(f[18].data).toMatchObject({ name: 'spawn_agent', arguments: '{"task":"lint"}' });
    // a call without arguments still streams `{}` so the deltas add up
    expect(f[21].data.delta).toBe('{}');
    expect(done[3].item).toMatchObject({ name: 'exec_command', arguments: '{}' });
    expect((done[3].item as Record<string, unknown>).namespace).toBeUndefined();
    const completed = f[f.length - 1].data.response as { output: unknown[]; usage: { total_tokens: number } };
    expect(completed.output).toEqual(done.map((d) => d.item));
    expect(completed.usage.total_tokens).toBe(70);
  });

  it('starts parts lazily, closes open parts at finish, and keeps interleaved parts apart', () => {
    const f = frames(
      encode([
        { type: 'text_delta', index: 0, text: 'Hi' },
        { type: 'part_start', index: 1, part: { type: 'tool_call', id: 'a', name: 'f' } },
        { type: 'part_start', index: 2, part: { type: 'tool_call', id: 'b', name: 'g' } },
        { type: 'tool_args_delta', index: 1, json: '{"x":' },
        { type: 'tool_args_delta', index: 2, json: '{"y":2}' },
        { type: 'tool_args_delta', index: 1, json: '1}' },
        { type: 'finish', reason: 'tool_calls' },
      ]),
    );
    expect(f[0].data.type).toBe('response.created');
    const completed = f[f.length - 1].data;
    expect(completed.type).toBe('response.completed');
    const output = (completed.response as { output: Record<string, unknown>[] }).output;
    expect(output.map((o) => o.type)).toEqual(['message', 'function_call', 'function_call']);
    expect(output[1]).toMatchObject({ call_id: 'a', arguments: '{"x":1}' });
    expect(output[2]).toMatchObject({ call_id: 'b', arguments: '{"y":2}' });
    expect((completed.response as { usage: { total_tokens: number } }).usage.total_tokens).toBe(0);
  });

  it('max tokens ends with response.incomplete', () => {
    const f = frames(encode([START, { type: 'text_delta', index: 0, text: 'Par' }, { type: 'finish', reason: 'length', usage: USAGE }]));
    const last = f[f.length - 1].data;
    expect(last.type).toBe('response.incomplete');
    expect(last.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, completed_at: null });
  });

  it('an error becomes an error event and response.failed, then nothing more', () => {
    const enc = new ResponsesStreamEncoder({ requestModel: MODEL });
    let wire = enc.push(START) + enc.push({ type: 'text_delta', index: 0, text: 'par' });
    wire += enc.push({ type: 'error', error: { kind: 'rate_limit', status: 429, message: 'Rate limit reached. Please try again in 1.5s.' } });
    expect(enc.push({ type: 'finish', reason: 'stop' })).toBe('');
    expect(enc.end()).toBe('');
    const f = frames(wire);
    const [error, failed] = f.slice(-2).map((x) => x.data);
    expect(error).toMatchObject({
      type: 'error',
      code: 'rate_limit_exceeded',
      message: 'Rate limit reached. Please try again in 1.5s.',
      param: null,
      error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'Rate limit reached. Please try again in 1.5s.' },
    });
    expect(failed).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { code: 'rate_limit_exceeded' }, output: [] } });
  });

  it('tells Codex about context overflow in the code it acts on', () => {
    const f = frames(encode([START, { type: 'error', error: { kind: 'invalid_request', status: 400, message: 'prompt is too long: 210000 tokens > 200000 maximum' } }]));
    expect(f[f.length - 1].data.response).toMatchObject({ error: { code: 'context_length_exceeded' } });
  });

  it("prefers the upstream's own OpenAI code to a guess from the message", () => {
    const failedCode = (error: Extract<StreamEvent, { type: 'error' }>['error']) => {
      const f = frames(encode([START, { type: 'error', error }]));
      return [f[f.length - 2].data.code, (f[f.length - 1].data.response as { error: { code: string } }).error.code];
    };
    // The message says nothing of a quota; the code does (OpenAI sends it; Codex stops retrying on it).
    expect(failedCode({ kind: 'rate_limit', status: 429, message: 'Request limit reached', code: 'insufficient_quota' })).toEqual([
      'insufficient_quota',
      'insufficient_quota',
    ]);
    expect(failedCode({ kind: 'invalid_request', status: 400, message: 'Bad image', code: 'invalid_image_format' })).toEqual([
      'invalid_image_format',
      'invalid_image_format',
    ]);
    // Another dialect's code means nothing to Codex: the guess still finds the context overflow.
    const anthropic = { kind: 'invalid_request', status: 400, message: 'prompt is too long: 210000 tokens > 200000 maximum', code: 'invalid_request_error' } as const;
    expect(failedCode(anthropic)).toEqual(['context_length_exceeded', 'context_length_exceeded']);
    expect(failedCode({ kind: 'rate_limit', status: 429, message: 'Quota exceeded', code: 'RESOURCE_EXHAUSTED' })).toEqual([
      'insufficient_quota',
      'insufficient_quota',
    ]);
  });

  it('a stream that ends without finish fails instead of leaving the client waiting', () => {
    const enc = new ResponsesStreamEncoder({ requestModel: MODEL });
    enc.push(START);
    const f = frames(enc.end());
    expect(f.map((x) => x.data.type)).toEqual(['error', 'response.failed']);
    expect(new ResponsesStreamEncoder({ requestModel: MODEL }).end()).toBe('');
  });

  it('carries a Gemini function-call signature in a reasoning item that comes back attached to the call', () => {
    const sig = { origin: 'gemini' as const, value: 'CiQB0e2Kb3' };
    const wire = encode([
      START,
      { type: 'part_start', index: 0, part: { type: 'tool_call', id: 'call_g', name: 'exec_command' } },
      { type: 'signature', index: 0, signature: sig },
      { type: 'tool_args_delta', index: 0, json: '{"cmd":"ls"}' },
      { type: 'part_end', index: 0 },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    const output = (frames(wire).pop()?.data.response as { output: Record<string, unknown>[] }).output;
    expect(output.map((o) => o.type)).toEqual(['function_call', 'reasoning']);
    // Codex stores the output items and sends them back with the tool result.
    const req = decodeRequest(
      { model: MODEL, input: [{ role: 'user', content: 'ls' }, ...output, { type: 'function_call_output', call_id: 'call_g', output: 'a.txt' }] },
      {},
    );
    expect(req.messages[1].parts).toEqual([{ type: 'tool_call', id: 'call_g', name: 'exec_command', arguments: { cmd: 'ls' }, signature: sig }]);
  });

  it('round trip: what it writes, the stream decoder reads back as the same events', () => {
    const d = new ResponsesStreamDecoder();
    const p = new SseParser();
    const back = [...p.push(encode(toolStream)), ...p.end()].flatMap((e) => d.push(e));
    const kinds = (evs: StreamEvent[]): string[] => evs.filter((e) => e.type !== 'usage').map((e) => e.type);
    // The same events, plus the `{}` arguments the encoder sends for the call that had none.
    const expected = kinds(toolStream);
    expected.splice(expected.lastIndexOf('part_end'), 0, 'tool_args_delta');
    expect(kinds(back)).toEqual(expected);
    expect(back[back.length - 1]).toEqual({ type: 'finish', reason: 'tool_calls', usage: expect.objectContaining({ inputTokens: 50, outputTokens: 20 }) });
    const sig = back.find((e) => e.type === 'signature');
    expect(sig).toMatchObject({ signature: { origin: 'openai-responses' } });
  });

  it('replays a turn: the reasoning goes back upstream with its upstream id and encrypted content', () => {
    const output = (frames(encode(toolStream)).pop()?.data.response as { output: Record<string, unknown>[] }).output;
    const req = decodeRequest({ model: MODEL, input: [{ role: 'user', content: 'go' }, ...output] }, {});
    const body = encodeRequest(req, { upstreamModel: 'gpt-5.1-codex' });
    expect((body.input as unknown[])[1]).toEqual({
      type: 'reasoning',
      id: 'rs_upstream1',
      summary: [{ type: 'summary_text', text: 'Need a helper.' }],
      encrypted_content: 'gAAAAenc',
    });
    expect((body.input as unknown[])[3]).toEqual({ type: 'function_call', call_id: 'call_1', name: spawn, arguments: '{"task":"lint"}' });
  });
});

describe('stream encoder: consumed by the openai SDK', () => {
  let server: Server;
  let client: OpenAI;
  let body = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new OpenAI({ apiKey: 'test', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('responses.create({stream:true}) yields every event', async () => {
    body = encode(textStream);
    const stream = await client.responses.create({ model: MODEL, input: 'hi', stream: true });
    const types: string[] = [];
    let text = '';
    let total = 0;
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'response.output_text.delta') text += ev.delta;
      if (ev.type === 'response.completed') total = ev.response.usage?.total_tokens ?? -1;
    }
    expect(types[0]).toBe('response.created');
    expect(types[types.length - 1]).toBe('response.completed');
    expect(text).toBe('Hello world');
    expect(total).toBe(150);
  });

  it('responses.stream().finalResponse() assembles text', async () => {
    body = encode(textStream);
    const final = await client.responses.stream({ model: MODEL, input: 'hi' }).finalResponse();
    expect(final.output_text).toBe('Hello world');
    expect(final.model).toBe(MODEL);
    expect(final.usage).toMatchObject({ input_tokens: 120, output_tokens: 30, total_tokens: 150 });
  });

  it('responses.stream().finalResponse() assembles reasoning and function calls', async () => {
    body = encode(toolStream);
    const seen: string[] = [];
    const stream = client.responses.stream({ model: MODEL, input: 'hi' });
    stream.on('response.function_call_arguments.delta', (ev) => seen.push(ev.snapshot));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Spawning.');
    const calls = final.output.filter((o) => o.type === 'function_call');
    expect(calls.map((c) => [c.call_id, c.name, c.arguments])).toEqual([
      ['call_1', 'spawn_agent', '{"task":"lint"}'],
      ['call_2', 'exec_command', '{}'],
    ]);
    expect(seen).toEqual(['{"task":', '{"task":"lint"}', '{}']);
    const reasoning = final.output.find((o) => o.type === 'reasoning');
    expect(reasoning).toMatchObject({ summary: [{ type: 'summary_text', text: 'Need a helper.' }], encrypted_content: upstreamSignature.value });
    expect(final.usage?.total_tokens).toBe(70);
  });

  it('an error surfaces as an APIError carrying the message', async () => {
    body = encode([START, { type: 'error', error: { kind: 'overloaded', status: 503, message: 'Upstream overloaded' } }]);
    const stream = await client.responses.create({ model: MODEL, input: 'hi', stream: true });
    await expect(
      (async () => {
        for await (const ev of stream) void ev;
      })(),
    ).rejects.toMatchObject({ message: expect.stringContaining('Upstream overloaded') });
    body = encode([START, { type: 'error', error: { kind: 'overloaded', status: 503, message: 'Upstream overloaded' } }]);
    await expect(client.responses.stream({ model: MODEL, input: 'hi' }).finalResponse()).rejects.toThrow(/Upstream overloaded/);
  });
});
