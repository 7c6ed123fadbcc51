// The field's known failure modes of multi-vendor relays, one `describe` per lesson, each through the
// real gateway with the official SDKs or the clients' captured bodies, against upstreams that validate
// like the vendors.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import {
  replay,
  startAnthropicUpstream,
  startGeminiUpstream,
  startOpenAIUpstream,
  type ScriptFn,
  type Upstream,
  type UpstreamOptions,
} from '../upstreams/index.js';
import { schemaValidator } from '../upstreams/openai-schema.js';
import { loadCapture, replayHeaders, type Json } from './fixtures.js';
import {
  arr,
  countPings,
  foreignSchemaKeys,
  generationRequests,
  isObj,
  parseSse,
  readAnthropicStream,
  readChatStream,
  readGeminiChunks,
  readResponsesStream,
  sleep,
  upstreamTools,
} from './helpers.js';

const UP_KEY = 'up-key-1';

// ---------------------------------------------------------------------------------------------
// Small fixtures shared by the lessons

type Vendor = 'openai' | 'anthropic' | 'gemini';
const START: Record<Vendor, (o: UpstreamOptions) => Promise<Upstream>> = {
  openai: startOpenAIUpstream,
  anthropic: startAnthropicUpstream,
  gemini: startGeminiUpstream,
};

/** Everything a describe block started, closed in its afterAll. */
class Rig {
  private readonly closers: Array<() => Promise<void>> = [];

  async upstream(vendor: Vendor, opts: UpstreamOptions = {}): Promise<Upstream> {
    const up = await START[vendor]({ keys: [UP_KEY], ...opts });
    this.closers.push(() => up.close());
    return up;
  }

  async gateway(config: Record<string, unknown>): Promise<RunningGateway> {
    const gw = await startGateway({ auth_mode: 'off', ...config });
    this.closers.unshift(() => gw.close());
    return gw;
  }

  async close(): Promise<void> {
    for (const c of this.closers.splice(0)) await c();
  }
}

function provider(name: string, up: Upstream, models: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, type: up.vendor, base_url: up.url, api_keys: [UP_KEY], models, ...extra };
}

const anthropicSdk = (gw: RunningGateway, f?: typeof fetch) => new Anthropic({ apiKey: 'client', baseURL: gw.url, maxRetries: 0, ...(f && { fetch: f }) });
const openaiSdk = (gw: RunningGateway, f?: typeof fetch) => new OpenAI({ apiKey: 'client', baseURL: `${gw.url}/v1`, maxRetries: 0, ...(f && { fetch: f }) });
const geminiSdk = (gw: RunningGateway, f?: typeof fetch) => new GoogleGenAI({ apiKey: 'client', httpOptions: { baseUrl: gw.url, ...(f && { fetch: f }) } });

/** A fetch that hands the SDK the response and keeps a copy of the raw bytes for the test. */
function teeFetch(): { fetch: typeof fetch; bodies: Promise<string>[] } {
  const bodies: Promise<string>[] = [];
  const f: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (!res.body) return res;
    const [a, b] = res.body.tee();
    bodies.push(new Response(b).text());
    return new Response(a, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  return { fetch: f, bodies };
}

const SHELL_SCHEMA: Anthropic.Tool.InputSchema = { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] };
const SHELL_TOOL: Anthropic.Tool = { name: 'run_shell', description: 'Run a shell command', input_schema: SHELL_SCHEMA };

