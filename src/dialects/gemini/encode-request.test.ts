import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, Message, Part, ReasoningConfig, TextPart, ToolDefinition } from '../../canonical/types.js';
import { decodeRequest } from './decode-request.js';
import { encodeRequest } from './encode-request.js';
import { toThinkingConfig } from './thinking-config.js';

type Body = Record<string, unknown>;
const FIXTURES = new URL('../../../test/fixtures/clients/', import.meta.url);
function capture(name: string): { path: string; body: Body }[] {
  return (JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as { requests: { path: string; body: Body }[] }).requests;
}

function request(messages: Message[], more: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return { model: 'client-model', system: [], messages, tools: [], stream: false, extras: {}, ...more };
}
const user = (...parts: Part[]): Message => ({ role: 'user', parts });
const assistant = (...parts: Part[]): Message => ({ role: 'assistant', parts });
const text = (t: string): TextPart => ({ type: 'text', text: t });
const ctx = { upstreamModel: 'gemini-3-pro-preview' };

describe('encodeRequest: contents', () => {
  it('merges consecutive turns of one role so user/model alternate', () => {
    const body = encodeRequest(request([user(text('a')), user(text('b')), assistant(text('c')), assistant(text('d')), user(text('e'))]), ctx);
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'a' }, { text: 'b' }] },
      { role: 'model', parts: [{ text: 'c' }, { text: 'd' }] },
      { role: 'user', parts: [{ text: 'e' }] },
    ]);
  });

  it('system prompt -> systemInstruction; a mid-conversation system message joins the next user turn', () => {
    const body = encodeRequest(
      request(
        [user(text('q1')), assistant(text('a1')), { role: 'system', parts: [text('Now answer in French.')] }, user(text('q2'))],
        { system: [text('You are terse.'), text('Really.')] },
      ),
      ctx,
    );
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'You are terse.' }, { text: 'Really.' }] });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'q1' }] },
      { role: 'model', parts: [{ text: 'a1' }] },
      { role: 'user', parts: [{ text: 'Now answer in French.' }, { text: 'q2' }] },
    ]);
  });

  it('function calls and responses: ids, names looked up by call id, error results, order', () => {
    const body = encodeRequest(
      request([
        user(text('go')),
        assistant(
          text('Let me look.'),
          { type: 'tool_call', id: 'toolu_1', name: 'Read', arguments: { path: 'a' } },
          { type: 'tool_call', id: 'toolu_2', name: 'Bash', arguments: '{"cmd":"ls"}' },
        ),
        // Results arrive in the other order and without names (OpenAI / Anthropic clients).
        user(
          { type: 'tool_result', callId: 'toolu_2', content: [text('a b')] },
          { type: 'tool_result', callId: 'toolu_1', content: [text('no such file')], isError: true },
          text('and then?'),
        ),
      ]),
      ctx,
    );
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'go' }] },
      {
        role: 'model',
        parts: [
          { text: 'Let me look.' },
          { functionCall: { id: 'toolu_1', name: 'Read', args: { path: 'a' } }, thoughtSignature: 'skip_thought_signature_validator' },
          { functionCall: { id: 'toolu_2', name: 'Bash', args: { cmd: 'ls' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'toolu_1', name: 'Read', response: { error: 'no such file' } } },
          { functionResponse: { id: 'toolu_2', name: 'Bash', response: { output: 'a b' } } },
          { text: 'and then?' },
        ],
      },
    ]);
  });

  it('every call gets exactly one response: missing ones are filled, orphans become text', () => {
    const body = encodeRequest(
      request([
        user(text('go')),
        assistant({ type: 'tool_call', id: 'c1', name: 'a', arguments: {} }, { type: 'tool_call', id: 'c2', name: 'b', arguments: {} }),
        user({ type: 'tool_result', callId: 'c2', content: [text('B')] }, { type: 'tool_result', callId: 'zz', name: 'old', content: [text('late')] }),
      ]),
      ctx,
    );
    const contents = body.contents as { parts: Record<string, unknown>[] }[];
    expect(contents[2].parts).toEqual([
      { functionResponse: { id: 'c1', name: 'a', response: { error: 'No result was returned for this function call.' } } },
      { functionResponse: { id: 'c2', name: 'b', response: { output: 'B' } } },
      { text: 'Result of old (call zz):\nlate' },
    ]);
    // Gemini's rule, checked on the output: as many responses as the calls before them.
    const calls = contents[1].parts.filter((p) => p.functionCall).length;
    expect(contents[2].parts.filter((p) => p.functionResponse).length).toBe(calls);
  });

  it('a user turn with no results after calls still answers each call', () => {
    const body = encodeRequest(request([user(text('go')), assistant({ type: 'tool_call', id: 'c1', name: 'a', arguments: {} }), user(text('never mind'))]), ctx);
    expect((body.contents as { parts: unknown[] }[])[2].parts).toEqual([
      { functionResponse: { id: 'c1', name: 'a', response: { error: 'No result was returned for this function call.' } } },
      { text: 'never mind' },
    ]);
  });

  it('synthesized call ids are not sent; Gemini pairs by order', () => {
    const decoded = decodeRequest(
      {
        contents: [
          { role: 'user', parts: [{ text: 'go' }] },
          { role: 'model', parts: [{ functionCall: { name: 'f', args: {} }, thoughtSignature: 'real-sig' }] },
          { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: 'ok' } } }] },
        ],
      },
      { pathModel: 'gemini-2.5-flash' },
    );
    const body = encodeRequest(decoded, { upstreamModel: 'gemini-2.5-flash' });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'go' }] },
      { role: 'model', parts: [{ functionCall: { name: 'f', args: {} }, thoughtSignature: 'real-sig' }] },
      { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: 'ok' } } }] },
    ]);
  });

  it('signatures: only Gemini ones go upstream; text signatures return to their text part', () => {
    const body = encodeRequest(
      request([
        user(text('q')),
        assistant(
          { type: 'thinking', text: 'claude thought', signature: { origin: 'anthropic', value: 'A' } },
          { type: 'thinking', text: 'gemini thought', signature: { origin: 'gemini', value: 'G1' } },
          { type: 'thinking', text: 'unsigned thought' },
          text('answer'),
          { type: 'thinking', text: '', signature: { origin: 'gemini', value: 'G2' } },
          { type: 'tool_call', id: 'c1', name: 'f', arguments: {}, signature: { origin: 'openai-responses', value: 'R' } },
          { type: 'tool_call', id: 'c2', name: 'g', arguments: {}, signature: { origin: 'gemini', value: 'G3' } },
        ),
        user({ type: 'tool_result', callId: 'c1', content: [] }, { type: 'tool_result', callId: 'c2', content: [] }),
      ]),
      ctx,
    );
    expect((body.contents as { parts: unknown[] }[])[1].parts).toEqual([
      { text: 'gemini thought', thought: true, thoughtSignature: 'G1' },
      { text: 'answer', thoughtSignature: 'G2' },
      { functionCall: { id: 'c1', name: 'f', args: {} }, thoughtSignature: 'skip_thought_signature_validator' },
      { functionCall: { id: 'c2', name: 'g', args: {} }, thoughtSignature: 'G3' },
    ]);
  });

  it('the sentinel goes on the first call of EACH model turn lacking a signature, not on later calls', () => {
    const body = encodeRequest(
      request([
        user(text('q')),
        assistant({ type: 'tool_call', id: 'c1', name: 'f', arguments: {}, signature: { origin: 'gemini', value: 'S' } }),
        user({ type: 'tool_result', callId: 'c1', content: [text('1')] }),
        assistant({ type: 'tool_call', id: 'c2', name: 'f', arguments: {} }, { type: 'tool_call', id: 'c3', name: 'f', arguments: {} }),
        user({ type: 'tool_result', callId: 'c2', content: [text('2')] }, { type: 'tool_result', callId: 'c3', content: [text('3')] }),
      ]),
      ctx,
    );
    const model = (body.contents as { role: string; parts: { thoughtSignature?: string }[] }[]).filter((c) => c.role === 'model');
    expect(model.map((c) => c.parts.map((p) => p.thoughtSignature))).toEqual([['S'], ['skip_thought_signature_validator', undefined]]);
  });

  it('media: inline, data URLs, URLs and files; tool-result images follow the responses', () => {
    const body = encodeRequest(
      request([
        user(
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'PNG' } },
          { type: 'image', source: { kind: 'url', url: 'data:image/jpeg;base64,JPG' } },
          { type: 'document', source: { kind: 'url', url: 'https://x.test/a.pdf', mediaType: 'application/pdf' } },
          { type: 'document', source: { kind: 'file', fileId: 'files/abc', mediaType: 'text/plain' } },
        ),
        assistant({ type: 'tool_call', id: 'c1', name: 'shot', arguments: {} }),
        user({ type: 'tool_result', callId: 'c1', content: [text('here'), { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'SHOT' } }] }),
      ]),
      ctx,
    );
    const contents = body.contents as { parts: unknown[] }[];
    expect(contents[0].parts).toEqual([
      { inlineData: { mimeType: 'image/png', data: 'PNG' } },
      { inlineData: { mimeType: 'image/jpeg', data: 'JPG' } },
      { fileData: { mimeType: 'application/pdf', fileUri: 'https://x.test/a.pdf' } },
      { fileData: { mimeType: 'text/plain', fileUri: 'files/abc' } },
    ]);
    expect(contents[2].parts).toEqual([
      { functionResponse: { id: 'c1', name: 'shot', response: { output: 'here' } } },
      { inlineData: { mimeType: 'image/png', data: 'SHOT' } },
    ]);
  });

  it('refuses a request with nothing to send', () => {
    expect(() => encodeRequest(request([{ role: 'user', parts: [] }], { system: [text('s')] }), ctx)).toThrow(/at least one/);
  });
});

