import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../canonical/errors.js';
import type { CanonicalRequest, Message } from '../../canonical/types.js';
import { decodeRequest } from './decode-request.js';
import { encodeRequest } from './encode-request.js';
import { modelCapabilities } from './model-capabilities.js';

const CLIENTS = new URL('../../../test/fixtures/clients/', import.meta.url);

function clientBodies(file: string): Record<string, unknown>[] {
  const capture = JSON.parse(readFileSync(new URL(file, CLIENTS), 'utf8')) as { requests: { body: Record<string, unknown> }[] };
  return capture.requests.map((r) => r.body);
}

function canonical(over: Partial<CanonicalRequest>): CanonicalRequest {
  return { model: 'client-model', system: [], messages: [], tools: [], stream: false, extras: {}, ...over };
}

const user = (text: string): Message => ({ role: 'user', parts: [{ type: 'text', text }] });
const assistant = (text: string): Message => ({ role: 'assistant', parts: [{ type: 'text', text }] });

type Body = Record<string, unknown> & { messages: { role: string; content: Record<string, unknown>[] }[] };
const encode = (req: CanonicalRequest, model = 'claude-sonnet-4-5') => encodeRequest(req, { upstreamModel: model }) as Body;

describe('encodeRequest — Claude Code through an Anthropic upstream', () => {
  it('claude-code-p-apikey: folds the system message, adaptive thinking with effort and display', () => {
    const [body] = clientBodies('claude-code-p-apikey.json');
    const out = encode(decodeRequest(body, {}), 'claude-opus-5-5');
    expect(out.model).toBe('claude-opus-5-5');
    expect(out.max_tokens).toBe(128000);
    expect(out.system).toEqual(body.system);
    // user turn + the mid-conversation system message folded into it as text
    expect(out.messages).toHaveLength(1);
    expect(out.messages[0].role).toBe('user');
    expect(out.messages[0].content).toHaveLength(3);
    expect(out.messages[0].content[2]).toMatchObject({ type: 'text', cache_control: { type: 'ephemeral' } });
    expect(String(out.messages[0].content[2].text)).toMatch(/^# Environment/);
    expect(out.thinking).toEqual({ type: 'adaptive', display: 'omitted' });
    expect(out.output_config).toEqual({ effort: 'medium' });
    expect(out.metadata).toEqual({ user_id: (body.metadata as { user_id: string }).user_id });
    expect(out.stream).toBe(true);
    // tools keep schemas and defer_loading; context_management needs a beta header and stays out
    const tools = out.tools as Record<string, unknown>[];
    expect(tools).toHaveLength(12);
    expect(tools[0].input_schema).toEqual((body.tools as { input_schema: unknown }[])[0].input_schema);
    expect(tools.find((t) => t.name === 'DeferredToolPlaceholder')?.defer_loading).toBe(true);
    expect(out).not.toHaveProperty('context_management');
    expect(out).not.toHaveProperty('temperature');
  });

  it('claude-code-p-tool-roundtrip: tool_result keeps cache_control; no thinking without a signed thinking block', () => {
    const [, body] = clientBodies('claude-code-p-tool-roundtrip.json');
    const out = encode(decodeRequest(body, {}), 'claude-opus-5-5');
    expect(out.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(out.messages[1].content).toEqual([
      { type: 'tool_use', id: 'toolu_41f73cb8701f8986', name: 'Bash', input: { command: 'echo stub-tool-ok', description: 'Print a marker' } },
    ]);
    expect(out.messages[2].content).toEqual([
      {
        type: 'tool_result',
        tool_use_id: 'toolu_41f73cb8701f8986',
        content: [{ type: 'text', text: 'stub-tool-ok' }],
        cache_control: { type: 'ephemeral' },
      },
    ]);
    // The assistant tool_use turn has no thinking block: thinking stays off, effort stays.
    expect(out).not.toHaveProperty('thinking');
    expect(out.output_config).toEqual({ effort: 'medium' });
  });

  it('claude-code-p-sonnet: budget thinking to a 4.5 model', () => {
    const [body] = clientBodies('claude-code-p-sonnet.json');
    const out = encode(decodeRequest(body, {}), 'claude-sonnet-4-5-20250929');
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 31999, display: 'omitted' });
    expect(out.max_tokens).toBe(32000);
    expect(out).not.toHaveProperty('output_config');
  });

  it('round trip: what the encoder sends decodes back to the same conversation', () => {
    const [, body] = clientBodies('claude-code-p-tool-roundtrip.json');
    const first = decodeRequest(body, {});
    const again = decodeRequest(encodeRequest(first, { upstreamModel: 'claude-opus-5-5' }), {});
    expect(again.system).toEqual(first.system);
    expect(again.tools).toEqual(first.tools);
    // the in-place system message is folded into the first user turn, so indexes shift by one
    expect(again.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(again.messages[0].parts.at(-1)).toEqual(first.messages[1].parts[0]);
    expect(again.messages[1]).toEqual(first.messages[2]);
    expect(again.messages[2]).toEqual(first.messages[3]);
  });

  it('encodes the whole Claude Code request in well under 1 ms', () => {
    const req = decodeRequest(clientBodies('claude-code-p-apikey.json')[0], {});
    for (let i = 0; i < 200; i++) encodeRequest(req, { upstreamModel: 'claude-opus-5-5' });
    const n = 1000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) encodeRequest(req, { upstreamModel: 'claude-opus-5-5' });
    expect((performance.now() - t0) / n).toBeLessThan(0.2);
  });
});