async function post(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const ANTHROPIC_HEADERS = { 'x-api-key': 'client', 'anthropic-version': '2023-06-01' };
const OPENAI_HEADERS = { authorization: 'Bearer client' };
const GEMINI_HEADERS = { 'x-goog-api-key': 'client' };

// =============================================================================================
// L1 — Thinking signatures go back only to the upstream that issued them, byte-exact.

describe('L1 thinking signatures return only to the vendor that issued them', () => {
  const rig = new Rig();
  let gemini: Upstream;
  let anthropic: Upstream;
  let openai: Upstream;
  let gw: RunningGateway;

  beforeAll(async () => {
    gemini = await rig.upstream('gemini');
    anthropic = await rig.upstream('anthropic');
    openai = await rig.upstream('openai');
    gw = await rig.gateway({
      providers: [
        provider('ge', gemini, ['gemini-*']),
        provider('an', anthropic, ['claude-*']),
        provider('oa', openai, ['gpt-*'], { responses: true }),
      ],
      // The same client changes route mid-conversation by changing the model name.
      model_mapping: {
        'claude-via-gemini': 'gemini-3-pro-preview',
        'gemini-via-claude': 'claude-sonnet-4-6',
        'codex-via-gemini': 'gemini-3-pro-preview',
        'codex-via-claude': 'claude-sonnet-4-6',
      },
    });
  });
  afterAll(() => rig.close());

  it('a Claude Code style conversation: Gemini thinks, then Anthropic, then Gemini again', async () => {
    const client = anthropicSdk(gw);
    const history: Anthropic.MessageParam[] = [{ role: 'user', content: 'use the tool to list the files' }];
    const turn = async (model: string) => {
      const msg = await client.messages
        .stream({ model, max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 }, tools: [SHELL_TOOL], messages: history })
        .finalMessage();
      history.push({ role: 'assistant', content: msg.content as Anthropic.ContentBlockParam[] });
      return msg;
    };
    const answerTool = (msg: Anthropic.Message, output: string) => {
      const use = msg.content.find((b) => b.type === 'tool_use');
      expect(use?.type).toBe('tool_use');
      history.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: (use as Anthropic.ToolUseBlock).id, content: output }] });
    };

    // 1. Gemini: thoughts and a signed function call.
    const t1 = await turn('claude-via-gemini');
    expect(t1.stop_reason).toBe('tool_use');
    const geminiSig = gemini.signatures.issued.at(-1)!;
    expect(JSON.stringify(t1.content)).toContain(geminiSig);
    answerTool(t1, 'a.txt b.txt');

    // 2. Gemini again: its signature comes back on the call, byte-exact.
    const t2 = await turn('claude-via-gemini');
    expect(t2.content.some((b) => b.type === 'text' && b.text.includes('tool result was: a.txt b.txt'))).toBe(true);
    expect(gemini.signatures.received).toContain(geminiSig);
    expect(gemini.signatures.foreign()).toEqual([]);

    // 3. Anthropic, with the Gemini turns in the history: none of Gemini's signatures (nor unsigned
    //    thinking) may reach it, or it answers 400 "Invalid signature in thinking block". Claude Code
    //    counts the prompt first.
    history.push({ role: 'user', content: 'now use the tool again' });
    const counted = await client.messages.countTokens({ model: 'claude-sonnet-4-6', thinking: { type: 'enabled', budget_tokens: 2048 }, tools: [SHELL_TOOL], messages: history });
    expect(counted.input_tokens).toBeGreaterThan(0);
    expect(anthropic.signatures.foreign()).toEqual([]);
    const t3 = await turn('claude-sonnet-4-6');
    expect(t3.stop_reason).toBe('tool_use');
    const anthropicSig = anthropic.signatures.issued.at(-1)!;
    expect(t3.content[0]).toMatchObject({ type: 'thinking', signature: anthropicSig });
    answerTool(t3, 'c.txt');

    // 4. Anthropic again: its own signature comes back byte-exact on the thinking block it belongs to.
    const t4 = await turn('claude-sonnet-4-6');
    expect(t4.content.some((b) => b.type === 'text' && b.text.includes('tool result was: c.txt'))).toBe(true);
    expect(anthropic.signatures.received).toContain(anthropicSig);
    expect(anthropic.signatures.foreign()).toEqual([]);
    const lastToAnthropic = generationRequests(anthropic).at(-1)!.body as Json;
    expect(JSON.stringify(lastToAnthropic)).not.toMatch(/sig-gemini|sy1\./);

    // 5. Back to Gemini with everything: its own signatures return, Anthropic's never do.
    history.push({ role: 'user', content: 'thanks' });
    await turn('claude-via-gemini');
    expect(gemini.signatures.foreign()).toEqual([]);
    expect(gemini.signatures.received.filter((s) => s === geminiSig).length).toBeGreaterThanOrEqual(2);
    const lastToGemini = generationRequests(gemini).at(-1)!.body as Json;
    expect(JSON.stringify(lastToGemini)).not.toMatch(/sig-anthropic|sy1\./);
  });

  it('a Gemini client whose history holds Anthropic thinking: the Gemini upstream never sees it', async () => {
    const url = (model: string) => `${gw.url}/v1beta/models/${model}:generateContent`;
    const tools = [{ functionDeclarations: [{ name: 'run_shell', parametersJsonSchema: SHELL_SCHEMA }] }];
    const thinking = { thinkingConfig: { includeThoughts: true, thinkingBudget: 2048 } };
    const contents: Json[] = [{ role: 'user', parts: [{ text: 'use the tool' }] }];

    const first = await post(url('gemini-via-claude'), { contents, tools, generationConfig: thinking }, GEMINI_HEADERS);
    expect(first.status, first.text).toBe(200);
    const modelTurn = (JSON.parse(first.text) as Json & { candidates: Json[] }).candidates[0].content as Json;
    const anthropicSig = anthropic.signatures.issued.at(-1)!;
    expect(JSON.stringify(modelTurn)).toContain(anthropicSig); // carried, wrapped, in a thoughtSignature
    const call = arr(modelTurn.parts).find((p) => isObj(p.functionCall))?.functionCall as Json;
    contents.push(modelTurn, { role: 'user', parts: [{ functionResponse: { name: 'run_shell', id: call.id, response: { output: 'ok' } } }] });

    // Same dialect now (Gemini → Gemini), but the history is not Gemini's: it must not be relayed as is.
    const before = gemini.signatures.received.length;
    const second = await post(url('gemini-3-pro-preview'), { contents, tools, generationConfig: thinking }, GEMINI_HEADERS);
    expect(second.status, second.text).toBe(200);
    expect(second.text).toContain('tool result was: ok');
    expect(gemini.signatures.received.slice(before).filter((s) => !s.startsWith('skip_'))).toEqual([]);
    expect(gemini.signatures.foreign()).toEqual([]);

    // And back to Anthropic: its signature returns unwrapped, byte-exact.
    contents.push((JSON.parse(second.text) as { candidates: Json[] }).candidates[0].content as Json, { role: 'user', parts: [{ text: 'again' }] });
    const third = await post(url('gemini-via-claude'), { contents, tools, generationConfig: thinking }, GEMINI_HEADERS);
    expect(third.status, third.text).toBe(200);
    expect(anthropic.signatures.received).toContain(anthropicSig);
    expect(anthropic.signatures.foreign()).toEqual([]);
  });

  it('a Codex tool loop on Anthropic with thinking: the signed reasoning item brings the thinking block back', async () => {
    const tools = [{ type: 'function', name: 'run_shell', description: 'Run a shell command', parameters: SHELL_SCHEMA, strict: false }];
    const input: Json[] = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'use the tool' }] }];
    const body = () => ({ model: 'codex-via-claude', input, tools, stream: true, store: false, include: ['reasoning.encrypted_content'], reasoning: { effort: 'low', summary: 'auto' } });

    const first = await post(`${gw.url}/v1/responses`, body(), OPENAI_HEADERS);
    expect(first.status, first.text).toBe(200);
    const items = parseSse(first.text).filter((f) => f.json?.type === 'response.output_item.done').map((f) => f.json!.item as Json);
    const sig = anthropic.signatures.issued.at(-1)!;
    expect(items.map((i) => i.type)).toEqual(['reasoning', 'function_call']);
    const call = items[1];
    input.push(...items, { type: 'function_call_output', call_id: call.call_id, output: 'ok' });

    // With thinking on, Anthropic wants the tool turn to open with its signed thinking block.
    const second = await post(`${gw.url}/v1/responses`, body(), OPENAI_HEADERS);
    expect(second.status, second.text).toBe(200);
    expect(readResponsesStream(parseSse(second.text)).text).toContain('tool result was: ok');
    const sent = generationRequests(anthropic).at(-1)!.body as Json;
    expect(sent.thinking).toMatchObject({ type: 'enabled' });
    const turn = arr(sent.messages).find((m) => m.role === 'assistant')!;
    expect(arr(turn.content)[0]).toMatchObject({ type: 'thinking', signature: sig });
    expect(anthropic.signatures.foreign()).toEqual([]);
  });

  it('a Codex conversation that went through Gemini: the Responses upstream never sees Gemini signatures', async () => {
    const tools = [{ type: 'function', name: 'run_shell', description: 'Run a shell command', parameters: SHELL_SCHEMA, strict: false }];
    const input: Json[] = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'use the tool' }] }];
    const body = (model: string) => ({ model, input, tools, stream: true, store: false, include: ['reasoning.encrypted_content'], reasoning: { summary: 'auto' } });

    const first = await post(`${gw.url}/v1/responses`, body('codex-via-gemini'), OPENAI_HEADERS);
    expect(first.status, first.text).toBe(200);
    const done = parseSse(first.text).filter((f) => f.json?.type === 'response.output_item.done').map((f) => f.json!.item as Json);
    const geminiSig = gemini.signatures.issued.at(-1)!;
    expect(JSON.stringify(done)).toContain(geminiSig); // the call's signature rides in a reasoning item
    const call = done.find((i) => i.type === 'function_call')!;
    input.push(...done, { type: 'function_call_output', call_id: call.call_id, output: 'ok' });

    // Gemini gets its signature back on the call.
    const second = await post(`${gw.url}/v1/responses`, body('codex-via-gemini'), OPENAI_HEADERS);
    expect(second.status, second.text).toBe(200);
    expect(gemini.signatures.received).toContain(geminiSig);

    // The Responses upstream (same dialect as Codex) must not get Gemini's carrier items.
    const third = await post(`${gw.url}/v1/responses`, body('gpt-5'), OPENAI_HEADERS);
    expect(third.status, third.text).toBe(200);
    expect(readResponsesStream(parseSse(third.text)).completed).toBe(true);
    expect(openai.signatures.foreign()).toEqual([]);
    const sent = generationRequests(openai).at(-1)!.body as Json;
    expect(JSON.stringify(sent)).not.toMatch(/sig-gemini|sy1\.|sycall:/);
    expect(arr(sent.input).some((i) => i.type === 'function_call_output' && i.output === 'ok')).toBe(true);
  });
});

// =============================================================================================
// L2 — Reasoning text goes back to the models that require it (DeepSeek / Kimi thinking mode reject a
// history whose assistant turns lack `reasoning_content`).

