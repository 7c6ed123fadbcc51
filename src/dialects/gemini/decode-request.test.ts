import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../canonical/errors.js';
import { wrapSignature } from '../../canonical/signature.js';
import type { ToolCallPart, ToolResultPart } from '../../canonical/types.js';
import { isSynthesizedCallId } from './call-ids.js';
import { decodeRequest } from './decode-request.js';
import { toJsonSchema } from './to-json-schema.js';

type Body = Record<string, unknown>;
const FIXTURES = new URL('../../../test/fixtures/clients/', import.meta.url);
function capture(name: string): { path: string; body: Body }[] {
  return (JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as { requests: { path: string; body: Body }[] }).requests;
}

/**
 * The capture tool replaced each tool's parametersJsonSchema with a "<trimmed …; properties: a, b>"
 * string. Rebuild an object schema with those property names so the body is what Gemini CLI sent
 * in shape.
 */
function untrim(body: Body): Body {
  const copy = structuredClone(body);
  for (const tool of (copy.tools ?? []) as { functionDeclarations?: Body[] }[]) {
    for (const d of tool.functionDeclarations ?? []) {
      if (typeof d.parametersJsonSchema === 'string') {
        const names = /properties: ([^>]*)>/.exec(d.parametersJsonSchema)?.[1].split(', ') ?? [];
        d.parametersJsonSchema = { type: 'object', properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])) };
      }
    }
  }
  return copy;
}

function modelFromPath(path: string): { pathModel: string; pathStream: boolean } {
  const m = /\/models\/([^:]+):(\w+)/.exec(path)!;
  return { pathModel: m[1], pathStream: m[2] === 'streamGenerateContent' };
}

function errorOf(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error('expected a GatewayError');
}

describe('decodeRequest: Gemini CLI captures', () => {
  const [router, main] = capture('gemini-cli.json');

  it('router call: JSON response schema, thinking level, two user turns', () => {
    const req = decodeRequest(router.body, modelFromPath(router.path));
    expect(req.model).toBe('gemini-3.5-flash-lite');
    expect(req.stream).toBe(false);
    expect(req.system).toHaveLength(1);
    expect(req.system[0].text).toContain('Task Routing AI');
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'user']);
    expect(req.messages[1].parts).toEqual([{ type: 'text', text: 'say hi' }]);
    expect(req.temperature).toBe(1);
    expect(req.topP).toBe(0.95);
    expect(req.topK).toBe(64);
    expect(req.responseFormat).toEqual({
      type: 'json_schema',
      schema: {
        type: 'object',
        properties: {
          complexity_reasoning: { type: 'string', description: 'Brief explanation for the score.' },
          complexity_score: { type: 'integer', description: 'Complexity score from 1-100.' },
        },
        required: ['complexity_reasoning', 'complexity_score'],
      },
    });
    expect(req.reasoning).toEqual({ enabled: true, effort: 'high', includeThoughts: true });
    expect(req.tools).toEqual([]);
    expect(req.extras).toEqual({});
  });

  it('main call: streaming, eight function declarations', () => {
    const req = decodeRequest(untrim(main.body), modelFromPath(main.path));
    expect(req.model).toBe('gemini-3.8-flash');
    expect(req.stream).toBe(true);
    expect(req.tools.map((t) => t.name)).toEqual([
      'update_topic', 'list_directory', 'read_file', 'grep_search', 'glob', 'google_web_search', 'enter_plan_mode', 'invoke_agent',
    ]);
    expect(Object.keys(req.tools[1].parameters.properties as object)).toEqual(['dir_path', 'ignore', 'file_filtering_options']);
    expect(req.messages).toHaveLength(1);
    expect(req.messages[0].parts).toHaveLength(2);
  });

  it('rejects the raw capture with a message naming the trimmed schema field', () => {
    const err = errorOf(() => decodeRequest(main.body, modelFromPath(main.path)));
    expect(err.kind).toBe('invalid_request');
    expect(err.message).toBe('tools[0].functionDeclarations[0].parametersJsonSchema must be a JSON Schema object');
  });

  it('tool round trip: ids kept, the skip sentinel is not a signature, result mapped to its call', () => {
    const third = capture('gemini-cli-tool-roundtrip.json')[2];
    const req = decodeRequest(untrim(third.body), modelFromPath(third.path));
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(req.messages[1].parts).toEqual([
      { type: 'tool_call', id: 'list_directory_1795716924102_0', name: 'list_directory', arguments: { dir_path: '.' } },
    ]);
    expect(req.messages[2].parts).toEqual([
      {
        type: 'tool_result',
        callId: 'list_directory_1795716924102_0',
        name: 'list_directory',
        content: [{ type: 'text', text: 'Directory <tmp-workdir> is empty.' }],
      },
    ]);
  });
});