describe('encodeRequest: tools and config', () => {
  const tools: ToolDefinition[] = [
    { name: 'read', description: 'Read a file', parameters: { $schema: 'x', type: 'object', properties: { path: { type: 'string' } }, required: ['path'], additionalProperties: false } },
    { name: 'now', parameters: { type: 'object', properties: {} } },
  ];

  it('one functionDeclarations tool with sanitized parameters; empty parameters omitted', () => {
    const body = encodeRequest(request([user(text('q'))], { tools }), ctx);
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'read', description: 'Read a file', parameters: { type: 'OBJECT', properties: { path: { type: 'STRING' } }, required: ['path'] } },
          { name: 'now' },
        ],
      },
    ]);
    expect(body.toolConfig).toBeUndefined();
  });

  it.each([
    [{ type: 'auto' }, { mode: 'AUTO' }],
    [{ type: 'none' }, { mode: 'NONE' }],
    [{ type: 'required' }, { mode: 'ANY' }],
    [{ type: 'tool', name: 'read' }, { mode: 'ANY', allowedFunctionNames: ['read'] }],
  ] as const)('toolChoice %j', (toolChoice, functionCallingConfig) => {
    const body = encodeRequest(request([user(text('q'))], { tools, toolChoice }), ctx);
    expect(body.toolConfig).toEqual({ functionCallingConfig });
  });

  it('no toolConfig without declarations (Gemini rejects it)', () => {
    expect(encodeRequest(request([user(text('q'))], { toolChoice: { type: 'required' } }), ctx).toolConfig).toBeUndefined();
  });

  it('generation config fields', () => {
    const body = encodeRequest(
      request([user(text('q'))], {
        maxTokens: 1000,
        temperature: 0.2,
        topP: 0.9,
        topK: 40,
        stop: ['a', 'b', 'c', 'd', 'e', 'f'],
        seed: 1,
        n: 2,
        presencePenalty: 0.5,
        frequencyPenalty: 0.25,
        responseFormat: {
          type: 'json_schema',
          name: 'answer',
          schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false },
        },
      }),
      ctx,
    );
    expect(body.generationConfig).toEqual({
      maxOutputTokens: 1000,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stopSequences: ['a', 'b', 'c', 'd', 'e'],
      seed: 1,
      candidateCount: 2,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      responseMimeType: 'application/json',
      responseSchema: { type: 'OBJECT', properties: { ok: { type: 'BOOLEAN' } }, required: ['ok'] },
    });
    expect(encodeRequest(request([user(text('q'))], { responseFormat: { type: 'json' } }), ctx).generationConfig).toEqual({
      responseMimeType: 'application/json',
    });
  });

  it('Gemini-only extras go back to a Gemini upstream', () => {
    const body = encodeRequest(
      request([user(text('q'))], {
        tools,
        toolChoice: { type: 'required' },
        extras: {
          gemini: {
            serverTools: [{ googleSearch: {} }],
            allowedFunctionNames: ['read', 'now'],
            safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
            cachedContent: 'cachedContents/1',
            generationConfig: { responseModalities: ['TEXT'] },
          },
          anthropic: { ignored: true },
        },
      }),
      ctx,
    );
    expect((body.tools as unknown[])[1]).toEqual({ googleSearch: {} });
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['read', 'now'] } });
    expect(body.safetySettings).toEqual([{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }]);
    expect(body.cachedContent).toBe('cachedContents/1');
    expect(body.generationConfig).toEqual({ responseModalities: ['TEXT'] });
  });
});