describe('encodeRequest — conversation shape', () => {
  it('prepends a user turn, merges same-role turns, folds mid-conversation system text', () => {
    const out = encode(
      canonical({
        messages: [assistant('I was saying'), user('a'), user('b'), { role: 'system', parts: [{ type: 'text', text: 'be nice' }] }, assistant('ok')],
      }),
    );
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: '(continued)' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'I was saying' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
          { type: 'text', text: 'be nice' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
    ]);
  });

  it('places tool results right after their tool_use, first; fills gaps; orphans become text; duplicate ids are renamed', () => {
    const out = encode(
      canonical({
        messages: [
          user('go'),
          {
            role: 'assistant',
            parts: [
              { type: 'tool_call', id: 'call_1', name: 'a', arguments: '{"x":1}' },
              { type: 'tool_call', id: 'call_2', name: 'b', arguments: {} },
            ],
          },
          { role: 'user', parts: [{ type: 'text', text: 'also this' }] },
          { role: 'user', parts: [{ type: 'tool_result', callId: 'call_1', content: [{ type: 'text', text: 'one' }] }] },
          assistant('next'),
          { role: 'user', parts: [{ type: 'tool_result', callId: 'call_9', content: [{ type: 'text', text: 'stray' }], isError: true }] },
          { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'a', arguments: {} }] },
          { role: 'user', parts: [{ type: 'tool_result', callId: 'call_1', content: [] }] },
        ],
      }),
    );
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'go' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'a', input: { x: 1 } },
          { type: 'tool_use', id: 'call_2', name: 'b', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'one' }] },
          {
            type: 'tool_result',
            tool_use_id: 'call_2',
            content: [{ type: 'text', text: 'No result was recorded for this tool call.' }],
            is_error: true,
          },
          { type: 'text', text: 'also this' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'next' }] },
      { role: 'user', content: [{ type: 'text', text: 'Result of tool call call_9 (error):\nstray' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1_2', name: 'a', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1_2' }] },
    ]);
  });

  it('sanitizes tool ids Anthropic would reject, consistently on both sides', () => {
    const out = encode(
      canonical({
        messages: [
          user('go'),
          { role: 'assistant', parts: [{ type: 'tool_call', id: 'fc:1.a', name: 'a', arguments: {} }] },
          { role: 'user', parts: [{ type: 'tool_result', callId: 'fc:1.a', content: [{ type: 'text', text: 'r' }] }] },
        ],
      }),
    );
    expect(out.messages[1].content[0].id).toBe('fc_1_a');
    expect(out.messages[2].content[0].tool_use_id).toBe('fc_1_a');
  });

  it('drops empty text, keeps only Anthropic-signed thinking, tidies a final assistant prefill', () => {
    const out = encode(
      canonical({
        system: [{ type: 'text', text: '  ' }],
        messages: [
          user('q'),
          {
            role: 'assistant',
            parts: [
              { type: 'thinking', text: 'mine', signature: { origin: 'anthropic', value: 'sig-a' } },
              { type: 'thinking', text: 'theirs', signature: { origin: 'gemini', value: 'sig-g' } },
              { type: 'thinking', text: 'unsigned' },
              { type: 'thinking', text: '', redacted: true, signature: { origin: 'anthropic', value: 'red' } },
              { type: 'tool_call', id: 't1', name: 'f', arguments: {}, signature: { origin: 'gemini', value: 'g' } },
            ],
          },
          { role: 'user', parts: [{ type: 'tool_result', callId: 't1', content: [{ type: 'text', text: 'ok' }] }, { type: 'text', text: '' }] },
          { role: 'assistant', parts: [{ type: 'text', text: 'The answer is ' }, { type: 'thinking', text: 't', signature: { origin: 'anthropic', value: 's' } }] },
        ],
      }),
    );
    expect(out).not.toHaveProperty('system');
    expect(out.messages[1].content).toEqual([
      { type: 'thinking', thinking: 'mine', signature: 'sig-a' },
      { type: 'redacted_thinking', data: 'red' },
      { type: 'tool_use', id: 't1', name: 'f', input: {} },
    ]);
    expect(out.messages[2].content).toEqual([{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'ok' }] }]);
    // thinking is off: the prefill loses its thinking block and its trailing whitespace
    expect(out.messages[3].content).toEqual([{ type: 'text', text: 'The answer is' }]);
  });

  it('throws when nothing is left to send', () => {
    expect(() => encode(canonical({ messages: [user('   ')] }))).toThrow(GatewayError);
  });
});