describe('L2 reasoning text returns to chat upstreams as reasoning_content', () => {
  const rig = new Rig();
  let up: Upstream;
  let gw: RunningGateway;

  beforeAll(async () => {
    up = await rig.upstream('openai');
    gw = await rig.gateway({ providers: [provider('ds', up, ['deepseek-*'])] });
  });
  afterAll(() => rig.close());
  afterEach(() => up.setScript(undefined));

  const assistantTurns = () => arr((generationRequests(up).at(-1)!.body as Json).messages).filter((m) => m.role === 'assistant');

  it('thinking blocks of an Anthropic client history reach the chat upstream on their assistant turns', async () => {
    await anthropicSdk(gw).messages.create({
      model: 'deepseek-reasoner',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [SHELL_TOOL],
      messages: [
        { role: 'user', content: 'hello' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'The user greets me.', signature: 'c2lnLWFudGhyb3BpYw==' },
            { type: 'text', text: 'Hi!' },
          ],
        },
        { role: 'user', content: 'list the files' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'I should run ls.', signature: 'c2lnLTI=' },
            { type: 'redacted_thinking', data: 'cmVkYWN0ZWQ=' },
            { type: 'tool_use', id: 'toolu_01', name: 'run_shell', input: { command: 'ls' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: 'a.txt' }] },
      ],
    });
    const [first, second] = assistantTurns();
    expect(first).toMatchObject({ content: 'Hi!', reasoning_content: 'The user greets me.' });
    expect(second.reasoning_content).toBe('I should run ls.');
    expect(second.tool_calls).toEqual([expect.objectContaining({ id: 'toolu_01', function: { name: 'run_shell', arguments: '{"command":"ls"}' } })]);
  });

  it('a DeepSeek reasoning + tool-call turn, shown to an Anthropic client and sent back, keeps its reasoning', async () => {
    up.setScript(replay('deepseek-chat/deepseek-tool-call.chunks.txt'));
    const client = anthropicSdk(gw);
    const tools: Anthropic.Tool[] = [{ name: 'weather', input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } }];
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'weather in San Francisco?' }];
    const first = await client.messages.stream({ model: 'deepseek-reasoner', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, tools, messages }).finalMessage();
    const thinking = first.content.find((b) => b.type === 'thinking') as Anthropic.ThinkingBlock;
    expect(thinking.thinking).toMatch(/^The user is asking/);
    const use = first.content.find((b) => b.type === 'tool_use') as Anthropic.ToolUseBlock;
    expect(use).toMatchObject({ name: 'weather', input: { location: 'San Francisco' } });

    up.setScript(undefined);
    messages.push({ role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny' }] });
    const second = await client.messages.create({ model: 'deepseek-reasoner', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, tools, messages });
    expect(second.content.some((b) => b.type === 'text' && b.text === 'tool result was: sunny')).toBe(true);
    const [turn] = assistantTurns();
    expect(turn.reasoning_content).toBe(thinking.thinking);
    expect(arr(turn.tool_calls)[0]).toMatchObject({ id: use.id, function: { name: 'weather' } });
  });
});

// =============================================================================================
// L3 — Tool calls reach every client as tool calls (never as text), with a name and parsable arguments.

interface ToolRecording {
  label: string;
  vendor: Vendor;
  model: string;
  script: ScriptFn;
  tool: { name: string; schema: Json };
  /** The calls the client must get, in order. */
  calls: Array<{ name: string; args: Json }>;
}

const LOCATION_SCHEMA: Json = { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] };

/** A stream recording for streamed requests, its JSON twin for the others. */
function byStream(stream: ScriptFn, json: ScriptFn): ScriptFn {
  return (ctx) => (ctx.stream ? stream(ctx) : json(ctx));
}

/**
 * The Gemini recording exists only as a stream (Vertex partialArgs); its non-streamed twin is the same
 * answer whole, as generateContent returns it: the two calls, the first signed, and the final usage.
 */
