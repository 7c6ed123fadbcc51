// The local vendor upstreams, exercised through each vendor's official SDK (and raw HTTP where the SDK would
// hide the wire format or refuse to send the invalid request).
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI, type Content } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { replay, startAnthropicUpstream, startGeminiUpstream, startOpenAIUpstream, type JsonObject, type Upstream } from './index.js';
import { clientFixtureBodies, post, readTimed, sseEvents } from './test-helpers.js';

const BASH_TOOL_SCHEMA = { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] };

async function openaiError(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(OpenAI.APIError);
  return err as InstanceType<typeof OpenAI.APIError>;
}

async function anthropicError(p: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(Anthropic.APIError);
  return err as InstanceType<typeof Anthropic.APIError>;
}

async function geminiError(p: Promise<unknown>): Promise<{ status: number; body: { error: { code: number; message: string; status: string; details?: JsonObject[] } } }> {
  const err = (await p.then(() => undefined, (e: unknown) => e)) as { status: number; message: string } | undefined;
  expect(err?.status).toBeTypeOf('number');
  return { status: err!.status, body: JSON.parse(err!.message) as never };
}

// ===================================================================== OpenAI

describe('OpenAI upstream', () => {
  let up: Upstream;
  let client: OpenAI;
  beforeAll(async () => {
    up = await startOpenAIUpstream();
    client = new OpenAI({ apiKey: 'sk-test', baseURL: `${up.url}/v1`, maxRetries: 0 });
  });
  afterAll(() => up.close());
  afterEach(() => up.setScript(undefined));

  const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'bash', description: 'Run a command', parameters: BASH_TOOL_SCHEMA } }];

  it('chat: plain answer with usage, recorded with its key', async () => {
    const r = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi there' }] });
    expect(r.object).toBe('chat.completion');
    expect(r.choices[0].message.content).toBe('Hello from the OpenAI upstream. You said: hi there');
    expect(r.choices[0].finish_reason).toBe('stop');
    expect(r.usage!.total_tokens).toBe(r.usage!.prompt_tokens + r.usage!.completion_tokens);
    const last = up.requests[up.requests.length - 1];
    expect(last).toMatchObject({ method: 'POST', path: '/v1/chat/completions', key: 'sk-test' });
    expect((last.body as JsonObject).model).toBe('gpt-4o');
  });

  it('chat: streams role first, content deltas, finish, usage chunk and [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o', messages: [{ role: 'user', content: 'stream please' }], stream: true, stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from the OpenAI upstream. You said: stream please');
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(1);
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
    const usage = chunks[chunks.length - 1];
    expect(usage.choices).toEqual([]);
    const plain = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'stream please' }] });
    expect(usage.usage).toEqual(plain.usage);

    const raw = await post(`${up.url}/v1/chat/completions`, { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true }, { authorization: 'Bearer k' });
    expect(raw.headers.get('content-type')).toContain('text/event-stream');
    const frames = sseEvents(raw.text);
    expect(frames[frames.length - 1].data).toBe('[DONE]');
    expect(frames.every((f) => f.event === undefined)).toBe(true);
  });

  it('chat: tool call (plain and streamed by index over several chunks), then the tool result', async () => {
    const r = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'use the tool please' }], tools });
    const call = r.choices[0].message.tool_calls![0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    expect(r.choices[0].finish_reason).toBe('tool_calls');
    expect(r.choices[0].message.content).toBeNull();
    expect(call.function.name).toBe('bash');
    expect(JSON.parse(call.function.arguments)).toEqual({ command: 'echo hi' });

    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'use the tool' }], tools, stream: true });
    const deltas: OpenAI.Chat.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const c of stream) {
      deltas.push(...(c.choices[0]?.delta.tool_calls ?? []));
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(deltas[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'bash', arguments: '' } });
    expect(deltas.length).toBeGreaterThan(2);
    expect(JSON.parse(deltas.map((d) => d.function?.arguments ?? '').join(''))).toEqual({ command: 'echo hi' });
    expect(finish).toBe('tool_calls');

    const next = await client.chat.completions.create({
      model: 'gpt-4o', tools,
      messages: [{ role: 'user', content: 'use the tool' }, r.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'hi' }],
    });
    expect(next.choices[0].message.content).toBe('tool result was: hi');
  });

  it('chat: describes an image', async () => {
    const r = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }],
    });
    expect(r.choices[0].message.content).toBe('I see an image (image/png)');
  });

  it('responses: plain, streamed with sequence numbers, tool call and function_call_output', async () => {
    const r = await client.responses.create({ model: 'gpt-4.1', input: 'hello' });
    expect(r.status).toBe('completed');
    expect(r.output_text).toBe('Hello from the OpenAI upstream. You said: hello');
    expect(r.usage!.total_tokens).toBe(r.usage!.input_tokens + r.usage!.output_tokens);

    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'use the tool', tools: [{ type: 'function', name: 'bash', parameters: BASH_TOOL_SCHEMA, strict: false }], stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_e, i) => i));
    expect(events[0].type).toBe('response.created');
    expect(events[events.length - 1].type).toBe('response.completed');
    expect(events.filter((e) => e.type === 'response.function_call_arguments.delta').length).toBeGreaterThan(1);
    const completed = events[events.length - 1] as OpenAI.Responses.ResponseCompletedEvent;
    const call = completed.response.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ type: 'function_call', name: 'bash', arguments: '{"command":"echo hi"}' });

    const next = await client.responses.create({
      model: 'gpt-4.1', store: false,
      input: [{ role: 'user', content: 'use the tool' }, call, { type: 'function_call_output', call_id: call.call_id, output: 'hi' }],
    });
    expect(next.output_text).toBe('tool result was: hi');

    // Continuing a stored response: the call lives in the previous response.
    const chained = await client.responses.create({
      model: 'gpt-4.1', previous_response_id: completed.response.id, input: [{ type: 'function_call_output', call_id: call.call_id, output: 'chained' }],
    });
    expect(chained.output_text).toBe('tool result was: chained');
  });

  it('responses: reasoning summary with encrypted content, replayed back and recorded', async () => {
    const r = await client.responses.create({
      model: 'gpt-5', input: 'think', reasoning: { effort: 'low', summary: 'auto' }, include: ['reasoning.encrypted_content'], store: false,
    });
    const reasoning = r.output[0] as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.type).toBe('reasoning');
    expect(reasoning.summary[0].text).toBe('Thinking about: think');
    expect(reasoning.encrypted_content).toMatch(/^enc-openai-\d+$/);
    expect(up.signatures.issued).toContain(reasoning.encrypted_content);

    await client.responses.create({ model: 'gpt-5', store: false, input: [{ role: 'user', content: 'think' }, reasoning, { role: 'user', content: 'again' }] });
    expect(up.signatures.received).toContain(reasoning.encrypted_content);

    const forged = await openaiError(client.responses.create({ model: 'gpt-5', store: false, input: [{ ...reasoning, encrypted_content: 'forged' }, { role: 'user', content: 'x' }] }));
    expect(forged.status).toBe(400);
    expect(forged.message).toContain(`The encrypted content for item ${reasoning.id} could not be verified.`);

    // Without a summary request a reasoning model still returns its (empty-summary) reasoning item, and the
    // API only finds it again by id when the response was stored.
    const silent = await client.responses.create({ model: 'gpt-5', input: 'x', reasoning: { effort: 'low' }, store: false });
    expect(silent.output[0]).toMatchObject({ type: 'reasoning', summary: [] });
    const lost = await openaiError(client.responses.create({ model: 'gpt-5', store: false, input: [silent.output[0] as OpenAI.Responses.ResponseReasoningItem, { role: 'user', content: 'x' }] }));
    expect(lost.status).toBe(404);
    expect(lost.message).toContain(`Item with id '${silent.output[0].id}' not found. Items are not persisted when \`store\` is set to false.`);

    const stream = await client.responses.create({ model: 'gpt-5', input: 'x', reasoning: { effort: 'low', summary: 'detailed' }, stream: true });
    const types: string[] = [];
    for await (const e of stream) types.push(e.type);
    expect(types.slice(0, 5)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.reasoning_summary_part.added', 'response.reasoning_summary_text.delta']);
  });

  it('lists models', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('gpt-4o');
  });

  describe('rejects like the API', () => {
    const cases: [string, () => Promise<unknown>, string, string | null][] = [
      ['unknown chat parameter', () => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], foo: 1 } as never), 'Unrecognized request argument supplied: foo', null],
      ['missing messages', () => client.chat.completions.create({ model: 'gpt-4o' } as never), "Missing required parameter: 'messages'.", 'messages'],
      ['bad role', () => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'robot', content: 'x' }] } as never), "Invalid value: 'robot'. Supported values are: 'developer', 'system', 'user', 'assistant', 'tool', and 'function'.", 'messages[0].role'],
      ['wrong type', () => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' } as never), "Invalid type for 'temperature': expected a decimal, but got a string instead.", 'temperature'],
      ['out of range', () => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], temperature: 3 }), "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.", 'temperature'],
      ['tool message without tool calls', () => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'call_1', content: 'r' }] }), "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", 'messages.[1].role'],
      ['unanswered tool call', () => client.chat.completions.create({
        model: 'gpt-4o',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'bash', arguments: '{}' } }] },
          { role: 'user', content: 'next' },
        ],
      }), "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_1", 'messages.[1].role'],
      ['tool answer for another id', () => client.chat.completions.create({
        model: 'gpt-4o',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'bash', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'call_2', content: 'r' },
        ],
      }), "Invalid parameter: 'tool_call_id' of 'call_2' not found in 'tool_calls' of previous message.", 'messages.[2].tool_call_id'],
      ['stream_options without stream', () => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true } }), "The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options'],
      ['max_tokens on a reasoning model', () => client.chat.completions.create({ model: 'o3', messages: [{ role: 'user', content: 'x' }], max_tokens: 10 }), "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", 'max_tokens'],
      ['bad function name', () => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'run bash' } }] }), "Invalid 'tools[0].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", 'tools[0].function.name'],
      ['unknown responses parameter', () => client.responses.create({ model: 'gpt-4.1', input: 'x', foo: 1 } as never), "Unknown parameter: 'foo'.", 'foo'],
      ['unknown key inside an input item', () => client.responses.create({ model: 'gpt-4.1', input: [{ role: 'user', content: 'x' }, { role: 'user', content: 'y', metadata: {} }] } as never), "Unknown parameter: 'input[1].metadata'.", 'input[1].metadata'],
      ['unknown key inside a content part', () => client.responses.create({ model: 'gpt-4.1', input: [{ role: 'user', content: [{ type: 'input_text', text: 'x', cache_control: { type: 'ephemeral' } }] }] } as never), "Unknown parameter: 'input[0].content[0].cache_control'.", 'input[0].content[0].cache_control'],
      ['bad input item type', () => client.responses.create({ model: 'gpt-4.1', input: [{ type: 'function_cal', call_id: 'c' }] } as never), "Invalid value: 'function_cal'.", 'input[0].type'],
      ['orphan function_call_output', () => client.responses.create({ model: 'gpt-4.1', input: [{ role: 'user', content: 'x' }, { type: 'function_call_output', call_id: 'call_9', output: 'r' }] }), 'No tool call found for function call output with call_id call_9.', 'input'],
      ['function_call without output', () => client.responses.create({ model: 'gpt-4.1', input: [{ role: 'user', content: 'x' }, { type: 'function_call', call_id: 'call_8', name: 'bash', arguments: '{}' }] }), 'No tool output found for function call call_8.', 'input'],
      ['unknown previous response', () => client.responses.create({ model: 'gpt-4.1', input: 'x', previous_response_id: 'resp_nope' }), "Previous response with id 'resp_nope' not found.", 'previous_response_id'],
      ['temperature on a reasoning model', () => client.responses.create({ model: 'gpt-5', input: 'x', temperature: 0.2 }), "Unsupported parameter: 'temperature' is not supported with this model.", 'temperature'],
    ];
    it.each(cases)('%s', async (_name, call, message, param) => {
      const err = await openaiError(call());
      expect(err.status).toBe(400);
      expect(err.error).toMatchObject({ type: 'invalid_request_error', param });
      expect((err.error as { message: string }).message).toContain(message);
    });

    it('invalid JSON, bad keys, unknown paths and models', async () => {
      const bad = await post(`${up.url}/v1/chat/completions`, '{nope', { authorization: 'Bearer k' });
      expect(bad.status).toBe(400);
      expect((bad.json as { error: { message: string } }).error.message).toMatch(/^We could not parse the JSON body of your request/);

      const strict = await startOpenAIUpstream({ keys: ['sk-good'], models: ['gpt-4o'] });
      try {
        const wrong = await openaiError(new OpenAI({ apiKey: 'sk-wrong-key-123456', baseURL: `${strict.url}/v1`, maxRetries: 0 }).models.list());
        expect(wrong.status).toBe(401);
        expect(wrong.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
        expect(wrong.message).toContain('Incorrect API key provided: sk-');
        const none = await fetch(`${strict.url}/v1/models`);
        expect(none.status).toBe(401);
        expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/^You didn't provide an API key/);
        const good = new OpenAI({ apiKey: 'sk-good', baseURL: `${strict.url}/v1`, maxRetries: 0 });
        const model = await openaiError(good.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] }));
        expect(model.status).toBe(404);
        expect(model.error).toMatchObject({ code: 'model_not_found', message: 'The model `gpt-9` does not exist or you do not have access to it.' });
        const missing = await post(`${strict.url}/v1/embeddings-nope`, {}, { authorization: 'Bearer sk-good' });
        expect(missing.status).toBe(404);
        expect(missing.json).toEqual({ error: { message: 'Invalid URL (POST /v1/embeddings-nope)', type: 'invalid_request_error', param: null, code: null } });
      } finally {
        await strict.close();
      }
    });
  });

  it('accepts the request bodies real clients send (codex)', async () => {
    for (const body of [...clientFixtureBodies('codex-exec-responses.json'), ...clientFixtureBodies('codex-exec-tool-roundtrip.json')]) {
      const res = await post(`${up.url}/v1/responses`, body, { authorization: 'Bearer sk-test' });
      expect(res.status, res.text).toBe(200);
    }
  });
});

