import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../canonical/errors.js';
import { wrapSignature } from '../../canonical/signature.js';
import type { ToolCallPart, ToolResultPart } from '../../canonical/types.js';
import { decodeRequest } from './decode-request.js';

const CLIENTS = new URL('../../../test/fixtures/clients/', import.meta.url);

function clientBodies(file: string): Record<string, unknown>[] {
  const capture = JSON.parse(readFileSync(new URL(file, CLIENTS), 'utf8')) as { requests: { body: Record<string, unknown> }[] };
  return capture.requests.map((r) => r.body);
}

const base = { model: 'claude-sonnet-4-5', max_tokens: 1024 };

function decodeError(body: unknown): string {
  try {
    decodeRequest(body, {});
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).kind).toBe('invalid_request');
    return (err as GatewayError).message;
  }
  throw new Error('expected decodeRequest to throw');
}

describe('decodeRequest — Claude Code captures', () => {
  it('claude-code-p-apikey: system blocks, in-place system message, tools, adaptive thinking + effort', () => {
    const [body] = clientBodies('claude-code-p-apikey.json');
    const req = decodeRequest(body, {});
    expect(req.model).toBe('claude-opus-5-5');
    expect(req.maxTokens).toBe(128000);
    expect(req.stream).toBe(true);
    expect(req.system).toHaveLength(3);
    expect(req.system[0].text).toContain('x-anthropic-billing-header');
    expect(req.system[1].cacheControl).toEqual({ type: 'ephemeral' });
    // user, then the system message Claude Code puts after it — kept in place.
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'system']);
    expect(req.messages[0].parts.map((p) => p.type)).toEqual(['text', 'text']);
    expect(req.messages[1].parts[0]).toMatchObject({ type: 'text', cacheControl: { type: 'ephemeral' } });
    expect(req.tools.map((t) => t.name)).toEqual([
      'Agent', 'Bash', 'Edit', 'ListAgents', 'Read', 'ReportFindings', 'ScheduleWakeup', 'Skill', 'ToolSearch', 'Workflow',
      'DeferredToolPlaceholder', 'Write',
    ]);
    expect(req.tools[1].parameters).toMatchObject({ type: 'object' });
    expect(req.reasoning).toEqual({ enabled: true, effort: 'medium', includeThoughts: false });
    expect(req.user).toContain('device_id');
    expect(req.extras.anthropic).toMatchObject({
      thinking_type: 'adaptive',
      thinking_display: 'omitted',
      effort: 'medium',
      deferred_tools: ['DeferredToolPlaceholder'],
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
    });
  });

  it('claude-code-p-tool-roundtrip: tool_use / tool_result with cache_control and string system message', () => {
    const [, body] = clientBodies('claude-code-p-tool-roundtrip.json');
    const req = decodeRequest(body, {});
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'system', 'assistant', 'user']);
    expect(req.messages[1].parts[0].type).toBe('text');
    // The capture trimmed the tool schemas to placeholder strings: they decode as open object schemas.
    expect(req.tools[1]).toMatchObject({ name: 'Bash', parameters: { type: 'object' } });
    const call = req.messages[2].parts[0] as ToolCallPart;
    expect(call).toEqual({
      type: 'tool_call',
      id: 'toolu_41f73cb8701f8986',
      name: 'Bash',
      arguments: { command: 'echo stub-tool-ok', description: 'Print a marker' },
    });
    const result = req.messages[3].parts[0] as ToolResultPart;
    expect(result).toMatchObject({
      type: 'tool_result',
      callId: 'toolu_41f73cb8701f8986',
      name: 'Bash',
      content: [{ type: 'text', text: 'stub-tool-ok' }],
    });
    expect(result.isError).toBeUndefined();
    expect(result.cacheControl).toEqual({ type: 'ephemeral' });
  });

  it('claude-code-p-sonnet: budget thinking', () => {
    const [body] = clientBodies('claude-code-p-sonnet.json');
    const req = decodeRequest(body, {});
    expect(req.reasoning).toEqual({ enabled: true, budgetTokens: 31999, includeThoughts: false });
    expect(req.extras.anthropic).toMatchObject({ thinking_type: 'enabled' });
    expect(req.messages[0].parts.at(-1)).toMatchObject({ text: 'say hi', cacheControl: { type: 'ephemeral' } });
  });

  it('decodes the whole Claude Code request in well under 1 ms', () => {
    const bodies = [...clientBodies('claude-code-p-tool-roundtrip.json'), ...clientBodies('claude-code-p-sonnet.json')];
    for (let i = 0; i < 200; i++) for (const b of bodies) decodeRequest(b, {});
    const n = 500;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) for (const b of bodies) decodeRequest(b, {});
    const perRequest = (performance.now() - t0) / (n * bodies.length);
    expect(perRequest).toBeLessThan(0.2);
  });
});

