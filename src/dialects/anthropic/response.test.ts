import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../canonical/errors.js';
import { wrapSignature } from '../../canonical/signature.js';
import type { CanonicalResponse } from '../../canonical/types.js';
import { decodeRequest } from './decode-request.js';
import { decodeResponse } from './decode-response.js';
import { encodeResponse } from './encode-response.js';
import { anthropicCodec } from './index.js';

const DIR = new URL('../../../test/fixtures/vendor-recordings/anthropic/', import.meta.url);
const recording = (name: string): unknown => JSON.parse(readFileSync(new URL(name, DIR), 'utf8'));

describe('decodeResponse — recordings', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.error.json'));

  it.each(files)('%s decodes', (file) => {
    const res = decodeResponse(recording(file));
    expect(res.id).toMatch(/^msg_/);
    expect(res.usage.inputTokens).toBeGreaterThan(0);
    // Re-encoding gives a valid Anthropic message again.
    const back = encodeResponse(res, { requestModel: 'client-model' });
    expect(back).toMatchObject({ type: 'message', role: 'assistant', model: 'client-model' });
  });

  it('thinking + text (Claude Opus 5, high effort)', () => {
    const raw = recording('anthropic-claude-opus-5-reasoning-high.1.json') as { content: { signature?: string }[] };
    const res = decodeResponse(raw);
    expect(res.parts[0]).toMatchObject({ type: 'thinking', signature: { origin: 'anthropic', value: raw.content[0].signature } });
    expect(res.parts[1].type).toBe('text');
    expect(res.finishReason).toBe('stop');
  });

  it('tool use without arguments', () => {
    const res = decodeResponse(recording('anthropic-tool-no-args.json'));
    expect(res.parts[1]).toEqual({ type: 'tool_call', id: 'toolu_01LRmxn9vGM1d2DZSDBowdZ1', name: 'updateIssueList', arguments: {} });
    expect(res.finishReason).toBe('tool_calls');
    expect(res.usage).toEqual({ inputTokens: 602, outputTokens: 93, cachedInputTokens: 0, cacheCreationTokens: 0 });
  });

  it('refusal with and without stop_details', () => {
    expect(decodeResponse(recording('anthropic-refusal.json'))).toMatchObject({ parts: [], finishReason: 'refusal' });
    expect(decodeResponse(recording('anthropic-refusal-no-details.json'))).toMatchObject({ parts: [], finishReason: 'refusal' });
  });

  it('server tool blocks are dropped, the text around them kept', () => {
    const res = decodeResponse(recording('anthropic-web-fetch-tool.error.json'));
    expect(res.parts.map((p) => p.type)).toEqual(['text', 'text']);
  });

  it('an error body throws the upstream error', () => {
    try {
      decodeResponse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
      throw new Error('expected a throw');
    } catch (err) {
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).kind).toBe('overloaded');
      expect((err as GatewayError).message).toBe('Overloaded');
    }
    expect(() => decodeResponse('nope')).toThrow(GatewayError);
  });

  it('cache counters fold into inputTokens', () => {
    const res = decodeResponse({
      id: 'msg_1',
      type: 'message',
      model: 'm',
      content: [{ type: 'text', text: 'x' }],
      stop_reason: 'stop_sequence',
      stop_sequence: '###',
      usage: { input_tokens: 3, cache_read_input_tokens: 1000, cache_creation_input_tokens: 50, output_tokens: 9, output_tokens_details: { thinking_tokens: 4 } },
    });
    expect(res.usage).toEqual({ inputTokens: 1053, outputTokens: 9, cachedInputTokens: 1000, cacheCreationTokens: 50, reasoningTokens: 4 });
    expect(res).toMatchObject({ finishReason: 'stop', stopSequence: '###' });
  });
});

describe('encodeResponse', () => {
  const base: CanonicalResponse = {
    id: 'chatcmpl-1',
    model: 'gpt-upstream',
    created: 1,
    parts: [],
    finishReason: 'stop',
    usage: { inputTokens: 1200, outputTokens: 50, cachedInputTokens: 1000, reasoningTokens: 20 },
  };

  it('answers with the requested model and converts usage to Anthropic convention', () => {
    const out = encodeResponse({ ...base, parts: [{ type: 'text', text: 'hi' }] }, { requestModel: 'claude-x' });
    expect(out).toEqual({
      id: 'chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [{ type: 'text', text: 'hi' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 200,
        output_tokens: 50,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 1000,
        output_tokens_details: { thinking_tokens: 20 },
      },
    });
  });

  it.each([
    ['length', undefined, 'max_tokens'],
    ['tool_calls', undefined, 'tool_use'],
    ['content_filter', undefined, 'refusal'],
    ['refusal', undefined, 'refusal'],
    ['pause', undefined, 'pause_turn'],
    ['stop', 'END', 'stop_sequence'],
    ['other', undefined, 'end_turn'],
  ] as const)('finish %s -> %s', (finishReason, stopSequence, expected) => {
    const out = encodeResponse({ ...base, finishReason, stopSequence }, { requestModel: 'm' });
    expect(out.stop_reason).toBe(expected);
    expect(out.stop_sequence).toBe(expected === 'stop_sequence' ? 'END' : null);
  });

  it('signatures are wrapped; a Gemini signature on a tool call rides an empty thinking block before it', () => {
    const out = encodeResponse(
      {
        ...base,
        finishReason: 'stop', // Gemini reports STOP with function calls
        parts: [
          { type: 'thinking', text: 'hmm', signature: { origin: 'anthropic', value: 'native' } },
          { type: 'thinking', text: '', redacted: true, signature: { origin: 'openai-responses', value: 'enc' } },
          { type: 'thinking', text: 'unsigned' },
          { type: 'tool_call', id: 'call_1', name: 'f', arguments: { a: 1 }, signature: { origin: 'gemini', value: 'g' } },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'x' } },
        ],
      },
      { requestModel: 'm' },
    );
    expect(out.content).toEqual([
      { type: 'thinking', thinking: 'hmm', signature: 'native' },
      { type: 'redacted_thinking', data: wrapSignature({ origin: 'openai-responses', value: 'enc' }, 'anthropic') },
      { type: 'thinking', thinking: 'unsigned', signature: '' },
      { type: 'thinking', thinking: '', signature: 'sy1.g.g' },
      { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } },
    ]);
    expect(out.stop_reason).toBe('tool_use');

    // The client sends that turn back: the signature lands on the tool call again, with its origin.
    const req = decodeRequest(
      { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: out.content }] },
      {},
    );
    expect(req.messages[1].parts).toEqual([
      { type: 'thinking', text: 'hmm', signature: { origin: 'anthropic', value: 'native' } },
      { type: 'thinking', text: '', redacted: true, signature: { origin: 'openai-responses', value: 'enc' } },
      { type: 'thinking', text: 'unsigned' },
      { type: 'tool_call', id: 'call_1', name: 'f', arguments: { a: 1 }, signature: { origin: 'gemini', value: 'g' } },
    ]);
  });

  it('the codec object wires everything', () => {
    expect(anthropicCodec.dialect).toBe('anthropic');
    const rendered = anthropicCodec.encodeError(new GatewayError('rate_limit', 'slow down'));
    expect(rendered).toEqual({ status: 429, body: { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } } });
  });
});