describe('reasoning -> thinkingConfig', () => {
  const r = (x: Partial<ReasoningConfig>): ReasoningConfig => ({ enabled: true, ...x });
  it.each([
    // Gemini 3+: levels. Pro has LOW/HIGH only; Flash all four.
    ['gemini-3-pro-preview', r({ effort: 'minimal' }), { thinkingLevel: 'LOW', includeThoughts: true }],
    ['gemini-3-pro-preview', r({ effort: 'medium' }), { thinkingLevel: 'HIGH', includeThoughts: true }],
    ['gemini-3-pro-preview', r({ enabled: false }), { thinkingLevel: 'LOW' }],
    ['gemini-3-flash-preview', r({ effort: 'minimal', includeThoughts: false }), { thinkingLevel: 'MINIMAL' }],
    ['gemini-3-flash-preview', r({ effort: 'medium' }), { thinkingLevel: 'MEDIUM', includeThoughts: true }],
    ['gemini-3.8-flash', r({ effort: 'xhigh' }), { thinkingLevel: 'HIGH', includeThoughts: true }],
    ['models/gemini-3.5-flash-lite', r({ enabled: false }), { thinkingLevel: 'MINIMAL' }],
    ['gemini-3-flash-preview', r({ budgetTokens: 1000 }), { thinkingLevel: 'LOW', includeThoughts: true }],
    ['gemini-3-flash-preview', r({ budgetTokens: 31999 }), { thinkingLevel: 'HIGH', includeThoughts: true }],
    ['gemini-3-pro-preview', r({}), { includeThoughts: true }],
    // Gemini 2.5: budgets, clamped to the model's range; Pro cannot turn thinking off.
    ['gemini-2.5-pro', r({ enabled: false }), { thinkingBudget: 128 }],
    ['gemini-2.5-flash', r({ enabled: false }), { thinkingBudget: 0 }],
    ['gemini-2.5-flash', r({ effort: 'none' }), { thinkingBudget: 0 }],
    ['gemini-2.5-flash', r({ effort: 'low' }), { thinkingBudget: 1024, includeThoughts: true }],
    ['gemini-2.5-flash', r({ effort: 'medium' }), { thinkingBudget: 8192, includeThoughts: true }],
    ['gemini-2.5-flash', r({ effort: 'high' }), { thinkingBudget: 24576, includeThoughts: true }],
    ['gemini-2.5-pro', r({ effort: 'xhigh' }), { thinkingBudget: 32768, includeThoughts: true }],
    ['gemini-2.5-flash', r({ budgetTokens: 31999 }), { thinkingBudget: 24576, includeThoughts: true }],
    ['gemini-2.5-flash-lite', r({ budgetTokens: 100 }), { thinkingBudget: 512, includeThoughts: true }],
    ['gemini-2.5-pro', r({ budgetTokens: -1 }), { thinkingBudget: -1, includeThoughts: true }],
    ['my-tuned-model', r({ effort: 'low' }), { thinkingBudget: 1024, includeThoughts: true }],
    // Models without thinking get no thinkingConfig at all.
    ['gemini-2.0-flash', r({ effort: 'high' }), undefined],
    ['gemini-1.5-pro', r({ effort: 'high' }), undefined],
  ] as const)('%s %j', (model, reasoning, expected) => {
    expect(toThinkingConfig(model, reasoning)).toEqual(expected);
    const body = encodeRequest(request([user(text('q'))], { reasoning }), { upstreamModel: model });
    expect((body.generationConfig as Record<string, unknown> | undefined)?.thinkingConfig).toEqual(expected);
  });

  it('no reasoning, no thinkingConfig', () => {
    expect(toThinkingConfig('gemini-3-pro-preview', undefined)).toBeUndefined();
  });
});