// ===================================================================== Anthropic

describe('Anthropic upstream', () => {
  let up: Upstream;
  let client: Anthropic;
  const model = 'claude-sonnet-5-5';
  beforeAll(async () => {
    up = await startAnthropicUpstream();
    client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: up.url, maxRetries: 0 });
  });
  afterAll(() => up.close());
  afterEach(() => up.setScript(undefined));

  const tools: Anthropic.Tool[] = [{ name: 'bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } }];
  const thinking = { type: 'enabled', budget_tokens: 1024 } as const;

  it('plain answer with usage; count_tokens agrees on input tokens', async () => {
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'hi there' }];
    const m = await client.messages.create({ model, max_tokens: 100, system: 'be brief', messages });
    expect(m.content).toEqual([{ type: 'text', text: 'Hello from the Anthropic upstream. You said: hi there' }]);
    expect(m.stop_reason).toBe('end_turn');
    const count = await client.messages.countTokens({ model, system: 'be brief', messages });
    expect(count.input_tokens).toBe(m.usage.input_tokens);
    expect(up.requests[0].key).toBe('sk-ant-test');
  });

  it('streams message_start, ping, deltas, message_delta, message_stop; tool input in several fragments', async () => {
    const raw = await post(`${up.url}/v1/messages`, { model, max_tokens: 100, stream: true, tools, messages: [{ role: 'user', content: 'use the tool' }] }, { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' });
    const frames = sseEvents(raw.text);
    expect(frames.map((f) => f.event)).toEqual(frames.map((f) => (JSON.parse(f.data) as { type: string }).type));
    const types = frames.map((f) => f.event);
    expect(types.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    const fragments = frames.map((f) => JSON.parse(f.data) as JsonObject).filter((e) => (e.delta as JsonObject | undefined)?.type === 'input_json_delta');
    expect(fragments.length).toBeGreaterThan(2);

    const stream = client.messages.stream({ model, max_tokens: 100, tools, messages: [{ role: 'user', content: 'use the tool' }] });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content[0]).toMatchObject({ type: 'tool_use', name: 'bash', input: { command: 'echo hi' } });

    const text = await client.messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'stream' }] }).finalText();
    expect(text).toBe('Hello from the Anthropic upstream. You said: stream');
  });

  it('tool use round trip, image, thinking with a signature replayed to its origin', async () => {
    const first = await client.messages.create({ model, max_tokens: 2048, thinking, tools, messages: [{ role: 'user', content: 'use the tool' }] });
    expect(first.content.map((b) => b.type)).toEqual(['thinking', 'tool_use']);
    const sig = (first.content[0] as Anthropic.ThinkingBlock).signature;
    expect(sig).toMatch(/^sig-anthropic-\d+$/);
    const toolUse = first.content[1] as Anthropic.ToolUseBlock;
    const history: Anthropic.MessageParam[] = [
      { role: 'user', content: 'use the tool' },
      { role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'hi' }] },
    ];
    const second = await client.messages.create({ model, max_tokens: 2048, thinking, tools, messages: history });
    expect(second.content[1]).toEqual({ type: 'text', text: 'tool result was: hi' });
    expect(up.signatures.received).toContain(sig);
    expect(up.signatures.foreign()).toEqual([]);

    // The signature covers the text: a genuine signature on altered thinking is refused, like the API does.
    const altered = structuredClone(history);
    ((altered[1].content as Anthropic.ContentBlockParam[])[0] as Anthropic.ThinkingBlockParam).thinking = '';
    await expect(client.messages.create({ model, max_tokens: 2048, thinking, tools, messages: altered })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('messages.1.content.0: `thinking` or `redacted_thinking` blocks in the latest assistant message cannot be modified.'),
    });

    const image = await client.messages.create({
      model, max_tokens: 50,
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklGRg==' } }, { type: 'text', text: 'what?' }] }],
    });
    expect(image.content[0]).toEqual({ type: 'text', text: 'I see an image (image/webp)' });
  });

  describe('rejects like the API', () => {
    const user = (content: Anthropic.MessageParam['content']): Anthropic.MessageParam => ({ role: 'user', content });
    const callAndAnswer = (answer: Anthropic.ContentBlockParam[]): Anthropic.MessageParam[] => [
      user('go'), { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'bash', input: {} }] }, user(answer),
    ];
    const docs = 'https://docs.claude.com/en/docs/build-with-claude/extended-thinking';
    const cases: [string, JsonObject, string][] = [
      ['unknown field', { model, max_tokens: 10, messages: [user('x')], foo: 1 }, 'foo: Extra inputs are not permitted'],
      ['missing max_tokens', { model, messages: [user('x')] }, 'max_tokens: Field required'],
      ['max_tokens below 1', { model, max_tokens: 0, messages: [user('x')] }, 'max_tokens: Input should be greater than or equal to 1'],
      ['fractional max_tokens', { model, max_tokens: 1.5, messages: [user('x')] }, 'max_tokens: Input should be a valid integer'],
      ['missing model', { max_tokens: 10, messages: [user('x')] }, 'model: Field required'],
      ['bad role', { model, max_tokens: 10, messages: [{ role: 'robot', content: 'x' }] }, "messages.0.role: Input should be 'user', 'assistant' or 'system'"],
      ['first message from the assistant', { model, max_tokens: 10, messages: [{ role: 'assistant', content: 'x' }] }, 'messages: first message must use the "user" role'],
      ['two user turns in a row', { model, max_tokens: 10, messages: [user('a'), user('b')] }, 'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row'],
      ['unknown block type', { model, max_tokens: 10, messages: [user([{ type: 'picture', url: 'x' } as never])] }, "messages.0.content.0: Input tag 'picture' found using 'type' does not match any of the expected tags:"],
      ['extra key in a block', { model, max_tokens: 10, messages: [user([{ type: 'text', text: 'x', id: 1 } as never])] }, 'messages.0.content.0.text.id: Extra inputs are not permitted'],
      ['empty text block', { model, max_tokens: 10, messages: [user([{ type: 'text', text: '' }])] }, 'messages: text content blocks must be non-empty'],
      ['tool_result for an unknown id', { model, max_tokens: 10, messages: [user('go'), { role: 'assistant', content: 'ok' }, user([{ type: 'tool_result', tool_use_id: 'toolu_x', content: 'r' }])] }, 'messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_x. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.'],
      ['tool_use left unanswered', { model, max_tokens: 10, messages: callAndAnswer([{ type: 'text', text: 'never mind' }]) }, 'messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1. Each `tool_use` block must have a corresponding `tool_result` block in the next message.'],
      ['tool_result after text', { model, max_tokens: 10, messages: callAndAnswer([{ type: 'text', text: 'here:' }, { type: 'tool_result', tool_use_id: 'toolu_1', content: 'r' }]) }, 'messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1.'],
      ['thinking budget below 1024', { model, max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 500 }, messages: [user('x')] }, 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024'],
      ['thinking budget not below max_tokens', { model, max_tokens: 1024, thinking, messages: [user('x')] }, `\`max_tokens\` must be greater than \`thinking.budget_tokens\`. Please consult our documentation at ${docs}#max-tokens-and-context-window-size`],
      ['unknown thinking type', { model, max_tokens: 4000, thinking: { type: 'deep' }, messages: [user('x')] }, "thinking: Input tag 'deep' found using 'type' does not match any of the expected tags: 'adaptive', 'between_tools', 'disabled', 'enabled'"],
      ['temperature with thinking', { model, max_tokens: 4000, thinking, temperature: 0.5, messages: [user('x')] }, '`temperature` may only be set to 1 when thinking is enabled.'],
      ['top_k with thinking', { model, max_tokens: 4000, thinking, top_k: 5, messages: [user('x')] }, '`top_k` must be unset when thinking is enabled.'],
      ['forced tool with thinking', { model, max_tokens: 4000, thinking, tools, tool_choice: { type: 'any' }, messages: [user('x')] }, 'Thinking may not be enabled when tool_choice forces tool use.'],
      ['tool loop without its thinking block', { model, max_tokens: 4000, thinking, tools, messages: callAndAnswer([{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'r' }]) }, `messages.1.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`tool_use\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at ${docs}`],
      ['forged thinking signature', {
        model, max_tokens: 4000, thinking, tools,
        messages: [user('go'), { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'forged' }, { type: 'tool_use', id: 'toolu_1', name: 'bash', input: {} }] }, user([{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'r' }])],
      }, 'messages.1.content.0: Invalid `signature` in `thinking` block'],
      ['tool without input_schema', { model, max_tokens: 10, tools: [{ name: 'bash' }], messages: [user('x')] }, 'tools.0.custom.input_schema: Field required'],
      ['tool schema not an object', { model, max_tokens: 10, tools: [{ name: 'bash', input_schema: { type: 'string' } }], messages: [user('x')] }, "tools.0.custom.input_schema.type: Input should be 'object'"],
      ['tool without a name', { model, max_tokens: 10, tools: [{ input_schema: { type: 'object' } }], messages: [user('x')] }, 'tools.0.custom.name: Field required'],
      ['trailing whitespace in a prefill', { model, max_tokens: 10, messages: [user('x'), { role: 'assistant', content: 'Sure ' }] }, 'messages: final assistant content cannot end with trailing whitespace'],
    ];
    it.each(cases)('%s', async (_name, body, message) => {
      const err = await anthropicError(client.messages.create(body as never));
      expect(err.status).toBe(400);
      expect(err.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      expect((err.error as { error: { message: string } }).error.message).toContain(message);
    });

    it('headers: missing version, bad key, unknown path and model', async () => {
      const noVersion = await post(`${up.url}/v1/messages`, { model, max_tokens: 10, messages: [user('x')] }, { 'x-api-key': 'k' });
      expect(noVersion.status).toBe(400);
      expect(noVersion.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });

      const strict = await startAnthropicUpstream({ keys: ['sk-ant-good'], models: [model] });
      try {
        const wrong = await anthropicError(new Anthropic({ apiKey: 'sk-ant-bad', baseURL: strict.url, maxRetries: 0 }).messages.create({ model, max_tokens: 10, messages: [user('x')] }));
        expect(wrong.status).toBe(401);
        expect(wrong.error).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
        const good = new Anthropic({ apiKey: 'sk-ant-good', baseURL: strict.url, maxRetries: 0 });
        const unknownModel = await anthropicError(good.messages.create({ model: 'claude-nope', max_tokens: 10, messages: [user('x')] }));
        expect(unknownModel.status).toBe(404);
        expect(unknownModel.error).toMatchObject({ error: { type: 'not_found_error', message: 'model: claude-nope' } });
        const path = await post(`${strict.url}/v1/complete`, {}, { 'x-api-key': 'sk-ant-good', 'anthropic-version': '2023-06-01' });
        expect(path.status).toBe(404);
        expect(path.json).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
      } finally {
        await strict.close();
      }
    });
  });

  it('accepts the request bodies Claude Code sends', async () => {
    for (const file of ['claude-code-p-apikey.json', 'claude-code-p-sonnet.json', 'claude-code-p-tool-roundtrip.json']) {
      for (const body of clientFixtureBodies(file)) {
        const res = await post(`${up.url}/v1/messages?beta=true`, body, {
          'x-api-key': 'k', 'anthropic-version': '2023-06-01',
          'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,per-turn-control-2026-07-01',
        });
        expect(res.status, `${file}: ${res.text.slice(0, 300)}`).toBe(200);
      }
    }
  });
});

// ===================================================================== Gemini

describe('Gemini upstream', () => {
  let up: Upstream;
  let ai: GoogleGenAI;
  const tools = [{ functionDeclarations: [{ name: 'bash', description: 'Run a command', parametersJsonSchema: BASH_TOOL_SCHEMA }] }];
  beforeAll(async () => {
    up = await startGeminiUpstream();
    ai = new GoogleGenAI({ apiKey: 'AIza-test', httpOptions: { baseUrl: up.url, retryOptions: { attempts: 1 } } });
  });
  afterAll(() => up.close());
  afterEach(() => up.setScript(undefined));
  const gen = (model: string) => `${up.url}/v1beta/models/${model}:generateContent`;
  const keyHeader = { 'x-goog-api-key': 'AIza-test' };

  it('plain answer with usage; countTokens agrees', async () => {
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi there' });
    expect(r.text).toBe('Hello from the Gemini upstream. You said: hi there');
    expect(r.candidates![0].finishReason).toBe('STOP');
    const u = r.usageMetadata!;
    expect(u.totalTokenCount).toBe(u.promptTokenCount! + u.candidatesTokenCount!);
    const count = await ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'hi there' });
    expect(count.totalTokens).toBe(u.promptTokenCount);
    expect(up.requests[0]).toMatchObject({ key: 'AIza-test' });
  });

  it('streams SSE with CRLF frames (usage on every chunk, finishReason last) or a JSON array without alt=sse', async () => {
    const chunks = [];
    for await (const c of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'stream it' })) chunks.push(c);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((c) => c.text).join('')).toBe('Hello from the Gemini upstream. You said: stream it');
    expect(chunks.every((c) => c.usageMetadata?.promptTokenCount)).toBe(true);
    expect(chunks[chunks.length - 1].candidates![0].finishReason).toBe('STOP');
    expect(chunks.slice(0, -1).every((c) => !c.candidates![0].finishReason)).toBe(true);

    const body = { contents: [{ role: 'user', parts: [{ text: 'x' }] }] };
    const sse = await post(`${up.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, body, keyHeader);
    expect(sse.text.startsWith('data: {')).toBe(true);
    expect(sse.text).toContain('}\r\n\r\ndata: {');
    const array = await post(`${up.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?key=AIza-test`, body);
    expect(array.headers.get('content-type')).toContain('application/json');
    expect(Array.isArray(array.json)).toBe(true);
    expect((array.json as unknown[]).length).toBeGreaterThan(1);
  });

  it('function call and response; thoughts with a signature; Gemini 3 demands the signature back', async () => {
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'use the tool', config: { tools } });
    expect(r.functionCalls).toEqual([{ name: 'bash', args: { command: 'echo hi' } }]);
    const history: Content[] = [
      { role: 'user', parts: [{ text: 'use the tool' }] },
      r.candidates![0].content!,
      { role: 'user', parts: [{ functionResponse: { name: 'bash', response: { output: 'hi' } } }] },
    ];
    const next = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: history, config: { tools } });
    expect(next.text).toBe('tool result was: hi');

    const thought = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'ponder', config: { thinkingConfig: { includeThoughts: true } } });
    const parts = thought.candidates![0].content!.parts!;
    expect(parts[0]).toMatchObject({ text: 'Thinking about: ponder', thought: true });
    expect(parts[0].thoughtSignature).toMatch(/^sig-gemini-\d+$/);
    expect(thought.usageMetadata!.thoughtsTokenCount).toBeGreaterThan(0);

    const g3 = await ai.models.generateContent({ model: 'gemini-3-pro-preview', contents: 'use the tool', config: { tools } });
    const callPart = g3.candidates![0].content!.parts![0];
    expect(callPart.thoughtSignature).toMatch(/^sig-gemini-\d+$/);
    const g3history = (part: JsonObject): Content[] => [
      { role: 'user', parts: [{ text: 'use the tool' }] },
      { role: 'model', parts: [part] },
      { role: 'user', parts: [{ functionResponse: { name: 'bash', response: { output: 'ok' } } }] },
    ];
    const replayed = await ai.models.generateContent({ model: 'gemini-3-pro-preview', contents: g3history(callPart as JsonObject), config: { tools } });
    expect(replayed.text).toBe('tool result was: ok');
    expect(up.signatures.received).toContain(callPart.thoughtSignature);

    const sentinel = await ai.models.generateContent({ model: 'gemini-3-pro-preview', contents: g3history({ functionCall: { name: 'bash', args: {} }, thoughtSignature: 'skip_thought_signature_validator' }), config: { tools } });
    expect(sentinel.text).toBe('tool result was: ok');

    const missing = await geminiError(ai.models.generateContent({ model: 'gemini-3-pro-preview', contents: g3history({ functionCall: { name: 'bash', args: {} } }), config: { tools } }));
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(missing.body.error.message).toBe('Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call `default_api:bash` , position 2. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.');

    const forged = await geminiError(ai.models.generateContent({ model: 'gemini-3-pro-preview', contents: g3history({ functionCall: { name: 'bash', args: {} }, thoughtSignature: 'Zm9yZ2Vk' }), config: { tools } }));
    expect(forged.body.error.message).toBe('Corrupted thought signature.');
  });

  it('image parts', async () => {
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/jpeg', data: '/9j/' } }] }] });
    expect(r.text).toBe('I see an image (image/jpeg)');
  });

  describe('rejects like the API', () => {
    const user = { role: 'user', parts: [{ text: 'x' }] };
    const withParams = (parameters: JsonObject) => ({ contents: [user], tools: [{ functionDeclarations: [{ name: 'f', parameters }] }] });
    const at = "'tools[0].function_declarations[0].parameters'";
    const cases: [string, JsonObject, string][] = [
      ['unknown field (camelCase)', { contents: [user], generationConfig: { temprature: 1 } }, 'Invalid JSON payload received. Unknown name "temprature" at \'generation_config\': Cannot find field.'],
      ['unknown field (snake_case body)', { contents: [user], generation_config: { max_output_tokens: 5, top_q: 1 } }, 'Invalid JSON payload received. Unknown name "top_q" at \'generation_config\': Cannot find field.'],
      ['unknown top-level field', { contents: [user], messages: [] }, 'Invalid JSON payload received. Unknown name "messages": Cannot find field.'],
      ['bad role', { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, 'Please use a valid role: user, model.'],
      ['$schema in parameters', withParams({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }), `Invalid JSON payload received. Unknown name "$schema" at ${at}: Cannot find field.`],
      ['additionalProperties in parameters', withParams({ type: 'object', additionalProperties: false }), `Invalid JSON payload received. Unknown name "additionalProperties" at ${at}: Cannot find field.`],
      ['$ref / $defs in parameters', withParams({ type: 'object', properties: { a: { $ref: '#/$defs/A' } }, $defs: { A: { type: 'string' } } }), `Unknown name "$ref" at 'tools[0].function_declarations[0].parameters.properties[0].value': Cannot find field.`],
      ['definitions in parameters', withParams({ type: 'object', definitions: {} }), `Unknown name "definitions" at ${at}: Cannot find field.`],
      ['const in a nested property', withParams({ type: 'object', properties: { a: { type: 'object', properties: { b: { const: 'x' } } } } }), `Unknown name "const" at 'tools[0].function_declarations[0].parameters.properties[0].value.properties[0].value': Cannot find field.`],
      ['exclusiveMinimum', withParams({ type: 'object', properties: { n: { type: 'number', exclusiveMinimum: 0 } } }), 'Unknown name "exclusiveMinimum"'],
      ['exclusiveMaximum', withParams({ type: 'object', properties: { n: { type: 'number', exclusiveMaximum: 9 } } }), 'Unknown name "exclusiveMaximum"'],
      ['patternProperties', withParams({ type: 'object', patternProperties: {} }), 'Unknown name "patternProperties"'],
      ['unevaluatedProperties', withParams({ type: 'object', unevaluatedProperties: false }), 'Unknown name "unevaluatedProperties"'],
      ['propertyNames', withParams({ type: 'object', propertyNames: { pattern: '^a' } }), 'Unknown name "propertyNames"'],
      ['type as an array', withParams({ type: 'object', properties: { a: { type: ['string', 'null'] } } }), `Invalid JSON payload received. Unknown name "type" at 'tools[0].function_declarations[0].parameters.properties[0].value': Proto field is not repeating, cannot start list.`],
      ['array schema without items', withParams({ type: 'object', properties: { list: { type: 'array' } } }), '* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[list].items: missing field.'],
      ['function responses fewer than calls', {
        contents: [user, { role: 'model', parts: [{ functionCall: { name: 'a', args: {} } }, { functionCall: { name: 'b', args: {} } }] }, { role: 'user', parts: [{ functionResponse: { name: 'a', response: {} } }] }],
      }, 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.'],
      ['function response names differ', {
        contents: [user, { role: 'model', parts: [{ functionCall: { name: 'a', args: {} } }] }, { role: 'user', parts: [{ functionResponse: { name: 'b', response: {} } }] }],
      }, 'Please ensure that the function response names match the function call names of the function call turn.'],
      ['function response without a call', { contents: [user, { role: 'model', parts: [{ text: 'ok' }] }, { role: 'user', parts: [{ functionResponse: { name: 'b', response: {} } }] }] }, 'Please ensure that function response turn comes immediately after a function call turn.'],
      ['empty contents', { contents: [] }, '* GenerateContentRequest.contents: contents is not specified'],
      ['empty parts', { contents: [{ role: 'user', parts: [] }] }, '* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.'],
      ['bad enum value', { contents: [user], safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_SOME' }] }, "Invalid value at 'safety_settings[0].threshold' (type.googleapis.com/google.ai.generativelanguage.v1beta.SafetySetting.HarmBlockThreshold), \"BLOCK_SOME\""],
    ];
    it.each(cases)('%s', async (_name, body, message) => {
      const res = await post(gen('gemini-2.5-flash'), body, keyHeader);
      expect(res.status).toBe(400);
      const error = (res.json as { error: { code: number; status: string; message: string } }).error;
      expect(error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
      expect(error.message).toContain(message);
    });

    it('unknown fields are listed as BadRequest field violations', async () => {
      const res = await post(gen('gemini-2.5-flash'), withParams({ type: 'object', additionalProperties: false, $schema: 'x' }), keyHeader);
      const error = (res.json as { error: { message: string; details: JsonObject[] } }).error;
      expect(error.message.split('\n')).toHaveLength(2);
      expect(error.details[0]).toMatchObject({ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'tools[0].function_declarations[0].parameters' }, {}] });
    });

    it('keys, unknown paths and models', async () => {
      const strict = await startGeminiUpstream({ keys: ['AIza-good'], models: ['gemini-2.5-flash'] });
      try {
        const bad = await geminiError(new GoogleGenAI({ apiKey: 'AIza-bad', httpOptions: { baseUrl: strict.url, retryOptions: { attempts: 1 } } }).models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }));
        // Google answers a wrong API key with 400 API_KEY_INVALID, not 401.
        expect(bad.status).toBe(400);
        expect(bad.body.error).toMatchObject({ message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' });
        expect(bad.body.error.details![0]).toMatchObject({ reason: 'API_KEY_INVALID' });
        const none = await post(`${strict.url}/v1beta/models/gemini-2.5-flash:generateContent`, { contents: [user] });
        expect(none.status).toBe(403);
        expect(none.json).toMatchObject({ error: { status: 'PERMISSION_DENIED' } });
        const byQuery = await post(`${strict.url}/v1beta/models/gemini-2.5-flash:generateContent?key=AIza-good`, { contents: [user] });
        expect(byQuery.status).toBe(200);
        const model = await post(`${strict.url}/v1beta/models/gemini-0:generateContent?key=AIza-good`, { contents: [user] });
        expect(model.status).toBe(404);
        expect(model.json).toMatchObject({ error: { status: 'NOT_FOUND', message: 'models/gemini-0 is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.' } });
        const path = await post(`${strict.url}/v1beta/models/gemini-2.5-flash:embedText?key=AIza-good`, {});
        expect(path.status).toBe(404);
        expect(path.json).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
        const list = await ai.models.list();
        expect(list.page.map((m) => m.name)).toContain('models/gemini-2.5-flash');
      } finally {
        await strict.close();
      }
    });
  });

  it('accepts the request bodies Gemini CLI sends', async () => {
    for (const file of ['gemini-cli.json', 'gemini-cli-tool-roundtrip.json']) {
      for (const body of clientFixtureBodies(file)) {
        const res = await post(gen('gemini-3-flash-preview'), body, keyHeader);
        expect(res.status, `${file}: ${res.text.slice(0, 300)}`).toBe(200);
      }
    }
  });
});

// ===================================================================== faults, timing, scripts, replay

describe('faults', () => {
  let openai: Upstream;
  let anthropic: Upstream;
  let gemini: Upstream;
  beforeAll(async () => {
    [openai, anthropic, gemini] = await Promise.all([startOpenAIUpstream(), startAnthropicUpstream(), startGeminiUpstream()]);
  });
  afterAll(() => Promise.all([openai.close(), anthropic.close(), gemini.close()]));

  const chatBody = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };
  const messagesBody = { model: 'claude-sonnet-5-5', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] };
  const geminiBody = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
  const callOpenAI = (key: string, body: JsonObject = chatBody) => post(`${openai.url}/v1/chat/completions`, body, { authorization: `Bearer ${key}` });
  const callAnthropic = (key: string, body: JsonObject = messagesBody) => post(`${anthropic.url}/v1/messages`, body, { 'x-api-key': key, 'anthropic-version': '2023-06-01' });
  const callGemini = (key: string, body: JsonObject = geminiBody, stream = false) =>
    post(`${gemini.url}/v1beta/models/gemini-2.5-flash:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`, body, { 'x-goog-api-key': key });

  it('consumes one entry per request per key, then answers normally, counting requests', async () => {
    openai.setFaults({ 'sk-x': [{ status: 500 }, 'ok', { status: 503 }] });
    expect((await callOpenAI('sk-x')).status).toBe(500);
    expect((await callOpenAI('sk-other')).status).toBe(200);
    expect((await callOpenAI('sk-x')).status).toBe(200);
    const third = await callOpenAI('sk-x');
    expect(third.status).toBe(503);
    expect(third.json).toMatchObject({ error: { type: 'server_error' } });
    expect((await callOpenAI('sk-x')).status).toBe(200);
    expect(openai.requestCount('sk-x')).toBe(4);
    expect(openai.requestCount('sk-other')).toBe(1);
  });

  it('429 with and without Retry-After in each vendor shape', async () => {
    openai.setFaults({ 'sk-bad': [{ status: 429, retryAfter: 2 }, { status: 429 }] });
    const o1 = await callOpenAI('sk-bad');
    expect(o1.status).toBe(429);
    expect(o1.headers.get('retry-after')).toBe('2');
    expect(o1.json).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
    const o2 = await callOpenAI('sk-bad');
    expect(o2.status).toBe(429);
    expect(o2.headers.get('retry-after')).toBeNull();

    anthropic.setFaults({ 'sk-bad': [{ status: 429, retryAfter: 3 }, { status: 529 }, { status: 401 }, { status: 403 }] });
    const a1 = await callAnthropic('sk-bad');
    expect(a1.status).toBe(429);
    expect(a1.headers.get('retry-after')).toBe('3');
    expect(a1.json).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const a2 = await callAnthropic('sk-bad');
    expect(a2.status).toBe(529);
    expect(a2.json).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    expect((await callAnthropic('sk-bad')).json).toMatchObject({ error: { type: 'authentication_error' } });
    expect((await callAnthropic('sk-bad')).json).toMatchObject({ error: { type: 'permission_error' } });

    gemini.setFaults({ 'AIza-bad': [{ status: 429, retryAfter: 34 }, { status: 429 }, { status: 503 }] });
    const g1 = await callGemini('AIza-bad');
    expect(g1.status).toBe(429);
    const details = (g1.json as { error: { status: string; details: JsonObject[] } }).error;
    expect(details.status).toBe('RESOURCE_EXHAUSTED');
    expect(details.details).toContainEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34s' });
    const g2 = await callGemini('AIza-bad');
    expect((g2.json as { error: { details: JsonObject[] } }).error.details.some((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo')).toBe(false);
    expect((await callGemini('AIza-bad')).json).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
  });

  it('SDKs see the faults as their vendor errors', async () => {
    anthropic.setFaults({ 'sk-ant-sdk': [{ status: 529 }] });
    const err = await anthropicError(new Anthropic({ apiKey: 'sk-ant-sdk', baseURL: anthropic.url, maxRetries: 0 }).messages.create(messagesBody as never));
    expect(err.status).toBe(529);
    openai.setFaults({ 'sk-sdk': [{ status: 429, retryAfter: 1 }] });
    const oerr = await openaiError(new OpenAI({ apiKey: 'sk-sdk', baseURL: `${openai.url}/v1`, maxRetries: 0 }).chat.completions.create(chatBody as never));
    expect(oerr).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('hang never answers (and close() still returns); reset destroys the socket', async () => {
    const hung = await startOpenAIUpstream({ faults: { 'sk-hang': [{ hang: true }, { hang: true }], 'sk-reset': [{ reset: true }] } });
    const started = Date.now();
    await expect(fetch(`${hung.url}/v1/models`, { headers: { authorization: 'Bearer sk-hang' }, signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const pending = fetch(`${hung.url}/v1/models`, { headers: { authorization: 'Bearer sk-hang' } }).catch((e: unknown) => e);
    await expect(fetch(`${hung.url}/v1/models`, { headers: { authorization: 'Bearer sk-reset' } })).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 50));
    await hung.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('dropAfterChunks cuts a stream mid-way', async () => {
    openai.setFaults({ 'sk-drop': [{ dropAfterChunks: 2 }] });
    const client = new OpenAI({ apiKey: 'sk-drop', baseURL: `${openai.url}/v1`, maxRetries: 0 });
    const seen: string[] = [];
    const consume = async () => {
      for await (const c of await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'a longer message to stream' }], stream: true })) {
        seen.push(c.choices[0]?.delta.content ?? '');
      }
    };
    await expect(consume()).rejects.toThrow();
    expect(seen.length).toBe(2);

    anthropic.setFaults({ 'sk-drop': [{ dropAfterChunks: 3 }] });
    const raw = await fetch(`${anthropic.url}/v1/messages`, {
      method: 'POST', headers: { 'x-api-key': 'sk-drop', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ ...messagesBody, stream: true }),
    });
    await expect(raw.text()).rejects.toThrow();
  });

  it('chunkDelayMs spaces chunks out and flushes the first one at once', async () => {
    const slow = await startGeminiUpstream({ chunkDelayMs: 120 });
    try {
      const chunks = await readTimed(`${slow.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, geminiBody, { 'x-goog-api-key': 'k' });
      const frames = chunks.flatMap((c) => sseEvents(c.text).map(() => c.at));
      expect(frames.length).toBeGreaterThanOrEqual(3);
      expect(frames[0]).toBeLessThan(100);
      expect(frames[frames.length - 1] - frames[0]).toBeGreaterThanOrEqual(120 * (frames.length - 1) - 20);

      // A client that walks away mid-stream does not upset the server.
      const abort = new AbortController();
      const res = await fetch(`${slow.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
        method: 'POST', headers: { 'x-goog-api-key': 'k' }, body: JSON.stringify(geminiBody), signal: abort.signal,
      });
      await (res.body as ReadableStream<Uint8Array>).getReader().read();
      abort.abort();
      await new Promise((r) => setTimeout(r, 300));
      expect((await post(`${slow.url}/v1beta/models/gemini-2.5-flash:generateContent`, geminiBody, { 'x-goog-api-key': 'k' })).status).toBe(200);
    } finally {
      await slow.close();
    }
  });
});

describe('scripts and replays', () => {
  it('setScript overrides the brain (reply, raw JSON) and sees the call index', async () => {
    const up = await startAnthropicUpstream();
    const client = new Anthropic({ apiKey: 'k', baseURL: up.url, maxRetries: 0 });
    try {
      up.setScript((ctx) => (ctx.callIndex === 0 ? { kind: 'reply', reply: { text: `scripted for ${ctx.model}`, usage: { input: 7, output: 3 } } } : undefined));
      const first = await client.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
      expect(first.content).toEqual([{ type: 'text', text: 'scripted for claude-sonnet-5-5' }]);
      expect(first.usage).toMatchObject({ input_tokens: 7, output_tokens: 3 });
      const second = await client.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 10, messages: [{ role: 'user', content: 'y' }] });
      expect(second.content).toEqual([{ type: 'text', text: 'Hello from the Anthropic upstream. You said: y' }]);
      up.setScript(() => ({ kind: 'json', status: 200, body: { id: 'msg_raw', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: 'refusal', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 0 } } }));
      const raw = await client.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
      expect(raw.stop_reason).toBe('refusal');
    } finally {
      await up.close();
    }
  });

  it('replays recorded Anthropic and OpenAI streams through the SDKs', async () => {
    const a = await startAnthropicUpstream({ script: replay('anthropic/anthropic-text.chunks.txt') });
    const o = await startOpenAIUpstream({ script: replay('openai-responses/openai-reasoning-encrypted-content.1.chunks.txt') });
    try {
      const text = await new Anthropic({ apiKey: 'k', baseURL: a.url, maxRetries: 0 }).messages
        .stream({ model: 'claude-sonnet-5-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).finalText();
      expect(text).toBe("Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?");

      const client = new OpenAI({ apiKey: 'k', baseURL: `${o.url}/v1`, maxRetries: 0 });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const stream = await client.responses.create({ model: 'gpt-5.1-codex-max', input: 'x', stream: true });
        for await (const e of stream) if (e.type === 'response.completed') ids.push(e.response.id);
      }
      expect(new Set(ids).size).toBe(3); // the three recorded responses, one per call
      expect(o.signatures.issued[0]).toMatch(/^gAAAA/); // recorded encrypted reasoning counts as this upstream's own
    } finally {
      await Promise.all([a.close(), o.close()]);
    }
  });

  it('replays chat chunks with [DONE], Gemini chunks as SSE or JSON array, and error bodies with their status', async () => {
    const chat = await startOpenAIUpstream({ script: replay('openai-chat/openai-text.chunks.txt') });
    const gem = await startGeminiUpstream({ script: replay('gemini/google-text.chunks.txt') });
    const err = await startGeminiUpstream({ script: replay('gemini/google-429-retry-info.json') });
    try {
      const c = await post(`${chat.url}/v1/chat/completions`, { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'x' }], stream: true }, { authorization: 'Bearer k' });
      const frames = sseEvents(c.text);
      expect(frames[frames.length - 1].data).toBe('[DONE]');
      expect(frames[0].data).toContain('"role":"assistant"');

      const body = { contents: [{ role: 'user', parts: [{ text: 'x' }] }] };
      const sse = await post(`${gem.url}/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse`, body, { 'x-goog-api-key': 'k' });
      expect(sse.text.split('\r\n\r\n').filter(Boolean)).toHaveLength(3);
      const array = await post(`${gem.url}/v1beta/models/gemini-3-pro-preview:streamGenerateContent`, body, { 'x-goog-api-key': 'k' });
      expect((array.json as unknown[]).length).toBe(3);

      const limited = await post(`${err.url}/v1beta/models/gemini-2.5-flash:generateContent`, body, { 'x-goog-api-key': 'k' });
      expect(limited.status).toBe(429);
      expect(limited.json).toMatchObject({ error: { status: 'RESOURCE_EXHAUSTED' } });
    } finally {
      await Promise.all([chat.close(), gem.close(), err.close()]);
    }
  });
});

describe('signatures across upstreams', () => {
  it('a signature from one Anthropic upstream shows up as foreign on another', async () => {
    const [a, b] = await Promise.all([startAnthropicUpstream(), startAnthropicUpstream()]);
    try {
      const params = { model: 'claude-sonnet-5-5', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 } } as const;
      const first = await new Anthropic({ apiKey: 'k', baseURL: a.url, maxRetries: 0 }).messages.create({ ...params, messages: [{ role: 'user', content: 'hi' }] });
      const sig = (first.content[0] as Anthropic.ThinkingBlock).signature;
      await new Anthropic({ apiKey: 'k', baseURL: b.url, maxRetries: 0 }).messages.create({
        ...params,
        messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] }, { role: 'user', content: 'more' }],
      });
      expect(a.signatures.issued).toEqual([sig]);
      expect(b.signatures.received).toEqual([sig]);
      expect(b.signatures.foreign()).toEqual([sig]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