function geminiCallsJson(): ScriptFn {
  const chunks = readFileSync(new URL('../fixtures/vendor-recordings/gemini/google-stream-tool-call-arguments.chunks.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Json & { candidates: Json[] });
  const first = arr((chunks[0].candidates[0].content as Json).parts)[0];
  const last = chunks[chunks.length - 1];
  const body = {
    candidates: [
      {
        content: {
          role: 'model',
          parts: [
            { functionCall: { name: 'getWeather', args: { location: 'Boston' } }, thoughtSignature: first.thoughtSignature },
            { functionCall: { name: 'getWeather', args: { location: 'San Francisco' } } },
          ],
        },
        finishReason: 'STOP',
        index: 0,
      },
    ],
    usageMetadata: last.usageMetadata,
    modelVersion: last.modelVersion,
    responseId: last.responseId,
  };
  return () => ({ kind: 'json', body });
}

const TOOL_RECORDINGS: ToolRecording[] = [
  {
    label: 'anthropic tool call without arguments',
    vendor: 'anthropic',
    model: 'claude-sonnet-4-6',
    script: byStream(replay('anthropic/anthropic-tool-no-args.chunks.txt'), replay('anthropic/anthropic-tool-no-args.json')),
    tool: { name: 'updateIssueList', schema: { type: 'object', properties: {} } },
    calls: [{ name: 'updateIssueList', args: {} }],
  },
  {
    label: 'gemini calls with streamed partial arguments',
    vendor: 'gemini',
    model: 'gemini-3-pro-preview',
    script: byStream(replay('gemini/google-stream-tool-call-arguments.chunks.txt'), geminiCallsJson()),
    tool: { name: 'getWeather', schema: LOCATION_SCHEMA },
    calls: [
      { name: 'getWeather', args: { location: 'Boston' } },
      { name: 'getWeather', args: { location: 'San Francisco' } },
    ],
  },
  {
    label: 'deepseek reasoning then a call in fragments',
    vendor: 'openai',
    model: 'deepseek-reasoner',
    script: byStream(replay('deepseek-chat/deepseek-tool-call.chunks.txt'), replay('deepseek-chat/deepseek-tool-call.json')),
    tool: { name: 'weather', schema: LOCATION_SCHEMA },
    calls: [{ name: 'weather', args: { location: 'San Francisco' } }],
  },
  {
    label: 'xai whole call in one delta',
    vendor: 'openai',
    model: 'grok-3-mini',
    script: byStream(replay('openai-compatible/xai-tool-call.chunks.txt'), replay('openai-compatible/xai-tool-call.json')),
    tool: { name: 'weather', schema: LOCATION_SCHEMA },
    calls: [{ name: 'weather', args: { location: 'San Francisco' } }],
  },
];

type ClientDialect = 'anthropic' | 'openai-chat' | 'openai-responses' | 'gemini';
const CLIENT_DIALECTS: ClientDialect[] = ['anthropic', 'openai-chat', 'openai-responses', 'gemini'];
/** The dialect a vendor's upstream speaks to chat-style clients (Responses clients aside). */
const VENDOR_DIALECT: Record<Vendor, ClientDialect> = { openai: 'openai-chat', anthropic: 'anthropic', gemini: 'gemini' };

interface GotCalls {
  calls: Array<{ name: string; args: unknown }>;
  text: string;
}

/** Asks for a tool call through the official SDK of `dialect` and returns the calls it parsed. */
async function sdkToolCalls(gw: RunningGateway, dialect: ClientDialect, model: string, tool: ToolRecording['tool'], stream: boolean): Promise<GotCalls> {
  const prompt = 'Call the tool.';
  switch (dialect) {
    case 'anthropic': {
      const client = anthropicSdk(gw);
      const params = { model, max_tokens: 1024, tools: [{ name: tool.name, input_schema: tool.schema as Anthropic.Tool.InputSchema }], messages: [{ role: 'user' as const, content: prompt }] };
      const msg = stream ? await client.messages.stream(params).finalMessage() : await client.messages.create(params);
      expect(msg.stop_reason).toBe('tool_use');
      return {
        calls: msg.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use').map((b) => ({ name: b.name, args: b.input })),
        text: msg.content.map((b) => (b.type === 'text' ? b.text : '')).join(''),
      };
    }
    case 'openai-chat': {
      const client = openaiSdk(gw);
      const params = { model, messages: [{ role: 'user' as const, content: prompt }], tools: [{ type: 'function' as const, function: { name: tool.name, parameters: tool.schema } }] };
      const res = stream ? await client.chat.completions.stream(params).finalChatCompletion() : await client.chat.completions.create(params);
      const choice = res.choices[0];
      expect(choice.finish_reason).toBe('tool_calls');
      return {
        calls: (choice.message.tool_calls ?? []).map((c) => {
          if (c.type !== 'function') throw new Error(`unexpected ${c.type} call`);
          return { name: c.function.name, args: JSON.parse(c.function.arguments) as unknown };
        }),
        text: choice.message.content ?? '',
      };
    }
    case 'openai-responses': {
      const client = openaiSdk(gw);
      const params = { model, input: prompt, tools: [{ type: 'function' as const, name: tool.name, parameters: tool.schema, strict: false }] };
      const res = stream ? await client.responses.stream(params).finalResponse() : await client.responses.create(params);
      expect(res.status).toBe('completed');
      return {
        calls: res.output.flatMap((o) => (o.type === 'function_call' ? [{ name: o.name, args: JSON.parse(o.arguments) as unknown }] : [])),
        text: res.output_text,
      };
    }
    case 'gemini': {
      const ai = geminiSdk(gw);
      const params = { model, contents: prompt, config: { tools: [{ functionDeclarations: [{ name: tool.name, parametersJsonSchema: tool.schema }] }] } };
      const calls: GotCalls['calls'] = [];
      let text = '';
      if (stream) {
        for await (const chunk of await ai.models.generateContentStream(params)) {
          for (const c of chunk.functionCalls ?? []) calls.push({ name: c.name ?? '', args: c.args });
          for (const p of chunk.candidates?.[0]?.content?.parts ?? []) if (p.text && !p.thought) text += p.text;
        }
      } else {
        const res = await ai.models.generateContent(params);
        for (const c of res.functionCalls ?? []) calls.push({ name: c.name ?? '', args: c.args });
        text = res.text ?? '';
      }
      return { calls, text };
    }
  }
}

describe('L3 tool calls reach every client as tool calls, never as text', () => {
  const rig = new Rig();
  let gw: RunningGateway;

  beforeAll(async () => {
    const providers: Record<string, unknown>[] = [];
    for (const rec of TOOL_RECORDINGS) {
      const up = await rig.upstream(rec.vendor, { script: rec.script });
      providers.push(provider(rec.model, up, [rec.model]));
    }
    gw = await rig.gateway({ providers });
  });
  afterAll(() => rig.close());

  describe.each(TOOL_RECORDINGS)('$label', (rec) => {
    // Translated clients only: the same-dialect relay hands the client the vendor's bytes (for Gemini,
    // partialArgs chunks, which only a client that asked for streamed arguments gets from Google).
    const clients = CLIENT_DIALECTS.filter((d) => d !== VENDOR_DIALECT[rec.vendor]);
    it.each(clients.flatMap((d) => [{ d, stream: true }, { d, stream: false }]))('→ $d client (stream: $stream)', async ({ d, stream }) => {
      const got = await sdkToolCalls(gw, d, rec.model, rec.tool, stream);
      expect(got.calls).toEqual(rec.calls);
      for (const c of got.calls) expect(c.name).not.toBe('');
      // The call is not also spelled out as text.
      expect(got.text).not.toMatch(/"(name|location|args|arguments|input)"\s*:/);
    });
  });
});

// =============================================================================================
// L4 — Gemini takes only its OpenAPI subset of JSON Schema, and a bad keyword fails the whole request.

describe('L4 Claude Code tool schemas reach Gemini accepted and intact', () => {
  const rig = new Rig();
  let up: Upstream;
  let gw: RunningGateway;

  beforeAll(async () => {
    up = await rig.upstream('gemini');
    gw = await rig.gateway({ providers: [provider('ge', up, ['gemini-*'])], model_mapping: { 'claude-*': 'gemini-2.5-pro' } });
  });
  afterAll(() => rig.close());

  /** Property names at every depth (through properties, items, anyOf), as `a.b[].c` paths. */
  function propertyPaths(schema: unknown, prefix = ''): string[] {
    if (!isObj(schema)) return [];
    const out: string[] = [];
    if (isObj(schema.properties)) {
      for (const [k, v] of Object.entries(schema.properties)) out.push(`${prefix}${k}`, ...propertyPaths(v, `${prefix}${k}.`));
    }
    if (isObj(schema.items)) out.push(...propertyPaths(schema.items, `${prefix}[].`));
    for (const alt of arr(schema.anyOf)) out.push(...propertyPaths(alt, prefix));
    return [...new Set(out)];
  }

  // A tool the way MCP servers write them: $defs/$ref, nullable type lists, const unions, bounds.
  const MCP_TOOL = {
    name: 'mcp__tracker__create_issue',
    description: 'Create an issue',
    input_schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      $defs: { label: { type: 'object', properties: { name: { type: 'string', minLength: 1 }, color: { type: ['string', 'null'], pattern: '^#[0-9a-f]{6}$' } }, required: ['name'], additionalProperties: false } },
      properties: {
        title: { type: 'string', maxLength: 256 },
        priority: { anyOf: [{ const: 'low' }, { const: 'high' }] },
        estimate: { type: 'integer', exclusiveMinimum: 0, multipleOf: 1 },
        labels: { type: 'array', items: { $ref: '#/$defs/label' }, uniqueItems: true },
        extra: { type: 'object', additionalProperties: { type: 'string' }, propertyNames: { pattern: '^[a-z]+$' } },
      },
      required: ['title'],
      additionalProperties: false,
    },
  };

  it('every tool of the Claude Code capture (and an MCP-style one) is accepted, with all its properties', async () => {
    const req = loadCapture('claude-code-p-apikey')[0];
    const body = { ...req.body, tools: [...arr(req.body.tools), MCP_TOOL] };
    const res = await post(`${gw.url}${req.path}`, body, replayHeaders(req, 'client'));
    expect(res.status, res.text.slice(0, 500)).toBe(200);
    const seen = generationRequests(up).at(-1)!.body as Json;
    const decls = upstreamTools('gemini', seen);
    expect(decls.map((d) => d.name)).toEqual(body.tools.map((t) => t.name));
    for (const original of body.tools) {
      const decl = decls.find((d) => d.name === original.name)!;
      expect(foreignSchemaKeys(decl.schema), `${String(original.name)}`).toEqual([]);
      expect(propertyPaths(decl.schema).sort(), `${String(original.name)} properties`).toEqual(
        propertyPaths(isObj(original.input_schema) ? resolveRefs(original.input_schema) : {}).sort(),
      );
      const required = (original.input_schema as Json).required;
      if (Array.isArray(required) && required.length > 0) expect((decl.schema as Json).required).toEqual(required);
    }
    const mcp = decls.find((d) => d.name === MCP_TOOL.name)!.schema as Json & { properties: Record<string, Json> };
    expect(mcp.properties.priority).toMatchObject({ type: 'STRING', enum: ['low', 'high'] });
    expect(mcp.properties.labels.items).toMatchObject({ type: 'OBJECT', required: ['name'] });
  });

  /** Inlines local $refs so the original's property paths can be compared with the sanitised ones. */
  function resolveRefs(schema: Json): Json {
    const walk = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(walk);
      if (!isObj(node)) return node;
      if (typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
        let target: unknown = schema;
        for (const k of node.$ref.slice(2).split('/')) target = isObj(target) ? target[k] : undefined;
        return walk(target);
      }
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, walk(s)])) : walk(v)]));
    };
    return walk(schema) as Json;
  }
});

// =============================================================================================
// Plain-HTTP clients of each dialect, for the lessons that look at status, headers and raw frames.

interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
}