describe('encodeRequest: Gemini CLI captures round-trip', () => {
  function untrim(body: Body): Body {
    const copy = structuredClone(body);
    for (const tool of (copy.tools ?? []) as { functionDeclarations?: Body[] }[]) {
      for (const d of tool.functionDeclarations ?? []) {
        if (typeof d.parametersJsonSchema === 'string') {
          const names = /properties: ([^>]*)>/.exec(d.parametersJsonSchema)?.[1].split(', ') ?? [];
          d.parametersJsonSchema = { type: 'object', properties: Object.fromEntries(names.map((n) => [n, { type: 'string', description: n }])) };
        }
      }
    }
    return copy;
  }

  it('tool round trip request comes back as Gemini CLI sent it', () => {
    const { body } = capture('gemini-cli-tool-roundtrip.json')[2];
    const original = untrim(body);
    const decoded = decodeRequest(original, { pathModel: 'gemini-3.8-flash', pathStream: true });
    const out = encodeRequest(decoded, { upstreamModel: 'gemini-3.8-flash' });
    expect(out.contents).toEqual(original.contents);
    expect(out.systemInstruction).toEqual({ parts: (original.systemInstruction as { parts: unknown[] }).parts });
    expect(out.generationConfig).toEqual(original.generationConfig);
    const decls = (out.tools as { functionDeclarations: { name: string; parameters: { properties: object } }[] }[])[0].functionDeclarations;
    expect(decls.map((d) => d.name)).toEqual(
      ((original.tools as { functionDeclarations: { name: string }[] }[])[0].functionDeclarations).map((d) => d.name),
    );
    expect(decls[1].parameters).toEqual({
      type: 'OBJECT',
      properties: {
        dir_path: { type: 'STRING', description: 'dir_path' },
        ignore: { type: 'STRING', description: 'ignore' },
        file_filtering_options: { type: 'STRING', description: 'file_filtering_options' },
      },
    });
  });

  it('router request: responseJsonSchema becomes a sanitized responseSchema', () => {
    const { body } = capture('gemini-cli.json')[0];
    const out = encodeRequest(decodeRequest(body, { pathModel: 'gemini-3.5-flash-lite' }), { upstreamModel: 'gemini-3.5-flash-lite' });
    expect(out.contents).toEqual([{ role: 'user', parts: [(body.contents as { parts: unknown[] }[])[0].parts[0], { text: 'say hi' }] }]);
    expect(out.generationConfig).toEqual({
      temperature: 1,
      topP: 0.95,
      topK: 64,
      responseMimeType: 'application/json',
      responseSchema: {
        type: 'OBJECT',
        properties: {
          complexity_reasoning: { type: 'STRING', description: 'Brief explanation for the score.' },
          complexity_score: { type: 'INTEGER', description: 'Complexity score from 1-100.' },
        },
        required: ['complexity_reasoning', 'complexity_score'],
      },
      thinkingConfig: { thinkingLevel: 'HIGH', includeThoughts: true },
    });
  });
});