describe('decodeRequest: parts', () => {
  const ctx = { pathModel: 'models/gemini-2.5-pro', pathStream: false };

  it('strips models/ from the path model; body.model is a fallback', () => {
    expect(decodeRequest({ contents: [] }, ctx).model).toBe('gemini-2.5-pro');
    expect(decodeRequest({ contents: [], model: 'models/x' }, {}).model).toBe('x');
    expect(errorOf(() => decodeRequest({ contents: [] }, {})).message).toContain('model is missing');
  });

  it('thought parts, text signatures and function call signatures', () => {
    const anthropicSig = wrapSignature({ origin: 'anthropic', value: 'ant-sig' }, 'gemini');
    const req = decodeRequest(
      {
        contents: [
          { role: 'user', parts: [{ text: 'hi' }] },
          {
            role: 'model',
            parts: [
              { text: 'planning…', thought: true, thoughtSignature: anthropicSig },
              { text: 'answer', thoughtSignature: 'text-sig' },
              { functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'call-sig' },
              { functionCall: { name: 'f', args: { a: 2 } } },
              { text: '', thoughtSignature: 'trailing' },
              { executableCode: { code: 'print(1)' } },
            ],
          },
        ],
      },
      ctx,
    );
    const parts = req.messages[1].parts;
    expect(parts[0]).toEqual({ type: 'thinking', text: 'planning…', signature: { origin: 'anthropic', value: 'ant-sig' } });
    expect(parts[1]).toEqual({ type: 'text', text: 'answer' });
    expect(parts[2]).toEqual({ type: 'thinking', text: '', signature: { origin: 'gemini', value: 'text-sig' } });
    expect(parts[3]).toMatchObject({ type: 'tool_call', name: 'f', arguments: { a: 1 }, signature: { origin: 'gemini', value: 'call-sig' } });
    expect((parts[4] as ToolCallPart).signature).toBeUndefined();
    expect(parts[5]).toEqual({ type: 'thinking', text: '', signature: { origin: 'gemini', value: 'trailing' } });
    expect(parts).toHaveLength(6);
  });

  it('joins a streamed thought (pieces, signature on one of them) into one signed thinking part', () => {
    const sig = (v: string) => wrapSignature({ origin: 'anthropic', value: v }, 'gemini');
    const req = decodeRequest(
      {
        contents: [
          { role: 'user', parts: [{ text: 'hi' }] },
          {
            role: 'model',
            parts: [
              // Signature last, on an empty piece (how a stream from Anthropic reaches a Gemini client)…
              { text: 'Thinking ', thought: true },
              { text: 'about it', thought: true },
              { text: '', thought: true, thoughtSignature: sig('s1') },
              { text: 'answer' },
              // …or on the first piece (how Google streams); a second signed thought starts a new part.
              { text: 'More ', thought: true, thoughtSignature: sig('s2') },
              { text: 'thought', thought: true },
              { text: 'Third', thought: true, thoughtSignature: sig('s3') },
            ],
          },
        ],
      },
      ctx,
    );
    expect(req.messages[1].parts).toEqual([
      { type: 'thinking', text: 'Thinking about it', signature: { origin: 'anthropic', value: 's1' } },
      { type: 'text', text: 'answer' },
      { type: 'thinking', text: 'More thought', signature: { origin: 'anthropic', value: 's2' } },
      { type: 'thinking', text: 'Third', signature: { origin: 'anthropic', value: 's3' } },
    ]);
  });

  it('synthesizes stable, unique ids for calls without one and pairs responses by name and order', () => {
    const body = {
      contents: [
        { role: 'user', parts: [{ text: 'go' }] },
        { role: 'model', parts: [{ functionCall: { name: 'read', args: { p: 'a' } } }, { functionCall: { name: 'ls', args: {} } }] },
        {
          role: 'function',
          parts: [
            { functionResponse: { name: 'ls', response: { output: 'x y' } } },
            { functionResponse: { name: 'read', response: { error: 'no such file' } } },
          ],
        },
        // The same call again in a later turn must not reuse the id.
        { role: 'model', parts: [{ functionCall: { name: 'read', args: { p: 'a' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'read', response: { output: 'A' } } }] },
      ],
    };
    const a = decodeRequest(body, ctx);
    const b = decodeRequest(structuredClone(body), ctx);
    expect(a.messages).toEqual(b.messages); // stable across re-sends

    const [read1, ls] = a.messages[1].parts as ToolCallPart[];
    const [lsResult, readResult] = a.messages[2].parts as ToolResultPart[];
    expect(isSynthesizedCallId(read1.id)).toBe(true);
    expect(read1.id).not.toBe(ls.id);
    expect(lsResult).toEqual({ type: 'tool_result', callId: ls.id, name: 'ls', content: [{ type: 'text', text: 'x y' }] });
    expect(readResult).toEqual({ type: 'tool_result', callId: read1.id, name: 'read', content: [{ type: 'text', text: 'no such file' }], isError: true });

    const read2 = a.messages[3].parts[0] as ToolCallPart;
    expect(read2.id).not.toBe(read1.id);
    expect((a.messages[4].parts[0] as ToolResultPart).callId).toBe(read2.id);
  });

  it('functionResponse shapes: output, error, other objects, multimodal parts', () => {
    const req = decodeRequest(
      {
        contents: [
          { role: 'model', parts: [{ functionCall: { id: 'c1', name: 'f' } }, { functionCall: { id: 'c2', name: 'g' } }, { functionCall: { id: 'c3', name: 'h' } }] },
          {
            role: 'user',
            parts: [
              { functionResponse: { id: 'c1', name: 'f', response: { output: { rows: 2 } } } },
              { functionResponse: { id: 'c2', name: 'g', response: { temperature: 21, unit: 'C' } } },
              {
                functionResponse: {
                  id: 'c3',
                  name: 'h',
                  response: {},
                  parts: [{ inlineData: { mimeType: 'image/png', data: 'iVBOR' } }],
                },
              },
              { inlineData: { mimeType: 'application/pdf', data: 'JVBER' } },
            ],
          },
        ],
      },
      ctx,
    );
    const parts = req.messages[1].parts;
    expect(parts[0]).toMatchObject({ callId: 'c1', content: [{ type: 'text', text: '{"rows":2}' }] });
    expect(parts[1]).toMatchObject({ callId: 'c2', content: [{ type: 'text', text: '{"temperature":21,"unit":"C"}' }] });
    expect(parts[2]).toEqual({
      type: 'tool_result',
      callId: 'c3',
      name: 'h',
      content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBOR' } }],
    });
    expect(parts[3]).toEqual({ type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' } });
  });

  it('inlineData / fileData map to image, document, url and file sources', () => {
    const req = decodeRequest(
      {
        contents: [
          {
            parts: [
              { inline_data: { mime_type: 'image/jpeg', data: 'abc' } },
              { fileData: { mimeType: 'application/pdf', fileUri: 'https://example.com/a.pdf' } },
              { fileData: { fileUri: 'https://example.com/cat.png' } },
              { fileData: { mimeType: 'video/mp4', fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc123' } },
              { file_data: { file_uri: 'gs://bucket/x.png', mime_type: 'image/png' } },
            ],
          },
        ],
      },
      ctx,
    );
    expect(req.messages[0].parts).toEqual([
      { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: 'abc' } },
      { type: 'document', source: { kind: 'url', url: 'https://example.com/a.pdf', mediaType: 'application/pdf' } },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' } },
      { type: 'document', source: { kind: 'file', fileId: 'https://generativelanguage.googleapis.com/v1beta/files/abc123', mediaType: 'video/mp4' } },
      { type: 'image', source: { kind: 'file', fileId: 'gs://bucket/x.png', mediaType: 'image/png' } },
    ]);
  });

  it('accepts snake_case field names throughout', () => {
    const req = decodeRequest(
      {
        system_instruction: { parts: [{ text: 'be brief' }] },
        contents: [
          { role: 'user', parts: [{ text: 'q' }] },
          { role: 'model', parts: [{ function_call: { name: 'f', args: {} }, thought_signature: 'sig' }] },
          { role: 'user', parts: [{ function_response: { name: 'f', response: { output: 'ok' } } }] },
        ],
        tools: [{ function_declarations: [{ name: 'f', parameters_json_schema: { type: 'object', properties: { a: { type: 'string' } } } }] }],
        tool_config: { function_calling_config: { mode: 'ANY', allowed_function_names: ['f'] } },
        generation_config: {
          max_output_tokens: 100,
          top_p: 0.5,
          top_k: 3,
          stop_sequences: ['END'],
          candidate_count: 1,
          presence_penalty: 0.1,
          frequency_penalty: 0.2,
          response_mime_type: 'application/json',
          thinking_config: { thinking_budget: 2048, include_thoughts: false },
        },
        safety_settings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
        cached_content: 'cachedContents/abc',
      },
      ctx,
    );
    expect(req.system).toEqual([{ type: 'text', text: 'be brief' }]);
    expect(req.messages[1].parts[0]).toMatchObject({ type: 'tool_call', name: 'f', signature: { origin: 'gemini', value: 'sig' } });
    expect(req.messages[2].parts[0]).toMatchObject({ type: 'tool_result', name: 'f', callId: (req.messages[1].parts[0] as ToolCallPart).id });
    expect(req.tools).toEqual([{ name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } } } }]);
    expect(req.toolChoice).toEqual({ type: 'tool', name: 'f' });
    expect(req).toMatchObject({ maxTokens: 100, topP: 0.5, topK: 3, stop: ['END'], n: 1, presencePenalty: 0.1, frequencyPenalty: 0.2 });
    expect(req.responseFormat).toEqual({ type: 'json' });
    expect(req.reasoning).toEqual({ enabled: true, budgetTokens: 2048, includeThoughts: false });
    expect(req.extras.gemini).toEqual({
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
      cachedContent: 'cachedContents/abc',
    });
  });

  it('systemInstruction as a string', () => {
    expect(decodeRequest({ contents: [], systemInstruction: 'sys' }, ctx).system).toEqual([{ type: 'text', text: 'sys' }]);
  });
});

describe('decodeRequest: tools, tool config, generation config', () => {
  const ctx = { pathModel: 'gemini-2.5-flash' };

  it('Gemini Schema parameters become JSON Schema; server tools go to extras', () => {
    const req = decodeRequest(
      {
        contents: [],
        tools: [
          {
            functionDeclarations: [
              {
                name: 'find',
                description: 'Find things',
                parameters: {
                  type: 'OBJECT',
                  properties: {
                    q: { type: 'STRING', nullable: true },
                    kind: { type: 'STRING', format: 'enum', enum: ['a', 'b'] },
                    tags: { type: 'ARRAY', items: { type: 'STRING' }, maxItems: '5' },
                    n: { type: 'INTEGER', format: 'int64' },
                  },
                  required: ['q'],
                  propertyOrdering: ['q', 'kind', 'tags'],
                },
              },
              { name: 'noargs' },
            ],
          },
          { googleSearch: {} },
          { codeExecution: {} },
        ],
      },
      ctx,
    );
    expect(req.tools).toEqual([
      {
        name: 'find',
        description: 'Find things',
        parameters: {
          type: 'object',
          properties: {
            q: { type: ['string', 'null'] },
            kind: { type: 'string', enum: ['a', 'b'] },
            tags: { type: 'array', items: { type: 'string' }, maxItems: 5 },
            n: { type: 'integer' },
          },
          required: ['q'],
        },
      },
      { name: 'noargs', parameters: { type: 'object', properties: {} } },
    ]);
    expect(req.extras.gemini).toEqual({ serverTools: [{ googleSearch: {} }, { codeExecution: {} }] });
  });

  it.each([
    [{ mode: 'AUTO' }, { type: 'auto' }, undefined],
    [{ mode: 'VALIDATED' }, { type: 'auto' }, undefined],
    [{ mode: 'NONE' }, { type: 'none' }, undefined],
    [{ mode: 'ANY' }, { type: 'required' }, undefined],
    [{ mode: 'ANY', allowedFunctionNames: ['a'] }, { type: 'tool', name: 'a' }, undefined],
    [{ mode: 'ANY', allowedFunctionNames: ['a', 'b'] }, { type: 'required' }, ['a', 'b']],
  ])('functionCallingConfig %j', (fcc, choice, allowed) => {
    const req = decodeRequest({ contents: [], toolConfig: { functionCallingConfig: fcc } }, ctx);
    expect(req.toolChoice).toEqual(choice);
    expect(req.extras.gemini?.allowedFunctionNames).toEqual(allowed);
  });

  it.each([
    [{ thinkingBudget: 0 }, { enabled: false }],
    [{ thinkingBudget: -1 }, { enabled: true }],
    [{ thinkingBudget: 4096, includeThoughts: true }, { enabled: true, budgetTokens: 4096, includeThoughts: true }],
    [{ thinkingLevel: 'LOW' }, { enabled: true, effort: 'low' }],
    [{ thinkingLevel: 'minimal' }, { enabled: true, effort: 'minimal' }],
    [{ thinkingLevel: 'MEDIUM' }, { enabled: true, effort: 'medium' }],
    [{ includeThoughts: true }, { enabled: true, includeThoughts: true }],
    [{}, undefined],
  ])('thinkingConfig %j', (thinkingConfig, reasoning) => {
    expect(decodeRequest({ contents: [], generationConfig: { thinkingConfig } }, ctx).reasoning).toEqual(reasoning);
  });

  it('responseSchema (OpenAPI) and leftovers', () => {
    const req = decodeRequest(
      {
        contents: [],
        generationConfig: {
          responseMimeType: 'text/x.enum',
          responseSchema: { type: 'STRING', enum: ['yes', 'no'] },
          responseModalities: ['TEXT'],
          seed: 7,
        },
        labels: { team: 'a' },
      },
      ctx,
    );
    expect(req.responseFormat).toEqual({ type: 'json_schema', schema: { type: 'string', enum: ['yes', 'no'] } });
    expect(req.seed).toBe(7);
    expect(req.extras.gemini).toEqual({ responseMimeType: 'text/x.enum', generationConfig: { responseModalities: ['TEXT'] }, labels: { team: 'a' } });
  });
});

describe('decodeRequest: errors name the field', () => {
  const ctx = { pathModel: 'gemini-2.5-flash' };
  it.each([
    ['not an object', [], 'The request body must be a JSON object'],
    ['no contents', {}, 'contents is required'],
    ['content not an object', { contents: ['hi'] }, 'contents[0] must be an object'],
    ['no parts', { contents: [{ role: 'user' }] }, 'contents[0].parts is required'],
    ['bad role', { contents: [{ role: 'system', parts: [] }] }, 'contents[0].role must be "user" or "model"'],
    ['text not a string', { contents: [{ parts: [{ text: 5 }] }] }, 'contents[0].parts[0].text must be a string'],
    ['call without name', { contents: [{ role: 'model', parts: [{ functionCall: { args: {} } }] }] }, 'contents[0].parts[0].functionCall.name is required'],
    ['call in user turn', { contents: [{ role: 'user', parts: [{ functionCall: { name: 'f' } }] }] }, 'contents[0].parts[0].functionCall belongs in a "model" turn'],
    ['response in model turn', { contents: [{ role: 'model', parts: [{ functionResponse: { name: 'f' } }] }] }, 'contents[0].parts[0].functionResponse belongs in a "user" turn'],
    ['inlineData without data', { contents: [{ parts: [{ inlineData: { mimeType: 'image/png' } }] }] }, 'contents[0].parts[0].inlineData.data is required'],
    ['temperature', { contents: [], generationConfig: { temperature: 'hot' } }, 'generationConfig.temperature must be a number'],
    ['stop', { contents: [], generationConfig: { stopSequences: [1] } }, 'generationConfig.stopSequences must be a list of strings'],
    ['declaration name', { contents: [], tools: [{ functionDeclarations: [{}] }] }, 'tools[0].functionDeclarations[0].name is required'],
    ['thinking budget', { contents: [], generationConfig: { thinkingConfig: { thinkingBudget: 'lots' } } }, 'generationConfig.thinkingConfig.thinkingBudget must be a number'],
  ])('%s', (_name, body, message) => {
    const err = errorOf(() => decodeRequest(body, ctx));
    expect(err.kind).toBe('invalid_request');
    expect(err.message).toContain(message);
  });

  it('ignores unknown fields and unknown part kinds', () => {
    const req = decodeRequest({ contents: [{ parts: [{ videoMetadata: {} }, { text: 'x', future: 1 }] }], somethingNew: true }, ctx);
    expect(req.messages[0].parts).toEqual([{ type: 'text', text: 'x' }]);
  });
});

describe('toJsonSchema', () => {
  it('is idempotent on JSON Schema', () => {
    const s = { type: 'object', properties: { a: { type: ['string', 'null'] }, b: { anyOf: [{ type: 'integer' }] } }, additionalProperties: false };
    expect(toJsonSchema(s)).toEqual(s);
    expect(toJsonSchema(toJsonSchema(s))).toEqual(s);
  });

  it('folds nullable into anyOf when there is no type', () => {
    expect(toJsonSchema({ anyOf: [{ type: 'STRING' }, { type: 'INTEGER' }], nullable: true })).toEqual({
      anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }],
    });
  });
});