function clientRequest(dialect: ClientDialect, model: string, stream: boolean, prompt = 'hi'): { path: string; body: Json; headers: Record<string, string> } {
  switch (dialect) {
    case 'anthropic':
      return { path: '/v1/messages', body: { model, max_tokens: 256, stream, messages: [{ role: 'user', content: prompt }] }, headers: ANTHROPIC_HEADERS };
    case 'openai-chat':
      return {
        path: '/v1/chat/completions',
        body: { model, messages: [{ role: 'user', content: prompt }], ...(stream && { stream: true, stream_options: { include_usage: true } }) },
        headers: OPENAI_HEADERS,
      };
    case 'openai-responses':
      return { path: '/v1/responses', body: { model, input: prompt, stream }, headers: OPENAI_HEADERS };
    case 'gemini':
      return {
        path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        body: { contents: [{ role: 'user', parts: [{ text: prompt }] }] },
        headers: GEMINI_HEADERS,
      };
  }
}

async function callGateway(gw: RunningGateway, dialect: ClientDialect, model: string, stream: boolean, prompt?: string): Promise<RawAnswer> {
  const r = clientRequest(dialect, model, stream, prompt);
  return post(`${gw.url}${r.path}`, r.body, r.headers);
}

/** What a client of `dialect` makes of a streamed answer. */
function readStream(dialect: ClientDialect, text: string): { completed: boolean; error?: Json; text: string; usage?: Json; frames: ReturnType<typeof parseSse> } {
  const frames = parseSse(text);
  switch (dialect) {
    case 'anthropic':
      return { ...readAnthropicStream(frames), frames };
    case 'openai-chat':
      return { ...readChatStream(frames), frames };
    case 'openai-responses':
      return { ...readResponsesStream(frames), frames };
    case 'gemini':
      return { ...readGeminiChunks(frames.map((f) => f.json ?? {})), frames };
  }
}

/** The error object a non-streamed error answer carries, in the client's dialect. */
function dialectError(dialect: ClientDialect, text: string): Json {
  const body = JSON.parse(text) as Json;
  if (dialect === 'anthropic') {
    expect(body.type).toBe('error');
    return body.error as Json;
  }
  expect(isObj(body.error)).toBe(true);
  return body.error as Json;
}

/** The Responses event types, from OpenAI's OpenAPI document (ResponseStreamEvent's variants). */
function responsesEventTypes(): Set<string> {
  const doc = JSON.parse(readFileSync(new URL('../fixtures/openai-openapi.json', import.meta.url), 'utf8')) as { components: { schemas: Record<string, Json> } };
  const schemas = doc.components.schemas;
  const types = new Set<string>();
  for (const ref of arr(schemas.ResponseStreamEvent.anyOf)) {
    const variant = schemas[String(ref.$ref).split('/').pop() ?? ''];
    const t = ((variant.properties as Json).type as Json) ?? {};
    for (const v of Array.isArray(t.enum) ? t.enum : [t.const]) if (typeof v === 'string') types.add(v);
  }
  return types;
}

/** Every frame is a Responses event: named after its type, numbered from 0, of a type the API defines. */
function expectResponsesShaped(frames: ReturnType<typeof parseSse>): void {
  const types = responsesEventTypes();
  const validate = schemaValidator('ResponseStreamEvent');
  frames.forEach((f, i) => {
    expect(f.json, f.data).toBeDefined();
    expect(f.event).toBe(f.json!.type);
    expect(types.has(String(f.event)), `event type ${String(f.event)}`).toBe(true);
    expect(f.json!.sequence_number).toBe(i);
    expect(validate(f.json), `${String(f.event)}: ${JSON.stringify(validate.errors?.[0])}`).toBe(true);
  });
}

const NO_BREAKER = { routing: { circuit_failures: 1000 } };

// =============================================================================================
// L5 — Codex: a Responses stream always ends as Codex expects, whatever the upstream.

/** A stream that fails midway, in each vendor's own words. */
const MIDWAY_ERROR: Record<Vendor, { dialect: 'anthropic' | 'openai-chat' | 'gemini'; events: Json[] }> = {
  anthropic: {
    dialect: 'anthropic',
    events: [
      { type: 'message_start', message: { id: 'msg_err', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'partial answer' } },
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    ],
  },
  openai: {
    dialect: 'openai-chat',
    events: [
      { id: 'chatcmpl-err', object: 'chat.completion.chunk', created: 1, model: 'gpt-5', choices: [{ index: 0, delta: { role: 'assistant', content: 'partial answer' }, finish_reason: null }] },
      { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } },
    ],
  },
  gemini: {
    dialect: 'gemini',
    events: [
      { candidates: [{ content: { role: 'model', parts: [{ text: 'partial answer' }] }, index: 0 }], modelVersion: 'gemini-3-pro-preview', responseId: 'err1' },
      { error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } },
    ],
  },
};