// ---- Claude Code's request, translated to Gemini (perf + shape) --------------------------------

/** Just enough Anthropic Messages -> canonical to feed the encoder; the real decoder lives elsewhere. */
function fromAnthropic(body: Body): CanonicalRequest {
  type Block = Record<string, unknown>;
  const blocks = (c: unknown): Block[] => (typeof c === 'string' ? [{ type: 'text', text: c }] : (c as Block[]));
  const messages: Message[] = (body.messages as { role: 'user' | 'assistant' | 'system'; content: unknown }[]).map((m) => ({
    role: m.role,
    parts: blocks(m.content).map((b): Part => {
      if (b.type === 'tool_use') return { type: 'tool_call', id: b.id as string, name: b.name as string, arguments: b.input };
      if (b.type === 'tool_result') {
        return { type: 'tool_result', callId: b.tool_use_id as string, content: blocks(b.content).map((x) => ({ type: 'text', text: x.text as string })) };
      }
      if (b.type === 'thinking') return { type: 'thinking', text: b.thinking as string, signature: { origin: 'anthropic', value: b.signature as string } };
      return { type: 'text', text: b.text as string };
    }),
  }));
  return request(messages, {
    model: body.model as string,
    system: (body.system as Block[]).map((s) => ({ type: 'text', text: s.text as string })),
    tools: (body.tools as Block[]).map((t) => ({ name: t.name as string, description: t.description as string, parameters: t.input_schema as Record<string, unknown> })),
    maxTokens: body.max_tokens as number,
    reasoning: { enabled: true },
    stream: true,
  });
}