describe('decodeRequest — content blocks', () => {
  it('images, documents, tool results with blocks, thinking, redacted thinking, server blocks', () => {
    const req = decodeRequest(
      {
        ...base,
        system: 'Be brief.',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
              { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
              { type: 'image', source: { type: 'file', file_id: 'file_1' }, cache_control: { type: 'ephemeral' } },
              { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' }, title: 'Spec' },
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain words' }, title: 'Notes' },
              { type: 'document', source: { type: 'url', url: 'https://x/doc.pdf' } },
              { type: 'text', text: 'What do these say?', citations: [] },
            ],
          },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Let me look.', signature: 'sig-native' },
              { type: 'redacted_thinking', data: 'opaque-data' },
              { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
              { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_1', name: 'look', input: { q: 1 } },
            ],
          },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 'toolu_1',
                is_error: true,
                content: [
                  { type: 'text', text: 'failed' },
                  { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/' } },
                ],
              },
            ],
          },
        ],
      },
      {},
    );
    expect(req.system).toEqual([{ type: 'text', text: 'Be brief.' }]);
    const [u, a, r] = req.messages;
    expect(u.parts).toEqual([
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBOR' } },
      { type: 'image', source: { kind: 'url', url: 'https://x/y.png' } },
      { type: 'image', source: { kind: 'file', fileId: 'file_1' }, cacheControl: { type: 'ephemeral' } },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' }, title: 'Spec' },
      { type: 'text', text: 'Notes\n\nplain words' },
      { type: 'document', source: { kind: 'url', url: 'https://x/doc.pdf' } },
      { type: 'text', text: 'What do these say?' },
    ]);
    expect(a.parts).toEqual([
      { type: 'thinking', text: 'Let me look.', signature: { origin: 'anthropic', value: 'sig-native' } },
      { type: 'thinking', text: '', redacted: true, signature: { origin: 'anthropic', value: 'opaque-data' } },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_call', id: 'toolu_1', name: 'look', arguments: { q: 1 } },
    ]);
    expect(r.parts).toEqual([
      {
        type: 'tool_result',
        callId: 'toolu_1',
        name: 'look',
        isError: true,
        content: [
          { type: 'text', text: 'failed' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/' } },
        ],
      },
    ]);
  });

  it('foreign signatures are unwrapped; an empty thinking block with a Gemini signature goes back onto its tool_use', () => {
    const gemini = wrapSignature({ origin: 'gemini', value: 'g-sig' }, 'anthropic');
    const responses = wrapSignature({ origin: 'openai-responses', value: 'enc' }, 'anthropic');
    const req = decodeRequest(
      {
        ...base,
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: [
              { type: 'redacted_thinking', data: responses },
              { type: 'thinking', thinking: '', signature: gemini },
              { type: 'tool_use', id: 'call_1', name: 'f', input: {} },
              { type: 'thinking', thinking: '', signature: '' },
            ],
          },
        ],
      },
      {},
    );
    expect(req.messages[1].parts).toEqual([
      { type: 'thinking', text: '', redacted: true, signature: { origin: 'openai-responses', value: 'enc' } },
      { type: 'tool_call', id: 'call_1', name: 'f', arguments: {}, signature: { origin: 'gemini', value: 'g-sig' } },
      // an empty signature is no signature
      { type: 'thinking', text: '' },
    ]);
  });

  it('leading role:"system" messages join req.system; a string system message later stays in place', () => {
    const req = decodeRequest(
      {
        ...base,
        messages: [
          { role: 'system', content: 'first rules' },
          { role: 'user', content: 'q' },
          { role: 'system', content: 'late rule' },
        ],
      },
      {},
    );
    expect(req.system).toEqual([{ type: 'text', text: 'first rules' }]);
    expect(req.messages).toEqual([
      { role: 'user', parts: [{ type: 'text', text: 'q' }] },
      { role: 'system', parts: [{ type: 'text', text: 'late rule' }] },
    ]);
  });
});

