import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../canonical/errors.js';
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../../canonical/types.js';
import { openaiChatCodec as codec } from './index.js';

// Everything this codec produces for clients or sends upstream is checked against OpenAI's own
// OpenAPI document: CreateChatCompletionResponse, CreateChatCompletionStreamResponse,
// CreateChatCompletionRequest and ErrorResponse. A small validator covering the keywords those
// schemas use (no dependency to install).

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures');
const spec = JSON.parse(readFileSync(join(FIXTURES, 'openai-openapi.json'), 'utf8')) as {
  components: { schemas: Record<string, Schema> };
};
type Schema = { [k: string]: unknown };

function resolve(s: Schema): Schema {
  let cur = s;
  while (typeof cur.$ref === 'string') cur = spec.components.schemas[cur.$ref.replace('#/components/schemas/', '')];
  return cur;
}

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'null':
      return v === null;
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    default:
      return typeof v === t;
  }
}

function check(schema: Schema, v: unknown, path: string, errs: string[]): void {
  if (v === null && schema.nullable === true) return; // OpenAPI 3.1 allows `nullable` beside `$ref`
  const s = resolve(schema);
  if (v === null && s.nullable === true) return;
  if (Array.isArray(s.allOf)) for (const sub of s.allOf as Schema[]) check(sub, v, path, errs);
  if (Array.isArray(s.anyOf) && !(s.anyOf as Schema[]).some((sub) => valid(sub, v))) errs.push(`${path}: matches no anyOf branch`);
  if (Array.isArray(s.oneOf)) {
    const n = (s.oneOf as Schema[]).filter((sub) => valid(sub, v)).length;
    if (n !== 1) errs.push(`${path}: matches ${n} oneOf branches`);
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => typeOk(t, v))) {
      errs.push(`${path}: expected ${types.join('|')}, got ${JSON.stringify(v)?.slice(0, 60)}`);
      return;
    }
  }
  if (Array.isArray(s.enum) && !s.enum.includes(v)) errs.push(`${path}: ${JSON.stringify(v)} not in enum`);
  if ('const' in s && s.const !== v) errs.push(`${path}: must be ${JSON.stringify(s.const)}`);
  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) errs.push(`${path}: below minimum`);
    if (typeof s.maximum === 'number' && v > s.maximum) errs.push(`${path}: above maximum`);
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === 'number' && v.length < s.minItems) errs.push(`${path}: fewer than ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && v.length > s.maxItems) errs.push(`${path}: more than ${s.maxItems} items`);
    if (s.items) v.forEach((item, i) => check(s.items as Schema, item, `${path}[${i}]`, errs));
  }
  if (typeOk('object', v)) {
    const o = v as Record<string, unknown>;
    for (const r of (s.required as string[] | undefined) ?? []) if (!(r in o)) errs.push(`${path}: missing required ${r}`);
    const props = (s.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, val] of Object.entries(o)) {
      if (props[k]) check(props[k], val, `${path}.${k}`, errs);
      else if (s.additionalProperties === false) errs.push(`${path}: unexpected property ${k}`);
      else if (typeOk('object', s.additionalProperties)) check(s.additionalProperties as Schema, val, `${path}.${k}`, errs);
    }
  }
}

function valid(schema: Schema, v: unknown): boolean {
  const errs: string[] = [];
  check(schema, v, '', errs);
  return errs.length === 0;
}

function expectConforms(name: string, v: unknown): void {
  const errs: string[] = [];
  check({ $ref: `#/components/schemas/${name}` }, v, name, errs);
  expect(errs).toEqual([]);
}

// ---------------------------------------------------------------------------------------------

const usage = { inputTokens: 100, outputTokens: 20, cachedInputTokens: 60, reasoningTokens: 5, cacheCreationTokens: 3 };
const responses: CanonicalResponse[] = [
  { id: 'msg_1', model: 'u', created: 1, parts: [{ type: 'text', text: 'hi' }], finishReason: 'stop', usage },
  {
    id: 'chatcmpl-2',
    model: 'u',
    created: 1,
    parts: [
      { type: 'thinking', text: 'hmm' },
      { type: 'tool_call', id: 'a', name: 'f', arguments: { x: 1 } },
      { type: 'tool_call', id: 'b', name: 'g', arguments: '{"broken"' },
    ],
    finishReason: 'tool_calls',
    usage,
  },
  { id: 'x', model: 'u', created: 1, parts: [{ type: 'text', text: 'No.' }], finishReason: 'refusal', usage },
  { id: 'x', model: 'u', created: 1, parts: [], finishReason: 'pause', usage: { inputTokens: 0, outputTokens: 0 } },
  { id: 'x', model: 'u', created: 1, parts: [{ type: 'text', text: 'cut' }], finishReason: 'length', usage },
  { id: 'x', model: 'u', created: 1, parts: [], finishReason: 'content_filter', usage },
];