describe('encodeRequest: Claude Code capture', () => {
  it('translates the tool round trip (mid-conversation system message, tool_use/tool_result)', () => {
    const req = fromAnthropic(capture('claude-code-p-tool-roundtrip.json')[1].body);
    const out = encodeRequest(req, { upstreamModel: 'gemini-3-pro-preview' });
    const contents = out.contents as { role: string; parts: Record<string, unknown>[] }[];
    expect(contents.map((c) => c.role)).toEqual(['user', 'model', 'user']);
    expect(contents[0].parts.map((p) => Object.keys(p))).toEqual([['text'], ['text'], ['text']]);
    expect(contents[1].parts[0].thoughtSignature).toBe('skip_thought_signature_validator');
    expect(contents[2].parts[0]).toMatchObject({ functionResponse: { response: { output: 'stub-tool-ok' } } });
    expect((out.generationConfig as Record<string, unknown>).maxOutputTokens).toBe(128000);
  });

  it('translates the ~50 KB Claude Code request in well under a millisecond', () => {
    const body = capture('claude-code-p-apikey.json')[0].body;
    expect(JSON.stringify(body).length).toBeGreaterThan(45_000);
    const req = fromAnthropic(body);
    for (let i = 0; i < 300; i++) encodeRequest(req, ctx);
    const runs = 500;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) encodeRequest(req, ctx);
    expect((performance.now() - t0) / runs).toBeLessThan(0.5);
  });
});
