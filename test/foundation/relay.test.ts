// Same-dialect relay through the real gateway, driven by the official SDKs against local upstreams
// that behave like the vendors: plain, streaming and tool calls for each provider type.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { startAnthropicUpstream, startGeminiUpstream, startOpenAIUpstream, type Upstream } from '../upstreams/index.js';

let openaiUp: Upstream;
let anthropicUp: Upstream;
let geminiUp: Upstream;
let gw: RunningGateway;

const TOOL = {
  name: 'run_shell',
  description: 'Run a shell command',
  parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
};

beforeAll(async () => {
  openaiUp = await startOpenAIUpstream({ keys: ['sk-up-openai'] });
  anthropicUp = await startAnthropicUpstream({ keys: ['sk-up-anthropic'] });
  geminiUp = await startGeminiUpstream({ keys: ['up-gemini'] });
  gw = await startGateway({
    providers: [
      { name: 'oa', type: 'openai', base_url: openaiUp.url, api_keys: ['sk-up-openai'], models: ['gpt-*'], responses: true },
      { name: 'an', type: 'anthropic', base_url: `${anthropicUp.url}/v1`, api_keys: ['sk-up-anthropic'], models: ['claude-*'] },
      { name: 'ge', type: 'gemini', base_url: geminiUp.url, api_keys: ['up-gemini'], models: ['gemini-*'] },
    ],
    model_mapping: { 'my-fast': 'gpt-4o-mini' },
  });
});

afterAll(async () => {
  await gw?.close();
  await Promise.all([openaiUp?.close(), anthropicUp?.close(), geminiUp?.close()]);
});

describe('OpenAI SDK → openai provider', () => {
  const client = () => new OpenAI({ apiKey: 'client-key', baseURL: `${gw.url}/v1`, maxRetries: 0 });

  it('answers a chat completion, with the pool key upstream and the client key kept away', async () => {
    const res = await client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi there' }] });
    expect(res.choices[0].message.content).toBe('Hello from the OpenAI upstream. You said: hi there');
    expect(res.choices[0].finish_reason).toBe('stop');
    const seen = openaiUp.requests.at(-1)!;
    expect(seen.key).toBe('sk-up-openai');
    expect(JSON.stringify(seen.headers)).not.toContain('client-key');
  });

  it('maps the model name and sends the mapped name upstream', async () => {
    const res = await client().chat.completions.create({ model: 'my-fast', messages: [{ role: 'user', content: 'x' }] });
    expect(res.choices[0].message.content).toContain('You said: x');
    expect((openaiUp.requests.at(-1)!.body as { model: string }).model).toBe('gpt-4o-mini');
  });

  it('streams, with usage', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello from the OpenAI upstream. You said: stream please');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('relays a streamed tool call', async () => {
    const final = await client()
      .chat.completions.stream({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'use the tool' }],
        tools: [{ type: 'function', function: TOOL }],
      })
      .finalChatCompletion();
    const call = final.choices[0].message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('run_shell');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ command: 'echo hi' });
    expect(final.choices[0].finish_reason).toBe('tool_calls');
  });

  it('relays the Responses API to a provider that speaks it', async () => {
    const res = await client().responses.create({ model: 'gpt-4o', input: 'hello responses' });
    expect(res.output_text).toBe('Hello from the OpenAI upstream. You said: hello responses');
    expect(openaiUp.requests.at(-1)!.path).toBe('/v1/responses');
    const stream = client().responses.stream({ model: 'gpt-4o', input: 'streamed responses' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Hello from the OpenAI upstream. You said: streamed responses');
    expect(final.usage?.total_tokens).toBeGreaterThan(0);
  });
});

