import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalResponse } from '../../canonical/types.js';
import { encodeResponse } from './encode-response.js';
import { packReasoning } from './reasoning-signature.js';
import { flattenToolName } from './tool-names.js';

const ctx = { requestModel: 'gpt-5-codex' };

const base: CanonicalResponse = {
  id: 'msg_01XYZ',
  model: 'claude-sonnet-4-5-20250929',
  created: 1_760_000_000,
  parts: [],
  finishReason: 'stop',
  usage: { inputTokens: 200, outputTokens: 50, cachedInputTokens: 150, cacheCreationTokens: 20, reasoningTokens: 12 },
};

describe('encodeResponse', () => {
  it('writes a complete Response object with the requested model and usage', () => {
    const res = encodeResponse({ ...base, parts: [{ type: 'text', text: 'Hi!' }] }, ctx);
    expect(res).toMatchObject({
      id: 'resp_msg_01XYZ',
      object: 'response',
      created_at: 1_760_000_000,
      status: 'completed',
      completed_at: expect.any(Number),
      error: null,
      incomplete_details: null,
      model: 'gpt-5-codex',
      parallel_tool_calls: true,
      tool_choice: 'auto',
      tools: [],
    });
    expect(res.output).toEqual([
      { id: expect.stringMatching(/^msg_/), type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hi!', annotations: [], logprobs: [] }] },
    ]);
    expect(res.usage).toEqual({
      input_tokens: 200,
      input_tokens_details: { cached_tokens: 150, cache_write_tokens: 20 },
      output_tokens: 50,
      output_tokens_details: { reasoning_tokens: 12 },
      total_tokens: 250,
    });
    expect('output_text' in res).toBe(false);
  });

  it('orders reasoning, text and calls as they came; text around a call is two messages', () => {
    const flat = flattenToolName('multi_agent_v1', 'wait_agent');
    const res = encodeResponse(
      {
        ...base,
        finishReason: 'tool_calls',
        parts: [
          { type: 'thinking', text: 'Plan.', signature: { origin: 'openai-responses', value: packReasoning('rs_up', 'ENC') } },
          { type: 'text', text: 'One' },
          { type: 'text', text: ' block' },
          { type: 'tool_call', id: 'call_1', name: flat, arguments: { targets: ['a'] } },
          { type: 'text', text: 'After' },
          { type: 'thinking', text: 'Anthropic thought', signature: { origin: 'anthropic', value: 'EqQB' } },
          { type: 'thinking', text: '', redacted: true, signature: { origin: 'anthropic', value: 'RED' } },
        ],
      },
      ctx,
    );
    expect(res.output.map((o) => o.type)).toEqual(['reasoning', 'message', 'function_call', 'message', 'reasoning', 'reasoning']);
    expect(res.output[0]).toEqual({ id: 'rs_up', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Plan.' }], encrypted_content: packReasoning('rs_up', 'ENC') });
    expect(res.output[1]).toMatchObject({ content: [{ text: 'One' }, { text: ' block' }] });
    expect(res.output[2]).toEqual({
      id: expect.stringMatching(/^fc_/),
      type: 'function_call',
      status: 'completed',
      call_id: 'call_1',
      name: 'wait_agent',
      namespace: 'multi_agent_v1',
      arguments: '{"targets":["a"]}',
    });
    expect(res.output[4]).toMatchObject({ summary: [{ text: 'Anthropic thought' }], encrypted_content: 'sy1.a.EqQB' });
    expect(res.output[5]).toMatchObject({ summary: [], encrypted_content: 'sy1.a.RED' });
  });

  it('a refusal is refusal content', () => {
    const res = encodeResponse({ ...base, finishReason: 'refusal', parts: [{ type: 'text', text: 'I cannot help.' }] }, ctx);
    expect(res.output[0]).toMatchObject({ type: 'message', content: [{ type: 'refusal', refusal: 'I cannot help.' }] });
    expect(res.status).toBe('completed');
  });

  it('maps unfinished outcomes to status and incomplete_details', () => {
    expect(encodeResponse({ ...base, finishReason: 'length' }, ctx)).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, completed_at: null });
    expect(encodeResponse({ ...base, finishReason: 'content_filter' }, ctx)).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } });
    expect(encodeResponse({ ...base, finishReason: 'error' }, ctx)).toMatchObject({ status: 'failed', error: { code: 'server_error' } });
    expect(encodeResponse({ ...base, finishReason: 'pause' }, ctx)).toMatchObject({ status: 'completed' });
  });

  it('carries a function-call signature in a reasoning item right after the call', () => {
    const res = encodeResponse(
      { ...base, finishReason: 'tool_calls', parts: [{ type: 'tool_call', id: 'c9', name: 'f', arguments: {}, signature: { origin: 'gemini', value: 'SIG' } }] },
      ctx,
    );
    expect(res.output.map((o) => o.type)).toEqual(['function_call', 'reasoning']);
    expect(res.output[1]).toMatchObject({ summary: [], encrypted_content: expect.stringContaining('c9') });
  });

  it('keeps ids that are already response ids', () => {
    expect(encodeResponse({ ...base, id: 'resp_abc' }, ctx).id).toBe('resp_abc');
    expect(encodeResponse({ ...base, id: 'chatcmpl-9x.y' }, ctx).id).toBe('resp_chatcmpl-9xy');
  });
});

describe('encodeResponse: consumed by the openai SDK', () => {
  let server: Server;
  let client: OpenAI;
  let body: unknown;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new OpenAI({ apiKey: 'test', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('responses.create() gives output_text, calls and usage', async () => {
    body = encodeResponse(
      {
        ...base,
        finishReason: 'tool_calls',
        parts: [
          { type: 'text', text: 'Running it.' },
          { type: 'tool_call', id: 'call_7', name: 'exec_command', arguments: { cmd: 'ls' } },
        ],
      },
      ctx,
    );
    const res = await client.responses.create({ model: 'gpt-5-codex', input: 'ls' });
    expect(res.output_text).toBe('Running it.');
    const call = res.output.find((o) => o.type === 'function_call');
    expect(call).toMatchObject({ call_id: 'call_7', name: 'exec_command', arguments: '{"cmd":"ls"}' });
    expect(res.usage?.total_tokens).toBe(250);
  });
});