describe('L5 Codex gets Responses-shaped streams: completed with usage, or failed — nothing else', () => {
  const rig = new Rig();
  const ups = {} as Record<Vendor, Upstream>;
  let gw: RunningGateway;
  const MODEL: Record<Vendor, string> = { openai: 'codex-via-chat', anthropic: 'codex-via-anthropic', gemini: 'codex-via-gemini' };

  beforeAll(async () => {
    for (const v of ['openai', 'anthropic', 'gemini'] as const) ups[v] = await rig.upstream(v);
    gw = await rig.gateway({
      ...NO_BREAKER,
      providers: [provider('oa', ups.openai, ['gpt-*']), provider('an', ups.anthropic, ['claude-*']), provider('ge', ups.gemini, ['gemini-*'])],
      model_mapping: { 'codex-via-chat': 'gpt-5', 'codex-via-anthropic': 'claude-sonnet-4-6', 'codex-via-gemini': 'gemini-3-pro-preview' },
    });
  });
  afterAll(() => rig.close());
  afterEach(() => {
    for (const up of Object.values(ups)) up.setScript(undefined);
  });

  const codex = (vendor: Vendor) => {
    const req = loadCapture('codex-exec-responses')[0];
    return post(`${gw.url}${req.path}`, { ...req.body, model: MODEL[vendor] }, replayHeaders(req, 'client'));
  };

  it.each(['openai', 'anthropic', 'gemini'] as const)('via %s: response.completed with usage, every event a Responses event', async (vendor) => {
    const res = await codex(vendor);
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    const got = readResponsesStream(parseSse(res.text));
    expectResponsesShaped(parseSse(res.text));
    expect(got.terminal).toBe('response.completed');
    const usage = got.usage as { input_tokens: number; output_tokens: number; total_tokens: number };
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(usage.output_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
    expect(got.text).toContain('upstream. You said:');
  });

  it('via gemini, a signed tool call: the signature rides in a Responses reasoning item, nothing private leaks', async () => {
    ups.gemini.setScript(() => ({ kind: 'reply', reply: { toolCalls: [{ name: 'exec_command', arguments: { cmd: 'ls' } }] } }));
    const res = await codex('gemini');
    const frames = parseSse(res.text);
    expectResponsesShaped(frames);
    const got = readResponsesStream(frames);
    expect(got.terminal).toBe('response.completed');
    expect(got.calls).toEqual([expect.objectContaining({ name: 'exec_command', args: { cmd: 'ls' } })]);
    const items = frames.filter((f) => f.event === 'response.output_item.done').map((f) => f.json!.item as Json);
    expect(items.some((i) => i.type === 'reasoning' && typeof i.encrypted_content === 'string')).toBe(true);
  });

  it.each(['openai', 'anthropic', 'gemini'] as const)('via %s: an upstream error midway becomes response.failed', async (vendor) => {
    const { dialect, events } = MIDWAY_ERROR[vendor];
    ups[vendor].setScript(() => ({ kind: 'events', dialect, events }));
    const res = await codex(vendor);
    expect(res.status).toBe(200);
    const frames = parseSse(res.text);
    expectResponsesShaped(frames);
    const got = readResponsesStream(frames);
    expect(got.terminal).toBe('response.failed');
    expect(frames.at(-1)!.event).toBe('response.failed');
    expect(got.response?.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    expect(frames.some((f) => f.event === 'response.completed')).toBe(false);
  });

  it.each(['openai', 'anthropic', 'gemini'] as const)('via %s: a dropped connection becomes response.failed', async (vendor) => {
    ups[vendor].setFaults({ [UP_KEY]: [{ dropAfterChunks: 2 }] });
    const res = await codex(vendor);
    expect(res.status).toBe(200);
    const frames = parseSse(res.text);
    expectResponsesShaped(frames);
    expect(frames.at(-1)!.event).toBe('response.failed');
  });
});

// =============================================================================================
// L8 — Every key rate limited: a 429 the client understands, with when to come back.

describe('L8 all keys rate limited → 429 with Retry-After, in the client dialect', () => {
  const rig = new Rig();
  afterAll(() => rig.close());

  /** A provider with two keys, both answering 429. */
  async function limited(vendor: Vendor, fault: { status: number; retryAfter?: number }): Promise<{ up: Upstream; gw: RunningGateway }> {
    const up = await rig.upstream(vendor, { keys: ['k1', 'k2'] });
    const gw = await rig.gateway({
      providers: [{ name: 'p', type: vendor, base_url: up.url, api_keys: ['k1', 'k2'] }],
      model_mapping: { 'limited-model': vendor === 'openai' ? 'gpt-5' : vendor === 'anthropic' ? 'claude-sonnet-4-6' : 'gemini-2.5-pro' },
    });
    // After start-up: the gateway's model-list fetch must not take the faults.
    up.setFaults({ k1: [fault], k2: [fault] });
    return { up, gw };
  }

  const CASES: Array<{ client: ClientDialect; vendor: Vendor }> = [
    { client: 'anthropic', vendor: 'openai' },
    { client: 'openai-chat', vendor: 'anthropic' },
    { client: 'openai-responses', vendor: 'gemini' },
    { client: 'gemini', vendor: 'openai' },
  ];

  it.each(CASES)('$client client, $vendor upstream: both keys tried, one 429 back with Retry-After', async ({ client, vendor }) => {
    const { up, gw } = await limited(vendor, { status: 429, retryAfter: 12 });
    const res = await callGateway(gw, client, 'limited-model', true);
    expect(res.status).toBe(429);
    expect(up.requestCount('k1') + up.requestCount('k2')).toBeGreaterThanOrEqual(2);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(11);
    expect(retryAfter).toBeLessThanOrEqual(12);
    const err = dialectError(client, res.text);
    switch (client) {
      case 'anthropic':
        expect(err.type).toBe('rate_limit_error');
        break;
      case 'gemini':
        expect(err).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
        // Gemini clients read the wait from RetryInfo (Gemini CLI's quota handling), not a header.
        expect(arr(err.details).find((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo')?.retryDelay).toBe(`${retryAfter}s`);
        break;
      default:
        expect(err).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    }
  });

  it('the SDKs see a rate-limit error they can back off from', async () => {
    const { gw } = await limited('anthropic', { status: 429, retryAfter: 5 });
    const a = await anthropicSdk(gw)
      .messages.create({ model: 'limited-model', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(a).toBeInstanceOf(Anthropic.RateLimitError);
    expect((a as InstanceType<typeof Anthropic.RateLimitError>).headers?.get('retry-after')).toMatch(/^[45]$/);
    const o = await openaiSdk(gw)
      .chat.completions.create({ model: 'limited-model', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(o).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("a Gemini 429's RetryInfo retryDelay becomes the keys' cooldown: the next request waits without asking", async () => {
    const { up, gw } = await limited('gemini', { status: 429, retryAfter: 7 });
    const first = await callGateway(gw, 'anthropic', 'limited-model', false);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    const asked = up.requestCount('k1') + up.requestCount('k2');
    const second = await callGateway(gw, 'openai-chat', 'limited-model', false);
    expect(second.status).toBe(429);
    expect(up.requestCount('k1') + up.requestCount('k2')).toBe(asked); // both keys still cooling
    const wait = Number(second.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(6);
    expect(wait).toBeLessThanOrEqual(7);
  });
});

// =============================================================================================
// L9 — Keep-alive pings flow in translated streams too while the upstream is slow to start.

describe('L9 keep-alive pings in translated streams, and the SDKs still parse them', () => {
  const rig = new Rig();
  const ups = {} as Record<Vendor, Upstream>;
  let gw: RunningGateway;
  const SLOW_MS = 800;

  beforeAll(async () => {
    const slow: ScriptFn = async () => {
      await sleep(SLOW_MS); // thinking before the first byte
      return undefined; // then the default brain answers
    };
    for (const v of ['openai', 'anthropic', 'gemini'] as const) ups[v] = await rig.upstream(v, { script: slow });
    gw = await rig.gateway({
      keepalive_seconds: 0.3,
      providers: [provider('oa', ups.openai, ['gpt-*']), provider('an', ups.anthropic, ['claude-*']), provider('ge', ups.gemini, ['gemini-*'])],
    });
  });
  afterAll(() => rig.close());

  /** Pings were sent before the first real event. */
  function expectPingsFirst(raw: string): void {
    expect(countPings(raw)).toBeGreaterThanOrEqual(1);
    expect(raw.indexOf(': ping')).toBeLessThan(raw.indexOf('data:'));
  }

  it('Anthropic SDK ← gemini upstream', async () => {
    const tee = teeFetch();
    const msg = await anthropicSdk(gw, tee.fetch).messages.stream({ model: 'gemini-2.5-flash', max_tokens: 100, messages: [{ role: 'user', content: 'slow one' }] }).finalMessage();
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'Hello from the Gemini upstream. You said: slow one' });
    expectPingsFirst(await tee.bodies[0]);
  });

  it('OpenAI chat SDK ← anthropic upstream', async () => {
    const tee = teeFetch();
    const res = await openaiSdk(gw, tee.fetch).chat.completions.stream({ model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'slow one' }] }).finalChatCompletion();
    expect(res.choices[0].message.content).toBe('Hello from the Anthropic upstream. You said: slow one');
    expectPingsFirst(await tee.bodies[0]);
  });

  it('OpenAI Responses SDK ← gemini upstream', async () => {
    const tee = teeFetch();
    const res = await openaiSdk(gw, tee.fetch).responses.stream({ model: 'gemini-2.5-flash', input: 'slow one' }).finalResponse();
    expect(res.output_text).toBe('Hello from the Gemini upstream. You said: slow one');
    expectPingsFirst(await tee.bodies[0]);
  });

  it('Google GenAI SDK (alt=sse) ← openai upstream', async () => {
    const tee = teeFetch();
    let text = '';
    for await (const chunk of await geminiSdk(gw, tee.fetch).models.generateContentStream({ model: 'gpt-5', contents: 'slow one' })) text += chunk.text ?? '';
    expect(text).toBe('Hello from the OpenAI upstream. You said: slow one');
    expectPingsFirst(await tee.bodies[0]);
  });

  it('once pings committed the 200, a late 429 from the upstream arrives as an in-stream error', async () => {
    ups.openai.setScript(async () => {
      await sleep(SLOW_MS);
      return { kind: 'json', status: 429, body: { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } }, headers: { 'retry-after': '3' } };
    });
    try {
      const res = await callGateway(gw, 'anthropic', 'gpt-5', true);
      expect(res.status).toBe(200);
      expectPingsFirst(res.text);
      const got = readAnthropicStream(parseSse(res.text));
      expect(got.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
      expect(got.completed).toBe(false);
    } finally {
      ups.openai.setScript(async () => {
        await sleep(SLOW_MS);
        return undefined;
      });
    }
  });

  it('a Gemini JSON-array stream gets no pings (a comment would corrupt the array)', async () => {
    const res = await post(`${gw.url}/v1beta/models/claude-sonnet-4-6:streamGenerateContent`, { contents: [{ role: 'user', parts: [{ text: 'slow one' }] }] }, GEMINI_HEADERS);
    expect(res.status).toBe(200);
    expect(countPings(res.text)).toBe(0);
    const chunks = JSON.parse(res.text) as Json[];
    expect(readGeminiChunks(chunks).text).toBe('Hello from the Anthropic upstream. You said: slow one');
  });
});

// =============================================================================================
// L12 — Model lists show what clients will send, aliases included, in each dialect's shape.

describe('L12 model lists hold the names clients send, in each dialect', () => {
  const rig = new Rig();
  let gw: RunningGateway;

  beforeAll(async () => {
    const oa = await rig.upstream('openai');
    const ge = await rig.upstream('gemini');
    gw = await rig.gateway({
      providers: [provider('oa', oa, ['gpt-*']), provider('ge', ge, ['gemini-2*'])],
      // The names the captured clients ask for.
      model_mapping: { 'claude-opus-5-5': 'gpt-5', 'gpt-5-codex': 'gpt-5', 'gemini-3.8-flash': 'gemini-2.5-pro', 'gemini-3.5-flash-lite': 'gemini-2.5-flash' },
    });
    await gw.gateway.refreshModels();
  });
  afterAll(() => rig.close());

  it('OpenAI, Anthropic and Gemini shapes, each listing served models and the aliases', async () => {
    const openaiIds: string[] = [];
    for await (const m of openaiSdk(gw).models.list()) openaiIds.push(m.id);
    expect(openaiIds).toEqual(expect.arrayContaining(['gpt-5', 'gpt-4o', 'gemini-2.5-pro', 'gpt-5-codex', 'claude-opus-5-5', 'gemini-3.8-flash']));

    const anthropicIds: string[] = [];
    for await (const m of anthropicSdk(gw).models.list()) anthropicIds.push(m.id);
    expect(anthropicIds).toEqual(expect.arrayContaining(['claude-opus-5-5', 'gpt-5']));
    expect((await anthropicSdk(gw).models.retrieve('claude-opus-5-5')).type).toBe('model');

    const geminiNames: string[] = [];
    for await (const m of await geminiSdk(gw).models.list()) geminiNames.push(m.name ?? '');
    expect(geminiNames).toEqual(expect.arrayContaining(['models/gemini-3.8-flash', 'models/gemini-3.5-flash-lite', 'models/gemini-2.5-pro']));
    const beta = JSON.parse((await (await fetch(`${gw.url}/v1beta/models`, { headers: GEMINI_HEADERS })).text())) as { models: Json[] };
    expect(beta.models.find((m) => m.name === 'models/gemini-3.8-flash')?.supportedGenerationMethods).toEqual(expect.arrayContaining(['generateContent']));
  });
});

// =============================================================================================
// L14 — Usage: the client gets the upstream's numbers, in its own units; nothing is invented.

/** Canonical usage (OpenAI semantics: input includes cache, output includes reasoning). */
interface U {
  input: number;
  output: number;
  cached?: number;
  creation?: number;
  reasoning?: number;
}

function usageIn(dialect: ClientDialect, u: U): Json {
  const cached = u.cached ?? 0;
  const reasoning = u.reasoning ?? 0;
  switch (dialect) {
    case 'anthropic':
      return { input_tokens: u.input - cached - (u.creation ?? 0), output_tokens: u.output, cache_read_input_tokens: cached, cache_creation_input_tokens: u.creation ?? 0 };
    case 'openai-chat':
      return {
        prompt_tokens: u.input,
        completion_tokens: u.output,
        total_tokens: u.input + u.output,
        prompt_tokens_details: expect.objectContaining({ cached_tokens: cached }),
        completion_tokens_details: { reasoning_tokens: reasoning },
      };
    case 'openai-responses':
      return {
        input_tokens: u.input,
        output_tokens: u.output,
        total_tokens: u.input + u.output,
        input_tokens_details: expect.objectContaining({ cached_tokens: cached }),
        output_tokens_details: { reasoning_tokens: reasoning },
      };
    case 'gemini':
      return {
        promptTokenCount: u.input,
        candidatesTokenCount: u.output - reasoning,
        totalTokenCount: u.input + u.output,
        ...(reasoning > 0 && { thoughtsTokenCount: reasoning }),
        ...(cached > 0 && { cachedContentTokenCount: cached }),
      };
  }
}

/** The usage object of an answer, streamed or not, as the client reads it. */
function clientUsage(dialect: ClientDialect, stream: boolean, text: string): Json | undefined {
  if (stream) return readStream(dialect, text).usage;
  const body = JSON.parse(text) as Json;
  return (dialect === 'gemini' ? body.usageMetadata : body.usage) as Json | undefined;
}

interface UsageRecording {
  label: string;
  vendor: Vendor;
  model: string;
  script: ScriptFn;
  stream: boolean;
  usage: U;
}

const USAGE_RECORDINGS: UsageRecording[] = [
  // message_delta: input 6, cache_creation 3337, cache_read 6289, output 198, thinking 0
  { label: 'anthropic prompt-cache stream', vendor: 'anthropic', model: 'claude-sonnet-4-6', stream: true, script: replay('anthropic/anthropic-code-execution-20260120-prompt-cache.1.chunks.txt'), usage: { input: 9632, output: 198, cached: 6289, creation: 3337, reasoning: 0 } },
  { label: 'anthropic text json', vendor: 'anthropic', model: 'claude-sonnet-4-6', stream: false, script: replay('anthropic/anthropic-text.json'), usage: { input: 12, output: 29, cached: 0, creation: 0 } },
  // prompt 26, candidates 23, thoughts 132
  { label: 'gemini stream with thoughts', vendor: 'gemini', model: 'gemini-3-pro-preview', stream: true, script: replay('gemini/google-stream-tool-call-arguments.chunks.txt'), usage: { input: 26, output: 155, reasoning: 132 } },
  { label: 'gemini json with thoughts', vendor: 'gemini', model: 'gemini-3-pro-preview', stream: false, script: replay('gemini/google-reasoning.json'), usage: { input: 9, output: 311, reasoning: 282 } },
  { label: 'deepseek stream with cache hits', vendor: 'openai', model: 'deepseek-reasoner', stream: true, script: replay('deepseek-chat/deepseek-tool-call.chunks.txt'), usage: { input: 339, output: 83, cached: 320, reasoning: 39 } },
  { label: 'deepseek json with cache hits', vendor: 'openai', model: 'deepseek-reasoner', stream: false, script: replay('deepseek-chat/deepseek-tool-call.json'), usage: { input: 339, output: 92, cached: 320, reasoning: 48 } },
  // xAI counts reasoning outside completion_tokens (total = prompt + completion + reasoning)
  { label: 'xai stream, reasoning outside completion', vendor: 'openai', model: 'grok-3-mini', stream: true, script: replay('openai-compatible/xai-tool-call.chunks.txt'), usage: { input: 307, output: 253, cached: 306, reasoning: 227 } },
  { label: 'xai json, reasoning outside completion', vendor: 'openai', model: 'grok-3-mini', stream: false, script: replay('openai-compatible/xai-tool-call.json'), usage: { input: 307, output: 281, cached: 244, reasoning: 255 } },
];

describe('L14 usage reaches the client as the upstream reported it, in the client units', () => {
  const rig = new Rig();
  let gw: RunningGateway;
  const silent = {} as Record<'openai' | 'gemini', Upstream>;

  beforeAll(async () => {
    const providers: Record<string, unknown>[] = [];
    for (const rec of USAGE_RECORDINGS) {
      const up = await rig.upstream(rec.vendor, { script: rec.script });
      providers.push(provider(`p${providers.length}`, up, [`${rec.label}`.replace(/[^a-z0-9]+/g, '-')]));
    }
    // Upstreams that report no usage at all.
    silent.openai = await rig.upstream('openai', {
      script: (ctx) =>
        ctx.stream
          ? {
              kind: 'events',
              dialect: 'openai-chat',
              events: [
                { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'no usage here' }, finish_reason: null }] },
                { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
              ],
            }
          : { kind: 'json', body: { id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'no usage here' }, finish_reason: 'stop' }] } },
    });
    silent.gemini = await rig.upstream('gemini', {
      script: (ctx) => {
        const chunk = { candidates: [{ content: { role: 'model', parts: [{ text: 'no usage here' }] }, finishReason: 'STOP', index: 0 }], modelVersion: 'g', responseId: 'r' };
        return ctx.stream ? { kind: 'events', dialect: 'gemini', events: [chunk] } : { kind: 'json', body: chunk };
      },
    });
    providers.push(provider('silent-openai', silent.openai, ['silent-chat']), provider('silent-gemini', silent.gemini, ['silent-gemini']));
    gw = await rig.gateway({ providers });
  });
  afterAll(() => rig.close());

  describe.each(USAGE_RECORDINGS)('$label', (rec) => {
    const model = rec.label.replace(/[^a-z0-9]+/g, '-');
    it.each(CLIENT_DIALECTS.filter((d) => d !== VENDOR_DIALECT[rec.vendor]))('→ %s client', async (dialect) => {
      const res = await callGateway(gw, dialect, model, rec.stream);
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      expect(clientUsage(dialect, rec.stream, res.text)).toMatchObject(usageIn(dialect, rec.usage));
    });
  });

  /** Every number in a usage object (nested too). */
  const numbers = (v: unknown): number[] => (typeof v === 'number' ? [v] : isObj(v) ? Object.values(v).flatMap(numbers) : []);

  it.each(
    (['silent-chat', 'silent-gemini'] as const).flatMap((model) =>
      CLIENT_DIALECTS.filter((d) => d !== (model === 'silent-chat' ? 'openai-chat' : 'gemini')).flatMap((d) => [
        { model, d, stream: true },
        { model, d, stream: false },
      ]),
    ),
  )('nothing invented: $model upstream reports none → $d client (stream: $stream) gets no counts', async ({ model, d, stream }) => {
    const res = await callGateway(gw, d, model, stream);
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    const usage = clientUsage(d, stream, res.text);
    expect(numbers(usage ?? {}).every((n) => n === 0), JSON.stringify(usage)).toBe(true);
  });
});

// =============================================================================================
// Streams that end early, carry nothing, or fail midway become an error the client sees — never a
// silent, empty "success".

type Scenario = 'ends early' | 'no content' | 'error midway' | 'connection dropped';

/** The upstream's side of each scenario, in its own wire format. */
function brokenScript(vendor: Vendor, scenario: Exclude<Scenario, 'connection dropped'>): ScriptFn {
  const midway = MIDWAY_ERROR[vendor];
  switch (scenario) {
    case 'error midway':
      return () => ({ kind: 'events', dialect: midway.dialect, events: midway.events });
    case 'no content':
      return () => ({ kind: 'raw', chunks: [], contentType: 'text/event-stream' });
    case 'ends early': {
      // The first frames of a good stream, then the end of the body: no terminal event.
      const events = midway.events.slice(0, -1);
      const sep = vendor === 'gemini' ? '\r\n' : '\n';
      const frames = events.map((e) => `${vendor === 'anthropic' ? `event: ${String(e.type)}${sep}` : ''}data: ${JSON.stringify(e)}${sep}${sep}`);
      return () => ({ kind: 'raw', chunks: frames, contentType: 'text/event-stream' });
    }
  }
}

describe('broken upstream streams become errors in the client dialect, never an empty success', () => {
  const rig = new Rig();
  const ups = {} as Record<Vendor, Upstream>;
  let gw: RunningGateway;
  const MODEL: Record<Vendor, string> = { openai: 'gpt-5', anthropic: 'claude-sonnet-4-6', gemini: 'gemini-2.5-flash' };

  beforeAll(async () => {
    for (const v of ['openai', 'anthropic', 'gemini'] as const) ups[v] = await rig.upstream(v);
    gw = await rig.gateway({ ...NO_BREAKER, providers: [provider('oa', ups.openai, ['gpt-*']), provider('an', ups.anthropic, ['claude-*']), provider('ge', ups.gemini, ['gemini-*'])] });
  });
  afterAll(() => rig.close());
  afterEach(() => {
    for (const up of Object.values(ups)) up.setScript(undefined);
  });

  const SCENARIOS: Scenario[] = ['ends early', 'no content', 'error midway', 'connection dropped'];
  const cases = (['openai', 'anthropic', 'gemini'] as const).flatMap((vendor) =>
    CLIENT_DIALECTS.filter((d) => d !== VENDOR_DIALECT[vendor]).flatMap((client) => SCENARIOS.map((scenario) => ({ vendor, client, scenario }))),
  );

  it.each(cases)('$vendor upstream, $scenario → $client client (streamed)', async ({ vendor, client, scenario }) => {
    if (scenario === 'connection dropped') ups[vendor].setFaults({ [UP_KEY]: [{ dropAfterChunks: 2 }] });
    else ups[vendor].setScript(brokenScript(vendor, scenario));
    const res = await callGateway(gw, client, MODEL[vendor], true);
    expect(res.status).toBe(200); // the stream had started (or was committed) before the failure
    const got = readStream(client, res.text);
    expect(got.error, res.text.slice(-400)).toBeDefined();
    expect(got.completed).toBe(false);
    switch (client) {
      case 'anthropic':
        expect(got.frames.at(-1)?.event).toBe('error');
        expect(got.frames.some((f) => f.event === 'message_stop')).toBe(false);
        break;
      case 'openai-chat':
        expect(got.frames.some((f) => f.data === '[DONE]')).toBe(false);
        break;
      case 'openai-responses':
        expect(got.frames.at(-1)?.event).toBe('response.failed');
        expectResponsesShaped(got.frames);
        break;
      case 'gemini':
        expect(isObj(got.frames.at(-1)?.json?.error)).toBe(true);
        break;
    }
  });

  it.each((['openai', 'anthropic'] as const).flatMap((vendor) => (['error midway', 'connection dropped'] as const).map((scenario) => ({ vendor, scenario }))))(
    '$vendor upstream, $scenario → Gemini client streaming a JSON array: still valid JSON, ending in the error',
    async ({ vendor, scenario }) => {
      if (scenario === 'connection dropped') ups[vendor].setFaults({ [UP_KEY]: [{ dropAfterChunks: 2 }] });
      else ups[vendor].setScript(brokenScript(vendor, scenario));
      const res = await post(`${gw.url}/v1beta/models/${MODEL[vendor]}:streamGenerateContent`, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }, GEMINI_HEADERS);
      expect(res.status).toBe(200);
      const chunks = JSON.parse(res.text) as Json[];
      expect(isObj(chunks.at(-1)?.error)).toBe(true);
      expect(readGeminiChunks(chunks).completed).toBe(false);
    },
  );

  it.each((['openai', 'anthropic', 'gemini'] as const).flatMap((vendor) => CLIENT_DIALECTS.filter((d) => d !== VENDOR_DIALECT[vendor]).map((client) => ({ vendor, client }))))(
    '$vendor upstream cut mid-body → $client client (not streamed) gets a 502 in its dialect',
    async ({ vendor, client }) => {
      ups[vendor].setFaults({ [UP_KEY]: [{ dropAfterChunks: 1 }] });
      const res = await callGateway(gw, client, MODEL[vendor], false);
      expect(res.status).toBe(502);
      expect(String(dialectError(client, res.text).message)).toMatch(/dropped the connection|ended|not valid|upstream/i);
    },
  );
});