describe('encodeRequest — media', () => {
  it('maps images and documents, notes what Anthropic cannot take', () => {
    const out = encode(
      canonical({
        messages: [
          {
            role: 'user',
            parts: [
              { type: 'image', source: { kind: 'base64', mediaType: 'image/jpg', data: 'AAA' } },
              { type: 'image', source: { kind: 'url', url: 'https://x/i.png' } },
              { type: 'image', source: { kind: 'base64', mediaType: 'image/heic', data: 'BBB' } },
              { type: 'image', source: { kind: 'file', fileId: 'file-abc' } },
              { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' }, filename: 'a.pdf' },
              { type: 'document', source: { kind: 'base64', mediaType: 'text/plain', data: Buffer.from('hello').toString('base64') } },
              { type: 'document', source: { kind: 'url', url: 'https://x/d.pdf' }, title: 'D' },
            ],
          },
        ],
      }),
    );
    expect(out.messages[0].content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'AAA' } },
      { type: 'image', source: { type: 'url', url: 'https://x/i.png' } },
      { type: 'text', text: '[image omitted: image/heic is not supported by this provider]' },
      { type: 'text', text: '[image omitted: file file-abc is not available to this provider]' },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' }, title: 'a.pdf' },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello' } },
      { type: 'document', source: { type: 'url', url: 'https://x/d.pdf' }, title: 'D' },
    ]);
  });

  it('Anthropic file ids pass when the client spoke Anthropic', () => {
    const out = encode(
      canonical({ extras: { anthropic: {} }, messages: [{ role: 'user', parts: [{ type: 'image', source: { kind: 'file', fileId: 'file_1' } }] }] }),
    );
    expect(out.messages[0].content).toEqual([{ type: 'image', source: { type: 'file', file_id: 'file_1' } }]);
  });
});