describe('Anthropic SDK → anthropic provider', () => {
  const client = () => new Anthropic({ apiKey: 'client-key', baseURL: gw.url, maxRetries: 0 });

  it('answers a message, with the pool key as x-api-key upstream', async () => {
    const res = await client().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect(res.content[0].type === 'text' && res.content[0].text).toBe('Hello from the Anthropic upstream. You said: hi');
    expect(res.stop_reason).toBe('end_turn');
    const seen = anthropicUp.requests.at(-1)!;
    expect(seen.path).toBe('/v1/messages');
    expect(seen.headers['x-api-key']).toBe('sk-up-anthropic');
    expect(seen.headers.authorization).toBeUndefined();
  });

  it('streams a tool call whose input arrives in fragments', async () => {
    const msg = await client()
      .messages.stream({
        model: 'claude-sonnet-4-5',
        max_tokens: 200,
        messages: [{ role: 'user', content: 'use the tool' }],
        tools: [{ name: TOOL.name, description: TOOL.description, input_schema: TOOL.parameters as Anthropic.Tool.InputSchema }],
      })
      .finalMessage();
    const use = msg.content.find((b) => b.type === 'tool_use');
    expect(use?.type === 'tool_use' && use.input).toEqual({ command: 'echo hi' });
    expect(msg.stop_reason).toBe('tool_use');
  });

  it('passes the client betas through on the relay path', async () => {
    await client().messages.create(
      { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'b' }] },
      { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } },
    );
    expect(anthropicUp.requests.at(-1)!.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
  });
});

describe('Google GenAI SDK → gemini provider', () => {
  const client = () => new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: gw.url } });

  it('answers generateContent (SDK 3.x posts to /v1/models/…)', async () => {
    const res = await client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi gemini' });
    expect(res.text).toBe('Hello from the Gemini upstream. You said: hi gemini');
    const seen = geminiUp.requests.at(-1)!;
    expect(seen.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(seen.key).toBe('up-gemini');
  });

  it('streams with alt=sse and relays a function call', async () => {
    let text = '';
    for await (const chunk of await client().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'stream it' })) {
      text += chunk.text ?? '';
    }
    expect(text).toBe('Hello from the Gemini upstream. You said: stream it');
    expect(geminiUp.requests.at(-1)!.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');

    const res = await client().models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'use the tool',
      config: { tools: [{ functionDeclarations: [{ name: TOOL.name, description: TOOL.description, parametersJsonSchema: TOOL.parameters }] }] },
    });
    expect(res.functionCalls?.[0]).toMatchObject({ name: 'run_shell', args: { command: 'echo hi' } });
  });

  it('relays a streamed JSON array when the client does not ask for SSE', async () => {
    const res = await fetch(`${gw.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'array please' }] }] }),
    });
    expect(res.status).toBe(200);
    const chunks = JSON.parse(await res.text()) as Array<{ candidates: Array<{ content: { parts: Array<{ text: string }> } }> }>;
    expect(chunks.map((c) => c.candidates[0].content.parts.map((p) => p.text).join('')).join('')).toBe(
      'Hello from the Gemini upstream. You said: array please',
    );
  });
});

describe('streams are relayed as they arrive', () => {
  it('the first event reaches the client long before the upstream finishes', async () => {
    const slow = await startOpenAIUpstream({ chunkDelayMs: 150 });
    const g = await startGateway({ providers: [{ name: 'slow', type: 'openai', base_url: slow.url, api_keys: ['k'] }] });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: `${g.url}/v1`, maxRetries: 0 });
      const t0 = Date.now();
      const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'one two three four five six' }], stream: true });
      const arrivals: number[] = [];
      for await (const _chunk of stream) arrivals.push(Date.now() - t0);
      // The upstream spaces its chunks 150 ms apart: relayed chunk by chunk, arrivals spread out the
      // same way; a buffering relay would deliver them all at the end.
      expect(arrivals.length).toBeGreaterThan(3);
      expect(arrivals[arrivals.length - 1] - arrivals[0]).toBeGreaterThanOrEqual(150 * (arrivals.length - 3));
    } finally {
      await g.close();
      await slow.close();
    }
  });
});
