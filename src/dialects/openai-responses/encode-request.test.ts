import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest } from '../../canonical/types.js';
import { decodeRequest } from './decode-request.js';
import { encodeRequest } from './encode-request.js';
import { packReasoning } from './reasoning-signature.js';

const ctx = { upstreamModel: 'gpt-5.1-codex' };

function request(over: Partial<CanonicalRequest>): CanonicalRequest {
  return { model: 'claude-sonnet-4-5', system: [], messages: [], tools: [], stream: false, extras: {}, ...over };
}

describe('encodeRequest', () => {
  it('sends system as instructions and the history as input items, statelessly', () => {
    const body = encodeRequest(
      request({
        system: [
          { type: 'text', text: 'You are helpful.' },
          { type: 'text', text: 'Be brief.' },
        ],
        messages: [
          { role: 'user', parts: [{ type: 'text', text: 'List files' }] },
          {
            role: 'assistant',
            parts: [
              { type: 'text', text: 'Sure.' },
              { type: 'tool_call', id: 'toolu_01', name: 'bash', arguments: { command: 'ls' } },
            ],
          },
          {
            role: 'user',
            parts: [
              { type: 'tool_result', callId: 'toolu_01', content: [{ type: 'text', text: 'a.txt\n' }] },
              { type: 'text', text: 'And now?' },
            ],
          },
          { role: 'system', parts: [{ type: 'text', text: 'Reminder: stay in the repo.' }] },
        ],
        stream: true,
      }),
      ctx,
    );
    expect(body).toEqual({
      model: 'gpt-5.1-codex',
      instructions: 'You are helpful.\n\nBe brief.',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'List files' }] },
        { type: 'message', role: 'assistant', content: 'Sure.' },
        { type: 'function_call', call_id: 'toolu_01', name: 'bash', arguments: '{"command":"ls"}' },
        { type: 'function_call_output', call_id: 'toolu_01', output: 'a.txt\n' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'And now?' }] },
        { type: 'message', role: 'developer', content: 'Reminder: stay in the repo.' },
      ],
      stream: true,
      store: false,
    });
  });

  it('replays only its own reasoning, with id and encrypted content, and asks for it again', () => {
    const body = encodeRequest(
      request({
        messages: [
          { role: 'user', parts: [{ type: 'text', text: 'q' }] },
          {
            role: 'assistant',
            parts: [
              { type: 'thinking', text: 'Summary.', signature: { origin: 'openai-responses', value: packReasoning('rs_9', 'gAAAA') } },
              { type: 'thinking', text: '', redacted: true, signature: { origin: 'openai-responses', value: 'gBBBB' } },
              { type: 'thinking', text: 'Claude thought', signature: { origin: 'anthropic', value: 'EqQB' } },
              { type: 'thinking', text: 'unsigned' },
              { type: 'text', text: 'a' },
            ],
          },
        ],
      }),
      ctx,
    );
    expect(body.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'q' }] },
      { type: 'reasoning', id: 'rs_9', summary: [{ type: 'summary_text', text: 'Summary.' }], encrypted_content: 'gAAAA' },
      { type: 'reasoning', summary: [], encrypted_content: 'gBBBB' },
      { type: 'message', role: 'assistant', content: 'a' },
    ]);
    expect(body.include).toEqual(['reasoning.encrypted_content']);
    expect(body.store).toBe(false);
  });

  it('sends tools as function tools and maps tool_choice', () => {
    const body = encodeRequest(
      request({
        tools: [
          { name: 'bash', description: 'Run a command', parameters: { type: 'object', properties: { command: { type: 'string' } } } },
          { name: 'strict_one', parameters: { type: 'object', properties: {}, additionalProperties: false }, strict: true },
        ],
        toolChoice: { type: 'tool', name: 'bash' },
        parallelToolCalls: false,
      }),
      ctx,
    );
    expect(body.tools).toEqual([
      { type: 'function', name: 'bash', description: 'Run a command', parameters: { type: 'object', properties: { command: { type: 'string' } } }, strict: false },
      { type: 'function', name: 'strict_one', description: null, parameters: { type: 'object', properties: {}, additionalProperties: false }, strict: true },
    ]);
    expect(body.tool_choice).toEqual({ type: 'function', name: 'bash' });
    expect(body.parallel_tool_calls).toBe(false);
    expect(encodeRequest(request({ toolChoice: { type: 'required' } }), ctx).tool_choice).toBe('required');
  });

  it('maps limits, sampling, reasoning and output format', () => {
    const body = encodeRequest(
      request({
        maxTokens: 1,
        temperature: 0.3,
        topP: 0.8,
        reasoning: { enabled: true, budgetTokens: 8000, includeThoughts: true },
        responseFormat: { type: 'json_schema', schema: { type: 'object' }, strict: true },
        user: 'user_abc_account_def_session_0123456789abcdef0123456789abcdef0123456789',
      }),
      ctx,
    );
    expect(body).toMatchObject({
      max_output_tokens: 16,
      temperature: 0.3,
      top_p: 0.8,
      reasoning: { effort: 'medium', summary: 'auto' },
      text: { format: { type: 'json_schema', name: 'response', schema: { type: 'object' }, strict: true } },
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'user_abc_account_def_session_0123456789abcdef0123456789abcdef0123456789',
    });
    expect(encodeRequest(request({ responseFormat: { type: 'json' } }), ctx).text).toEqual({ format: { type: 'json_object' } });
  });

  it('does not guess an effort when thinking is off, and asks for no encrypted content then', () => {
    const off = encodeRequest(request({ reasoning: { enabled: false } }), ctx);
    expect(off.reasoning).toBeUndefined();
    expect(off.include).toBeUndefined();
    expect(encodeRequest(request({ reasoning: { enabled: false, effort: 'none' } }), ctx).reasoning).toEqual({ effort: 'none' });
    expect(encodeRequest(request({ reasoning: { enabled: true, effort: 'high', includeThoughts: false } }), ctx).reasoning).toEqual({ effort: 'high' });
  });

  it('reuses Responses-only settings of a Responses client', () => {
    const body = encodeRequest(
      request({
        user: 'cache-key-1',
        extras: { 'openai-responses': { prompt_cache_key: 'cache-key-1', metadata: { a: 'b' }, client_metadata: { x: 'y' }, store: true, verbosity: 'low' } },
      }),
      ctx,
    );
    expect(body).toMatchObject({ prompt_cache_key: 'cache-key-1', metadata: { a: 'b' }, text: { verbosity: 'low' }, store: false });
    expect(body.client_metadata).toBeUndefined();
  });

  it('sends images, files and rich tool output as input content', () => {
    const body = encodeRequest(
      request({
        messages: [
          {
            role: 'user',
            parts: [
              { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } },
              { type: 'image', source: { kind: 'url', url: 'https://x/y.png' }, detail: 'low' },
              { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBE' }, title: 'Spec' },
              { type: 'document', source: { kind: 'file', fileId: 'file-1' } },
            ],
          },
          { role: 'assistant', parts: [{ type: 'tool_call', id: 'c', name: 'shot', arguments: {} }] },
          { role: 'user', parts: [{ type: 'tool_result', callId: 'c', isError: false, content: [{ type: 'text', text: 'see' }, { type: 'image', source: { kind: 'file', fileId: 'file-2' } }] }] },
        ],
      }),
      ctx,
    );
    const input = body.input as Record<string, unknown>[];
    expect(input[0].content).toEqual([
      { type: 'input_image', detail: 'auto', image_url: 'data:image/png;base64,AAAA' },
      { type: 'input_image', detail: 'low', image_url: 'https://x/y.png' },
      { type: 'input_file', filename: 'Spec', file_data: 'data:application/pdf;base64,JVBE' },
      { type: 'input_file', file_id: 'file-1' },
    ]);
    expect(input[1]).toEqual({ type: 'function_call', call_id: 'c', name: 'shot', arguments: '{}' });
    expect(input[2]).toEqual({
      type: 'function_call_output',
      call_id: 'c',
      output: [
        { type: 'input_text', text: 'see' },
        { type: 'input_image', detail: 'auto', file_id: 'file-2' },
      ],
    });
  });

  it('passes arguments that never were JSON through as they are', () => {
    const body = encodeRequest(request({ messages: [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{"a":' }] }] }), ctx);
    expect((body.input as Record<string, unknown>[])[0].arguments).toBe('{"a":');
  });
});

describe('encodeRequest: Codex through to a Responses upstream', () => {
  const capture = (file: string): Record<string, unknown>[] =>
    (JSON.parse(readFileSync(join(import.meta.dirname, '../../../test/fixtures/clients', file), 'utf8')) as { requests: { body: Record<string, unknown> }[] }).requests.map(
      (r) => r.body,
    );
  const [first] = capture('codex-exec-responses.json');

  it('keeps the conversation, the flattened tools, the cache key and the reasoning settings', () => {
    const body = encodeRequest(decodeRequest(first, {}), ctx);
    expect(body.instructions).toMatch(/^You are a coding agent running in the Codex CLI/);
    expect(body.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: expect.stringMatching(/^<environment_context>/) }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'say hi' }] },
    ]);
    expect((body.tools as { name: string }[]).map((t) => t.name)).toContain('multi_agent_v1__spawn_agent');
    expect(body).toMatchObject({
      reasoning: { summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      store: false,
      stream: true,
      tool_choice: 'auto',
      parallel_tool_calls: true,
      prompt_cache_key: first.prompt_cache_key,
    });
  });

  it('decodes and re-encodes the 40 KB request well under a millisecond', () => {
    const run = (): unknown => encodeRequest(decodeRequest(first, {}), ctx);
    for (let i = 0; i < 50; i++) run();
    const n = 300;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) run();
    expect((performance.now() - t0) / n).toBeLessThan(1);
  });
});