describe('encodeRequest — parameters and thinking', () => {
  it('cross-dialect request: sampling clamp, stop filtering, tool choice, parallel, structured output', () => {
    const out = encode(
      canonical({
        system: [{ type: 'text', text: 'sys' }],
        messages: [user('q')],
        tools: [{ name: 'f', description: 'd', parameters: { properties: {} }, strict: true }],
        toolChoice: { type: 'auto' },
        parallelToolCalls: false,
        temperature: 1.5,
        topP: 0.9,
        topK: 20,
        stop: ['\n', 'END'],
        user: 'u1',
        seed: 7,
        responseFormat: { type: 'json_schema', name: 'x', schema: { type: 'object' } },
        maxTokens: 500,
      }),
    );
    expect(out).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 500,
      system: [{ type: 'text', text: 'sys' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'q' }] }],
      tools: [{ name: 'f', description: 'd', input_schema: { type: 'object', properties: {} }, strict: true }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      output_config: { format: { type: 'json_schema', schema: { type: 'object' } } },
      stop_sequences: ['END'],
      temperature: 1,
      top_k: 20,
      metadata: { user_id: 'u1' },
      stream: false,
    });
  });

  it.each([
    [{ type: 'required' } as const, { type: 'any' }],
    [{ type: 'tool', name: 'f' } as const, { type: 'tool', name: 'f' }],
    [{ type: 'none' } as const, { type: 'none' }],
  ])('tool choice %j -> %j', (toolChoice, expected) => {
    const out = encode(canonical({ messages: [user('q')], tools: [{ name: 'f', parameters: { type: 'object' } }], toolChoice }));
    expect(out.tool_choice).toEqual(expected);
  });

  it('no tools, no tool_choice; default max_tokens; plain JSON mode dropped', () => {
    const out = encode(canonical({ messages: [user('q')], toolChoice: { type: 'required' }, responseFormat: { type: 'json' } }));
    expect(out).not.toHaveProperty('tool_choice');
    expect(out).not.toHaveProperty('output_config');
    expect(out.max_tokens).toBe(8192);
  });

  it('effort-only reasoning -> budget thinking; max_tokens raised above the budget; sampling limited', () => {
    const out = encode(
      canonical({ messages: [user('q')], reasoning: { enabled: true, effort: 'high' }, maxTokens: 1000, temperature: 0.3, topP: 0.97, topK: 5 }),
    );
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 24576 });
    expect(out.max_tokens).toBe(25576);
    expect(out.top_p).toBe(0.97);
    expect(out).not.toHaveProperty('temperature');
    expect(out).not.toHaveProperty('top_k');
  });

  it.each([
    ['minimal', 1024],
    ['low', 1024],
    ['medium', 8192],
    ['xhigh', 32000],
  ] as const)('effort %s -> budget %d', (effort, budget) => {
    const out = encode(canonical({ messages: [user('q')], reasoning: { enabled: true, effort } }));
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: budget });
  });

  it('budget below 1024 is raised; top_p below 0.95 dropped with thinking on', () => {
    const out = encode(canonical({ messages: [user('q')], reasoning: { enabled: true, budgetTokens: 100 }, topP: 0.5 }));
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(out).not.toHaveProperty('top_p');
  });

  it('reasoning disabled or effort none -> no thinking', () => {
    expect(encode(canonical({ messages: [user('q')], reasoning: { enabled: false } }))).not.toHaveProperty('thinking');
    expect(encode(canonical({ messages: [user('q')], reasoning: { enabled: true, effort: 'none' } }))).not.toHaveProperty('thinking');
  });

  it('forced tool use turns thinking off', () => {
    const out = encode(
      canonical({
        messages: [user('q')],
        tools: [{ name: 'f', parameters: { type: 'object' } }],
        toolChoice: { type: 'tool', name: 'f' },
        reasoning: { enabled: true, effort: 'low' },
      }),
    );
    expect(out).not.toHaveProperty('thinking');
  });

  it('thinking stays on when the last tool_use turn opens with an Anthropic-signed thinking block', () => {
    const messages: Message[] = [
      user('q'),
      {
        role: 'assistant',
        parts: [
          { type: 'thinking', text: 'plan', signature: { origin: 'anthropic', value: 'sig' } },
          { type: 'tool_call', id: 't1', name: 'f', arguments: {} },
        ],
      },
      { role: 'user', parts: [{ type: 'tool_result', callId: 't1', content: [{ type: 'text', text: 'r' }] }] },
    ];
    const on = encode(canonical({ messages, reasoning: { enabled: true, budgetTokens: 2048 } }));
    expect(on.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    // the same history signed by Gemini cannot be verified by Anthropic: thinking off for this turn
    const foreign = structuredClone(messages);
    (foreign[1].parts[0] as { signature: unknown }).signature = { origin: 'gemini', value: 'sig' };
    expect(encode(canonical({ messages: foreign, reasoning: { enabled: true, budgetTokens: 2048 } }))).not.toHaveProperty('thinking');
    // once the tool loop is over (a final text answer), thinking comes back
    const closed = [...foreign, assistant('done'), user('next')];
    expect(encode(canonical({ messages: closed, reasoning: { enabled: true, budgetTokens: 2048 } })).thinking).toBeDefined();
  });

  it('Claude Opus 4.7+: adaptive thinking with effort, no budget, no sampling parameters', () => {
    const out = encode(
      canonical({ messages: [user('q')], reasoning: { enabled: true, budgetTokens: 30000, includeThoughts: true }, temperature: 0.5, topK: 3 }),
      'claude-opus-4-7',
    );
    expect(out.thinking).toEqual({ type: 'adaptive', display: 'summarized' });
    expect(out.output_config).toEqual({ effort: 'xhigh' });
    expect(out).not.toHaveProperty('temperature');
    expect(out).not.toHaveProperty('top_k');
    expect(out.max_tokens).toBe(8192);
  });

  it('adaptive for a 4.6 model only when the Anthropic client asked for it; xhigh becomes max there', () => {
    const req = canonical({ messages: [user('q')], reasoning: { enabled: true, effort: 'xhigh' } });
    expect(encode(req, 'claude-sonnet-4-6').thinking).toEqual({ type: 'enabled', budget_tokens: 32000 });
    const fromClaude = { ...req, extras: { anthropic: { thinking_type: 'adaptive' } } };
    const out = encode(fromClaude, 'claude-sonnet-4-6');
    expect(out.thinking).toEqual({ type: 'adaptive' });
    expect(out.output_config).toEqual({ effort: 'max' });
  });

  it('older / unknown models: no strict, no output_config.format', () => {
    const out = encode(
      canonical({
        messages: [user('q')],
        tools: [{ name: 'f', parameters: { type: 'object' }, strict: true }],
        responseFormat: { type: 'json_schema', schema: { type: 'object' } },
      }),
      'claude-3-5-haiku-20241022',
    );
    expect((out.tools as Record<string, unknown>[])[0]).not.toHaveProperty('strict');
    expect(out).not.toHaveProperty('output_config');
  });

  it('model capabilities parse real ids', () => {
    expect(modelCapabilities('claude-sonnet-4-5-20250929')).toMatchObject({ adaptiveThinking: false, structuredOutputs: true, effort: false });
    expect(modelCapabilities('claude-opus-4-5-20251101')).toMatchObject({ adaptiveThinking: false, effort: true });
    expect(modelCapabilities('claude-opus-4-20250514')).toMatchObject({ structuredOutputs: false });
    expect(modelCapabilities('claude-opus-4-6')).toMatchObject({ adaptiveThinking: true, adaptiveOnly: false, rejectsSampling: false });
    expect(modelCapabilities('anthropic.claude-opus-4-7-v1:0')).toMatchObject({ adaptiveOnly: true, rejectsSampling: true, xhighEffort: true });
    expect(modelCapabilities('claude-fable-5-2')).toMatchObject({ adaptiveOnly: true });
    expect(modelCapabilities('claude-mythos-preview')).toMatchObject({ adaptiveThinking: true, adaptiveOnly: false });
    expect(modelCapabilities('deepseek-chat')).toMatchObject({ adaptiveThinking: false, rejectsSampling: false });
  });

  it('re-sends GA-only Anthropic extras; drops beta-only ones and server tools', () => {
    const out = encode(
      canonical({
        messages: [user('q')],
        extras: {
          anthropic: {
            service_tier: 'auto',
            cache_control: { type: 'ephemeral' },
            context_management: { edits: [] },
            mcp_servers: [],
            server_tools: [{ type: 'web_search_20250305', name: 'web_search' }],
          },
        },
      }),
    );
    expect(out.service_tier).toBe('auto');
    expect(out.cache_control).toEqual({ type: 'ephemeral' });
    expect(out).not.toHaveProperty('context_management');
    expect(out).not.toHaveProperty('mcp_servers');
    expect(out).not.toHaveProperty('tools');
  });
});

