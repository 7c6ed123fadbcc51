import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../canonical/errors.js';
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../../canonical/types.js';
import { SseParser } from '../../util/sse.js';
import { openaiResponsesCodec as codec } from './index.js';
import { packReasoning } from './reasoning-signature.js';
import { flattenToolName } from './tool-names.js';

// What this codec writes is checked against OpenAI's OpenAPI document (test/fixtures/openai-openapi.json):
// Response for answers, the ResponseStreamEvent variants for every stream frame, CreateResponse for what
// goes upstream and ErrorResponse for HTTP errors. The checker below implements the keywords those
// schemas use; `oneOf` is read as "at least one" because the document's own InputItem union is
// ambiguous (EasyInputMessage and InputMessage both accept a typed user message).

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures');
type Schema = Record<string, unknown>;
const schemas = (JSON.parse(readFileSync(join(FIXTURES, 'openai-openapi.json'), 'utf8')) as { components: { schemas: Record<string, Schema> } }).components
  .schemas;

function deref(s: Schema): Schema {
  let cur = s;
  for (let hops = 0; typeof cur.$ref === 'string' && hops < 20; hops++) cur = schemas[cur.$ref.split('/').pop() ?? ''];
  return cur;
}

function isType(type: string, v: unknown): boolean {
  if (type === 'null') return v === null;
  if (type === 'array') return Array.isArray(v);
  if (type === 'object') return typeof v === 'object' && v !== null && !Array.isArray(v);
  if (type === 'integer') return Number.isInteger(v);
  return typeof v === type;
}

function errorsOf(schema: Schema, v: unknown, path = '$'): string[] {
  const errs: string[] = [];
  validate(schema, v, path, errs);
  return errs;
}

/** Branches of a union worth trying: with a discriminator, those whose tag admits the value's tag. */
function candidates(s: Schema, branches: Schema[], v: unknown): Schema[] {
  const tag = (s.discriminator as { propertyName?: string } | undefined)?.propertyName;
  if (!tag || !isType('object', v)) return branches;
  const value = (v as Record<string, unknown>)[tag];
  const admits = (b: Schema): boolean => {
    const r = deref(b);
    const prop = deref(((r.properties as Record<string, Schema> | undefined) ?? {})[tag] ?? {});
    if (Array.isArray(r.oneOf) || Array.isArray(r.anyOf) || Array.isArray(r.allOf)) return true;
    return !Array.isArray(prop.enum) || prop.enum.includes(value);
  };
  return branches.filter(admits);
}