describe('decodeRequest — parameters', () => {
  it('sampling, stop sequences, tool choice, metadata, output format, server tools', () => {
    const req = decodeRequest(
      {
        ...base,
        messages: [{ role: 'user', content: 'x' }],
        temperature: 0.2,
        top_p: 0.9,
        top_k: 40,
        stop_sequences: ['END'],
        metadata: { user_id: 'u-1' },
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
        tools: [
          { name: 'f', description: 'does f', input_schema: { type: 'object' }, strict: true, cache_control: { type: 'ephemeral' } },
          { type: 'custom', name: 'g', input_schema: { type: 'object' } },
          { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
          { type: 'bash_20250124', name: 'bash' },
        ],
        output_config: { format: { type: 'json_schema', schema: { type: 'object' } } },
        service_tier: 'auto',
        mcp_servers: [{ type: 'url', url: 'https://mcp', name: 'm' }],
        container: 'container_1',
        unknown_future_field: 1,
      },
      {},
    );
    expect(req).toMatchObject({
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stop: ['END'],
      user: 'u-1',
      toolChoice: { type: 'required' },
      parallelToolCalls: false,
      responseFormat: { type: 'json_schema', schema: { type: 'object' } },
    });
    expect(req.tools).toEqual([
      { name: 'f', description: 'does f', parameters: { type: 'object' }, strict: true, cacheControl: { type: 'ephemeral' } },
      { name: 'g', parameters: { type: 'object' } },
    ]);
    expect(req.extras.anthropic).toEqual({
      server_tools: [
        { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
        { type: 'bash_20250124', name: 'bash' },
      ],
      service_tier: 'auto',
      mcp_servers: [{ type: 'url', url: 'https://mcp', name: 'm' }],
      container: 'container_1',
    });
    expect(JSON.stringify(req)).not.toContain('unknown_future_field');
  });

  it.each([
    [{ type: 'enabled', budget_tokens: 4000 }, undefined, { enabled: true, budgetTokens: 4000 }],
    [{ type: 'adaptive' }, 'max', { enabled: true, effort: 'xhigh' }],
    [{ type: 'adaptive', display: 'summarized' }, 'high', { enabled: true, effort: 'high', includeThoughts: true }],
    [{ type: 'disabled' }, 'low', { enabled: false }],
    [undefined, 'low', { enabled: true, effort: 'low' }],
  ])('thinking %j + effort %s', (thinking, effort, expected) => {
    const req = decodeRequest(
      { ...base, messages: [{ role: 'user', content: 'x' }], thinking, output_config: effort ? { effort } : undefined },
      {},
    );
    expect(req.reasoning).toEqual(expected);
  });

  it('beta output_format is read too', () => {
    const req = decodeRequest(
      { ...base, messages: [], output_format: { type: 'json_schema', schema: { type: 'object', properties: {} } } },
      {},
    );
    expect(req.responseFormat).toEqual({ type: 'json_schema', schema: { type: 'object', properties: {} } });
  });

  it.each([
    [null, 'request body must be a JSON object'],
    [{ max_tokens: 1, messages: [] }, 'model must be a non-empty string'],
    [{ model: 'm', messages: [] }, 'max_tokens must be a positive integer'],
    [{ ...base }, 'messages must be an array'],
    [{ ...base, messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role must be one of user, assistant, system'],
    [{ ...base, messages: [{ role: 'user', content: 5 }] }, 'messages[0].content must be a string or an array of content blocks'],
    [
      { ...base, messages: [{ role: 'user', content: 'a' }, { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'video' }] }] },
      'messages[1].content[1].type must be one of',
    ],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages[0].content[0].text must be a string'],
    [
      { ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'ftp' } }] }] },
      'messages[0].content[0].source.type must be one of base64, url, file',
    ],
    [
      { ...base, messages: [{ role: 'user', content: [{ type: 'tool_result', content: 'x' }] }] },
      'messages[0].content[0].tool_use_id must be a string',
    ],
    [{ ...base, messages: [], tools: [{ input_schema: {} }] }, 'tools[0].name must be a non-empty string'],
    [{ ...base, messages: [], tool_choice: { type: 'sometimes' } }, 'tool_choice.type must be one of auto, any, tool, none'],
    [{ ...base, messages: [], thinking: { type: 'enabled' } }, 'thinking.budget_tokens must be an integer'],
    [{ ...base, messages: [], output_config: { effort: 'extreme' } }, 'output_config.effort must be one of low, medium, high, xhigh, max'],
    // OpenAI's lower levels are not Anthropic's: its scale starts at low.
    [{ ...base, messages: [], output_config: { effort: 'minimal' } }, 'output_config.effort must be one of low, medium, high, xhigh, max'],
    [{ ...base, messages: [], output_config: { effort: 'none' } }, 'output_config.effort must be one of low, medium, high, xhigh, max'],
    [{ ...base, messages: [], stop_sequences: ['a', 1] }, 'stop_sequences[1] must be a string'],
    [{ ...base, messages: [], temperature: 'hot' }, 'temperature must be a number'],
  ])('rejects %j', (body, message) => {
    expect(decodeError(body)).toContain(message);
  });
});
