import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../../canonical/types.js';
import { geminiCodec } from './index.js';

// The official SDK (@google/genai) against Switchyard's Gemini encoders, served from a local server:
// the client's request goes through decodeRequest, the scripted canonical answer through the
// encoders, and the SDK must read text, function calls and finish reasons from it.

interface Seen {
  url: string;
  request: CanonicalRequest;
}

let server: Server;
let ai: GoogleGenAI;
const seen: Seen[] = [];
let script: { events?: StreamEvent[]; response?: CanonicalResponse } = {};

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const m = /\/models\/([^:]+):(generateContent|streamGenerateContent)$/.exec(url.pathname);
  if (!m) {
    res.writeHead(404).end();
    return;
  }
  const stream = m[2] === 'streamGenerateContent';
  const request = geminiCodec.decodeRequest(await readBody(req), { pathModel: decodeURIComponent(m[1]), pathStream: stream });
  seen.push({ url: `${url.pathname}${url.search}`, request });
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(geminiCodec.encodeResponse(script.response!, { requestModel: request.model })));
    return;
  }
  const sse = url.searchParams.get('alt') === 'sse';
  res.writeHead(200, { 'content-type': sse ? 'text/event-stream' : 'application/json' });
  const enc = geminiCodec.createStreamEncoder({ requestModel: request.model, geminiSse: sse });
  for (const e of script.events ?? []) {
    const text = enc.push(e);
    if (text) res.write(text);
    await new Promise((r) => setImmediate(r)); // let frames arrive separately
  }
  res.end(enc.end());
}

beforeAll(async () => {
  server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 500, message: String(err), status: 'INTERNAL' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: `http://127.0.0.1:${port}` } });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const start: StreamEvent = { type: 'start', id: 'resp-sdk', model: 'upstream-model', created: 0 };