function validate(schema: Schema, v: unknown, path: string, errs: string[]): void {
  if (v === null && schema.nullable === true) return;
  const s = deref(schema);
  if (v === null && s.nullable === true) return;
  for (const sub of (s.allOf as Schema[] | undefined) ?? []) validate(sub, v, path, errs);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = s[key] as Schema[] | undefined;
    if (!branches) continue;
    const tried = candidates(s, branches, v);
    const results = tried.map((b) => errorsOf(b, v, path));
    if (!results.some((r) => r.length === 0)) {
      const closest = results.sort((a, b) => a.length - b.length)[0] ?? [`${path}: no ${key} branch admits it`];
      errs.push(...closest);
    }
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => isType(t, v))) {
      errs.push(`${path}: expected ${types.join('|')}, got ${JSON.stringify(v)?.slice(0, 80)}`);
      return;
    }
  }
  if (Array.isArray(s.enum) && !s.enum.includes(v)) errs.push(`${path}: ${JSON.stringify(v)} is not one of ${JSON.stringify(s.enum)}`);
  if ('const' in s && s.const !== v) errs.push(`${path}: must be ${JSON.stringify(s.const)}`);
  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) errs.push(`${path}: ${v} < minimum ${s.minimum}`);
    if (typeof s.maximum === 'number' && v > s.maximum) errs.push(`${path}: ${v} > maximum ${s.maximum}`);
  }
  if (typeof v === 'string') {
    if (typeof s.maxLength === 'number' && v.length > s.maxLength) errs.push(`${path}: longer than ${s.maxLength}`);
    if (typeof s.minLength === 'number' && v.length < s.minLength) errs.push(`${path}: shorter than ${s.minLength}`);
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(v)) errs.push(`${path}: does not match ${s.pattern}`);
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === 'number' && v.length < s.minItems) errs.push(`${path}: fewer than ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && v.length > s.maxItems) errs.push(`${path}: more than ${s.maxItems} items`);
    if (isType('object', s.items)) v.forEach((item, i) => validate(s.items as Schema, item, `${path}[${i}]`, errs));
  }
  if (isType('object', v)) {
    const obj = v as Record<string, unknown>;
    for (const key of (s.required as string[] | undefined) ?? []) if (!(key in obj)) errs.push(`${path}: missing required ${key}`);
    const props = (s.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, value] of Object.entries(obj)) {
      if (props[key]) validate(props[key], value, `${path}.${key}`, errs);
      else if (s.additionalProperties === false) errs.push(`${path}: unexpected property ${key}`);
      else if (isType('object', s.additionalProperties)) validate(s.additionalProperties as Schema, value, `${path}.${key}`, errs);
    }
  }
}

const conforms = (name: string, value: unknown): void => {
  expect(schemas[name], name).toBeDefined();
  expect(errorsOf(schemas[name], value), `${name}: ${JSON.stringify(value).slice(0, 300)}`).toEqual([]);
};

/** Stream event schema by its `type`, from the ResponseStreamEvent union. */
const eventSchemas = new Map<string, string>();
for (const ref of (schemas.ResponseStreamEvent.anyOf as Schema[]).map((b) => String(b.$ref).split('/').pop() ?? '')) {
  const type = deref((schemas[ref].properties as Record<string, Schema>).type).enum as string[];
  eventSchemas.set(type[0], ref);
}

// ---------------------------------------------------------------------------------------------

const ctx = { requestModel: 'gpt-5-codex' };
const usage = { inputTokens: 10, outputTokens: 5, cachedInputTokens: 2, reasoningTokens: 1 };
const ns = flattenToolName('multi_agent_v1', 'spawn_agent');

const answers: [string, CanonicalResponse][] = [
  ['text', { id: 'msg_1', model: 'x', created: 1, parts: [{ type: 'text', text: 'hi' }], finishReason: 'stop', usage }],
  [
    'reasoning + calls',
    {
      id: 'resp_2',
      model: 'x',
      created: 1,
      finishReason: 'tool_calls',
      usage,
      parts: [
        { type: 'thinking', text: 'plan', signature: { origin: 'openai-responses', value: packReasoning('rs_1', 'E') } },
        { type: 'thinking', text: '', redacted: true, signature: { origin: 'anthropic', value: 'R' } },
        { type: 'tool_call', id: 'c1', name: ns, arguments: { a: 1 } },
        { type: 'tool_call', id: 'c2', name: 'f', arguments: {}, signature: { origin: 'gemini', value: 'G' } },
      ],
    },
  ],
  ['refusal', { id: 'r', model: 'x', created: 1, parts: [{ type: 'text', text: 'no' }], finishReason: 'refusal', usage }],
  ['length', { id: 'r', model: 'x', created: 1, parts: [{ type: 'text', text: 'par' }], finishReason: 'length', usage }],
  ['content filter', { id: 'r', model: 'x', created: 1, parts: [], finishReason: 'content_filter', usage }],
  ['error', { id: 'r', model: 'x', created: 1, parts: [], finishReason: 'error', usage }],
];

const START: StreamEvent = { type: 'start', id: 'msg_1', model: 'x', created: 1 };
const streamsToCheck: [string, StreamEvent[]][] = [
  [
    'everything',
    [
      START,
      { type: 'part_start', index: 0, part: { type: 'thinking' } },
      { type: 'thinking_delta', index: 0, text: 'hm' },
      { type: 'signature', index: 0, signature: { origin: 'openai-responses', value: 'E' } },
      { type: 'part_end', index: 0 },
      { type: 'part_start', index: 1, part: { type: 'text' } },
      { type: 'text_delta', index: 1, text: 'ok' },
      { type: 'part_start', index: 2, part: { type: 'tool_call', id: 'c1', name: ns } },
      { type: 'signature', index: 2, signature: { origin: 'gemini', value: 'G' } },
      { type: 'tool_args_delta', index: 2, json: '{"a":1}' },
      { type: 'part_end', index: 2 },
      { type: 'usage', usage: { inputTokens: 10 } },
      { type: 'finish', reason: 'tool_calls', usage },
    ],
  ],
  ['incomplete', [START, { type: 'text_delta', index: 0, text: 'x' }, { type: 'finish', reason: 'length' }]],
  ['error', [START, { type: 'text_delta', index: 0, text: 'x' }, { type: 'error', error: { kind: 'overloaded', status: 503, message: 'busy' } }]],
  ['redacted only', [START, { type: 'signature', index: 0, signature: { origin: 'anthropic', value: 'R' } }, { type: 'finish', reason: 'stop', usage }]],
];

describe('conformance with the OpenAPI document', () => {
  it('the checker catches a broken object', () => {
    expect(errorsOf(schemas.Response, { id: 1 }).length).toBeGreaterThan(3);
    expect(errorsOf(schemas.ResponseUsage, { input_tokens: 1 })).toContain('$: missing required output_tokens');
    const delta = { type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: 'a', sequence_number: 1 };
    expect(errorsOf(schemas.ResponseTextDeltaEvent, delta)).toEqual(['$: missing required logprobs']);
    // through the OutputItem union (discriminated by type) down to the content part
    const response = codec.encodeResponse(answers[0][1], ctx) as unknown as { output: { content: Record<string, unknown>[] }[] };
    delete response.output[0].content[0].logprobs;
    expect(errorsOf(schemas.Response, response)).toEqual(['$.output[0].content[0]: missing required logprobs']);
  });

  for (const [name, res] of answers) {
    it(`encodeResponse (${name}) is a valid Response`, () => conforms('Response', codec.encodeResponse(res, ctx)));
  }

  for (const [name, events] of streamsToCheck) {
    it(`every frame of the ${name} stream is a valid ResponseStreamEvent of its type`, () => {
      const enc = codec.createStreamEncoder(ctx);
      const wire = events.map((e) => enc.push(e)).join('') + enc.end();
      const parser = new SseParser();
      const frames = [...parser.push(wire), ...parser.end()];
      expect(frames.length).toBeGreaterThan(3);
      for (const f of frames) {
        const data = JSON.parse(f.data) as { type: string };
        const schema = eventSchemas.get(data.type);
        expect(schema, data.type).toBeDefined();
        conforms(schema ?? '', data);
      }
    });
  }

  it('encodeRequest of the real Codex request is a valid CreateResponse', () => {
    const capture = JSON.parse(readFileSync(join(FIXTURES, 'clients/codex-exec-responses.json'), 'utf8')) as { requests: { body: unknown }[] };
    const req = codec.decodeRequest(capture.requests[0].body, {});
    conforms('CreateResponse', codec.encodeRequest(req, { upstreamModel: 'gpt-5.1-codex' }));
  });

  it('encodeRequest with every part kind is a valid CreateResponse', () => {
    const req: CanonicalRequest = {
      model: 'm',
      system: [{ type: 'text', text: 'sys' }],
      messages: [
        {
          role: 'user',
          parts: [
            { type: 'text', text: 'look' },
            { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AA' }, detail: 'high' },
            { type: 'image', source: { kind: 'file', fileId: 'file-1' } },
            { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JV' } },
            { type: 'document', source: { kind: 'url', url: 'https://x/a.pdf' } },
          ],
        },
        {
          role: 'assistant',
          parts: [
            { type: 'thinking', text: 't', signature: { origin: 'openai-responses', value: packReasoning('rs_1', 'E') } },
            { type: 'text', text: 'calling' },
            { type: 'tool_call', id: 'c1', name: 'f', arguments: { q: 1 } },
          ],
        },
        { role: 'user', parts: [{ type: 'tool_result', callId: 'c1', content: [{ type: 'text', text: 'r' }, { type: 'image', source: { kind: 'url', url: 'https://x/i.png' } }] }] },
        { role: 'system', parts: [{ type: 'text', text: 'later' }] },
      ],
      tools: [{ name: 'f', description: 'd', parameters: { type: 'object', properties: {} } }],
      toolChoice: { type: 'tool', name: 'f' },
      parallelToolCalls: true,
      maxTokens: 100,
      temperature: 1,
      topP: 1,
      responseFormat: { type: 'json_schema', name: 'o', schema: { type: 'object' }, strict: true },
      reasoning: { enabled: true, effort: 'low', includeThoughts: true },
      stream: true,
      user: 'u',
      extras: {},
    };
    conforms('CreateResponse', codec.encodeRequest(req, { upstreamModel: 'gpt-5' }));
  });

  it('HTTP errors are valid ErrorResponse bodies', () => {
    conforms('ErrorResponse', codec.encodeError(new GatewayError('rate_limit', 'slow down')).body);
    conforms('ErrorResponse', codec.encodeError(new GatewayError('invalid_request', 'bad field')).body);
  });
});