describe('openai-chat conformance with OpenAI OpenAPI', () => {
  it('the validator rejects what the spec rejects', () => {
    const errs: string[] = [];
    check({ $ref: '#/components/schemas/CreateChatCompletionResponse' }, { id: 'x', object: 'chat.completion', created: 1.5, choices: [{}] }, '', errs);
    expect(errs.length).toBeGreaterThan(3);
  });

  it('encodeResponse → CreateChatCompletionResponse', () => {
    for (const r of responses) expectConforms('CreateChatCompletionResponse', codec.encodeResponse(r, { requestModel: 'gpt-4o' }));
  });

  it('recorded upstream answers, decoded and re-encoded → CreateChatCompletionResponse', () => {
    for (const f of ['openai-chat/openai-text.json', 'deepseek-chat/deepseek-tool-call.json', 'openai-compatible/xai-text.json']) {
      const body = JSON.parse(readFileSync(join(FIXTURES, 'vendor-recordings', f), 'utf8'));
      expectConforms('CreateChatCompletionResponse', codec.encodeResponse(codec.decodeResponse(body), { requestModel: 'm' }));
    }
  });

  it('every stream chunk → CreateChatCompletionStreamResponse; errors → ErrorResponse', () => {
    const scenarios: StreamEvent[][] = [
      [
        { type: 'start', id: 'msg_1', model: 'u', created: 1 },
        { type: 'part_start', index: 0, part: { type: 'thinking' } },
        { type: 'thinking_delta', index: 0, text: 't' },
        { type: 'part_start', index: 1, part: { type: 'text' } },
        { type: 'text_delta', index: 1, text: 'x' },
        { type: 'part_start', index: 2, part: { type: 'tool_call', id: 'a', name: 'f' } },
        { type: 'tool_args_delta', index: 2, json: '{"a":1}' },
        { type: 'part_start', index: 3, part: { type: 'tool_call', id: 'b', name: 'g' } },
        { type: 'usage', usage: { inputTokens: 5, outputTokens: 3 } },
        { type: 'finish', reason: 'tool_calls' },
      ],
      [{ type: 'start', id: 'x', model: 'u', created: 1 }, { type: 'finish', reason: 'refusal', usage }],
      [{ type: 'text_delta', index: 0, text: 'lazy' }, { type: 'finish', reason: 'pause' }],
      [{ type: 'start', id: 'x', model: 'u', created: 1 }, { type: 'error', error: { kind: 'rate_limit', status: 429, message: 'slow' } }],
      [{ type: 'start', id: 'x', model: 'u', created: 1 }, { type: 'finish', reason: 'error' }],
    ];
    for (const includeUsage of [true, false]) {
      for (const events of scenarios) {
        const enc = codec.createStreamEncoder({ requestModel: 'gpt-4o', includeUsage });
        const wire = events.map((e) => enc.push(e)).join('') + enc.end();
        for (const frame of wire.split('\n\n').filter(Boolean)) {
          expect(frame.startsWith('data: ')).toBe(true);
          const data = frame.slice(6);
          if (data === '[DONE]') continue;
          const json = JSON.parse(data);
          expectConforms(json.error ? 'ErrorResponse' : 'CreateChatCompletionStreamResponse', json);
        }
      }
    }
  });

  it('encodeRequest → CreateChatCompletionRequest', () => {
    const req: CanonicalRequest = {
      model: 'client',
      system: [{ type: 'text', text: 'sys' }],
      messages: [
        {
          role: 'user',
          parts: [
            { type: 'text', text: 'look' },
            { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAA' }, detail: 'high' },
            { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'UERG' }, filename: 'a.pdf' },
            { type: 'document', source: { kind: 'file', fileId: 'file-1' } },
          ],
        },
        {
          role: 'assistant',
          parts: [
            { type: 'thinking', text: 'plan', signature: { origin: 'anthropic', value: 's' } },
            { type: 'tool_call', id: 'a', name: 'f', arguments: { q: 1 } },
          ],
        },
        {
          role: 'user',
          parts: [
            { type: 'tool_result', callId: 'a', content: [{ type: 'text', text: 'r' }, { type: 'image', source: { kind: 'url', url: 'https://x.test/i.png' } }] },
            { type: 'text', text: 'more' },
          ],
        },
        { role: 'system', parts: [{ type: 'text', text: 'late' }] },
        { role: 'assistant', parts: [] },
        { role: 'user', parts: [{ type: 'text', text: 'end' }] },
      ],
      tools: [{ name: 'f', description: 'F', parameters: { type: 'object', properties: {} }, strict: true }],
      toolChoice: { type: 'tool', name: 'f' },
      parallelToolCalls: true,
      maxTokens: 100,
      temperature: 0.5,
      topP: 0.9,
      topK: 3,
      stop: ['x'],
      seed: 1,
      n: 1,
      presencePenalty: 0,
      frequencyPenalty: 0,
      responseFormat: { type: 'json_schema', schema: { type: 'object' }, strict: true },
      reasoning: { enabled: true, effort: 'xhigh' },
      stream: true,
      streamUsage: false,
      user: 'u',
      extras: { 'openai-chat': { service_tier: 'flex', verbosity: 'low', metadata: { a: 'b' }, store: false } },
    };
    for (const model of ['gpt-5', 'deepseek-chat']) expectConforms('CreateChatCompletionRequest', codec.encodeRequest(req, { upstreamModel: model }));
    expectConforms('CreateChatCompletionRequest', codec.encodeRequest({ ...req, responseFormat: { type: 'json' }, toolChoice: { type: 'auto' } }, { upstreamModel: 'o3' }));
  });

  it('encodeError → ErrorResponse', () => {
    expectConforms('ErrorResponse', codec.encodeError(new GatewayError('invalid_request', 'bad')).body);
  });
});