async function collect(stream: AsyncGenerator<GenerateContentResponse>): Promise<GenerateContentResponse[]> {
  const out: GenerateContentResponse[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

describe('@google/genai against the Gemini encoders', () => {
  it('generateContentStream: text and finishReason', async () => {
    script = {
      events: [
        start,
        { type: 'part_start', index: 0, part: { type: 'thinking' } },
        { type: 'thinking_delta', index: 0, text: 'Counting letters…' },
        { type: 'part_end', index: 0 },
        { type: 'part_start', index: 1, part: { type: 'text' } },
        { type: 'text_delta', index: 1, text: 'There are ' },
        { type: 'text_delta', index: 1, text: '3 r’s.' },
        { type: 'part_end', index: 1 },
        { type: 'finish', reason: 'stop', usage: { inputTokens: 9, outputTokens: 40, reasoningTokens: 30 } },
      ],
    };
    const chunks = await collect(
      await ai.models.generateContentStream({
        model: 'gemini-3-pro-preview',
        contents: 'How many r in strawberry?',
        config: { thinkingConfig: { includeThoughts: true, thinkingLevel: 'LOW' as never }, temperature: 0.5 },
      }),
    );
    const last = seen.at(-1)!;
    expect(last.url).toMatch(/\/models\/gemini-3-pro-preview:streamGenerateContent\?alt=sse$/);
    expect(last.request).toMatchObject({ model: 'gemini-3-pro-preview', stream: true, temperature: 0.5, reasoning: { enabled: true, effort: 'low', includeThoughts: true } });
    expect(last.request.messages).toEqual([{ role: 'user', parts: [{ type: 'text', text: 'How many r in strawberry?' }] }]);

    const text = chunks.map((c) => c.candidates?.[0]?.content?.parts?.filter((p) => !p.thought).map((p) => p.text ?? '').join('') ?? '').join('');
    expect(text).toBe('There are 3 r’s.');
    const thoughts = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts?.filter((p) => p.thought) ?? []);
    expect(thoughts.map((p) => p.text)).toEqual(['Counting letters…']);
    const final = chunks.at(-1)!;
    expect(final.candidates?.[0]?.finishReason).toBe('STOP');
    expect(final.usageMetadata).toMatchObject({ promptTokenCount: 9, candidatesTokenCount: 10, thoughtsTokenCount: 30, totalTokenCount: 49 });
    expect(final.responseId).toBe('resp-sdk');
    expect(final.modelVersion).toBe('gemini-3-pro-preview');
  });

  it('generateContentStream: function calls with ids and a signature', async () => {
    script = {
      events: [
        start,
        { type: 'part_start', index: 0, part: { type: 'tool_call', id: 'call_1', name: 'get_weather' } },
        { type: 'signature', index: 0, signature: { origin: 'gemini', value: 'SIG' } },
        { type: 'tool_args_delta', index: 0, json: '{"city":"Pa' },
        { type: 'tool_args_delta', index: 0, json: 'ris"}' },
        { type: 'part_end', index: 0 },
        { type: 'part_start', index: 1, part: { type: 'tool_call', id: 'call_2', name: 'get_time' } },
        { type: 'tool_args_delta', index: 1, json: '{}' },
        { type: 'finish', reason: 'tool_calls' },
      ],
    };
    const chunks = await collect(
      await ai.models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: [{ role: 'user', parts: [{ text: 'Weather and time in Paris?' }] }],
        config: {
          tools: [
            {
              functionDeclarations: [
                { name: 'get_weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
                { name: 'get_time' },
              ],
            },
          ],
        },
      }),
    );
    expect(seen.at(-1)!.request.tools.map((t) => t.name)).toEqual(['get_weather', 'get_time']);
    const calls = chunks.flatMap((c) => c.functionCalls ?? []);
    expect(calls).toEqual([
      { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } },
      { id: 'call_2', name: 'get_time', args: {} },
    ]);
    const sigPart = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []).find((p) => p.functionCall?.name === 'get_weather');
    expect(sigPart?.thoughtSignature).toBe('SIG');
    expect(chunks.at(-1)!.candidates?.[0]?.finishReason).toBe('STOP');
  });

  it('the SDK echoes the calls back: ids and signature survive the next request', async () => {
    script = { events: [start, { type: 'text_delta', index: 0, text: 'Sunny, 21°C.' }, { type: 'finish', reason: 'stop' }] };
    const chunks = await collect(
      await ai.models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: [
          { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
          { role: 'model', parts: [{ functionCall: { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'SIG' }] },
          { role: 'user', parts: [{ functionResponse: { id: 'call_1', name: 'get_weather', response: { output: 'sunny, 21' } } }] },
        ],
      }),
    );
    expect(chunks.map((c) => c.text ?? '').join('')).toBe('Sunny, 21°C.');
    const { messages } = seen.at(-1)!.request;
    expect(messages[1].parts).toEqual([
      { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' }, signature: { origin: 'gemini', value: 'SIG' } },
    ]);
    expect(messages[2].parts).toEqual([
      { type: 'tool_result', callId: 'call_1', name: 'get_weather', content: [{ type: 'text', text: 'sunny, 21' }] },
    ]);
  });

  it('generateContent: text, function calls and finish reason', async () => {
    script = {
      response: {
        id: 'resp-unary',
        model: 'upstream-model',
        created: 0,
        parts: [
          { type: 'text', text: 'Calling the tool.' },
          { type: 'tool_call', id: 'toolu_9', name: 'lookup', arguments: { q: 'x' } },
        ],
        finishReason: 'tool_calls',
        usage: { inputTokens: 12, outputTokens: 7 },
      },
    };
    const res = await ai.models.generateContent({ model: 'gemini-3-flash-preview', contents: 'look x up' });
    expect(seen.at(-1)!.url).toMatch(/\/models\/gemini-3-flash-preview:generateContent$/);
    expect(res.text).toBe('Calling the tool.');
    expect(res.functionCalls).toEqual([{ id: 'toolu_9', name: 'lookup', args: { q: 'x' } }]);
    expect(res.candidates?.[0]?.finishReason).toBe('STOP');
    expect(res.usageMetadata?.totalTokenCount).toBe(19);
    expect(res.modelVersion).toBe('gemini-3-flash-preview');
  });

  it('generateContent: a blocked answer reads as SAFETY', async () => {
    script = { response: { id: 'r', model: 'm', created: 0, parts: [], finishReason: 'content_filter', usage: { inputTokens: 1, outputTokens: 0 } } };
    const res = await ai.models.generateContent({ model: 'gemini-3-flash-preview', contents: 'x' });
    expect(res.candidates?.[0]?.finishReason).toBe('SAFETY');
    expect(res.text).toBeUndefined();
  });

  it('an in-stream error surfaces as an ApiError', async () => {
    script = { events: [{ type: 'error', error: { kind: 'overloaded', status: 503, message: 'upstream is overloaded' } }] };
    const run = async () => collect(await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi', config: { httpOptions: { retryOptions: { attempts: 1 } } } }));
    const err = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(503);
    expect((err as ApiError).message).toContain('upstream is overloaded');
  });
});