describe('prompt caching: cache_control survives Anthropic -> canonical -> Anthropic exactly', () => {
  const cc = { type: 'ephemeral', ttl: '1h' };
  const go = { role: 'user', content: [{ type: 'text', text: 'go' }] };
  const roundTrip = (body: Record<string, unknown>) =>
    encode(decodeRequest({ model: 'claude-sonnet-4-5', max_tokens: 1024, ...body }, {}), 'claude-sonnet-4-5');

  it.each([
    ['text', [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: cc }] }]],
    ['image', [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' }, cache_control: cc }] }]],
    ['image (file)', [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_1' }, cache_control: cc }] }]],
    [
      'document',
      [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' }, title: 'Spec', cache_control: cc }] }],
    ],
    [
      'tool_use',
      [
        go,
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'look', input: { q: 1 }, cache_control: cc }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'seen' }] }] },
      ],
    ],
    [
      'tool_result (and the text / image / document blocks inside it)',
      [
        go,
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'look', input: {} }] },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              content: [
                { type: 'text', text: 'seen', cache_control: cc },
                { type: 'image', source: { type: 'url', url: 'https://x/y.png' }, cache_control: cc },
                { type: 'document', source: { type: 'url', url: 'https://x/doc.pdf' }, cache_control: cc },
              ],
              cache_control: cc,
            },
          ],
        },
      ],
    ],
  ])('%s blocks', (_kind, messages) => {
    expect(roundTrip({ messages }).messages).toEqual(messages);
  });

  it('tool definitions', () => {
    const tools = [
      { name: 'look', description: 'looks', input_schema: { type: 'object', properties: { q: { type: 'number' } } }, cache_control: cc },
      { name: 'plain', input_schema: { type: 'object' } },
    ];
    expect(roundTrip({ messages: [go], tools }).tools).toEqual(tools);
  });

  it('system blocks', () => {
    const system = [{ type: 'text', text: 'You are terse.' }, { type: 'text', text: 'Project notes.', cache_control: cc }];
    expect(roundTrip({ messages: [go], system }).system).toEqual(system);
  });
});
