// OpenAI Chat Completions through the official `openai` SDK.
import OpenAI from 'openai';
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionContentPart,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { parseArgs, TOOL, type ClientDriver, type ImageInput, type Reply, type Session, type SessionOptions, type ToolCallSeen } from './types.js';

/** DeepSeek-style reasoning field: not in OpenAI's types, passed through by the SDK. */
interface WithReasoning {
  reasoning_content?: string | null;
}

export const openaiChatDriver: ClientDriver = {
  name: 'openai chat',
  finish: { stop: 'stop', tool: 'tool_calls' },
  carriesSignatures: false,
  open(gatewayUrl, model, opts) {
    return new ChatSession(new OpenAI({ apiKey: 'client-key', baseURL: `${gatewayUrl}/v1`, maxRetries: 0 }), model, opts);
  },
};

class ChatSession implements Session {
  private readonly messages: ChatCompletionMessageParam[] = [];
  private lastCalls: ToolCallSeen[] = [];

  constructor(
    private readonly client: OpenAI,
    private readonly model: string,
    private readonly opts: SessionOptions,
  ) {}

  say(text: string, image?: ImageInput): Promise<Reply> {
    const content: ChatCompletionContentPart[] = [{ type: 'text', text }];
    if (image) content.push({ type: 'image_url', image_url: { url: `data:${image.mediaType};base64,${image.data}` } });
    this.messages.push({ role: 'user', content: image ? content : text });
    return this.complete();
  }

  answerTools(output: string): Promise<Reply> {
    for (const call of this.lastCalls) this.messages.push({ role: 'tool', tool_call_id: call.id, content: output });
    return this.complete();
  }

  private params(): ChatCompletionCreateParamsBase {
    const tools: ChatCompletionTool[] = [{ type: 'function', function: { ...TOOL, parameters: { ...TOOL.parameters, required: [...TOOL.parameters.required] } } }];
    return {
      model: this.model,
      messages: [...this.messages],
      ...(this.opts.tools ? { tools } : {}),
      ...(this.opts.thinking ? { reasoning_effort: 'medium' as const } : {}),
    };
  }

  private async complete(): Promise<Reply> {
    const reply = this.opts.stream ? await this.streamed() : await this.plain();
    const assistant: ChatCompletionAssistantMessageParam & WithReasoning = { role: 'assistant', content: reply.text || null };
    if (reply.toolCalls.length > 0) {
      assistant.tool_calls = reply.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } }));
    }
    // Clients of reasoning models (DeepSeek, Kimi) echo the reasoning back on the assistant turn.
    if (reply.reasoning) assistant.reasoning_content = reply.reasoning;
    this.messages.push(assistant);
    this.lastCalls = reply.toolCalls;
    return reply;
  }

  private async plain(): Promise<Reply> {
    const res = await this.client.chat.completions.create({ ...this.params(), stream: false });
    const choice = res.choices[0];
    const message = choice.message as typeof choice.message & WithReasoning;
    const toolCalls: ToolCallSeen[] = [];
    for (const c of message.tool_calls ?? []) {
      if (c.type !== 'function') throw new Error(`unexpected tool call type ${c.type}`);
      toolCalls.push({ id: c.id, name: c.function.name, args: parseArgs(c.function.arguments) });
    }
    return { text: message.content ?? '', finish: choice.finish_reason, toolCalls, reasoning: message.reasoning_content ?? '', signatures: [] };
  }

  private async streamed(): Promise<Reply> {
    const stream = await this.client.chat.completions.create({ ...this.params(), stream: true, stream_options: { include_usage: true } });
    let text = '';
    let reasoning = '';
    let finish = '';
    let sawUsage = false;
    const calls = new Map<number, { id: string; name: string; args: string }>();
    for await (const chunk of stream) {
      if (chunk.usage) sawUsage = true;
      const choice = chunk.choices[0];
      if (!choice) continue;
      const delta = choice.delta as typeof choice.delta & WithReasoning;
      text += delta.content ?? '';
      reasoning += delta.reasoning_content ?? '';
      for (const tc of delta.tool_calls ?? []) {
        let call = calls.get(tc.index);
        if (!call) calls.set(tc.index, (call = { id: '', name: '', args: '' }));
        if (tc.id) call.id = tc.id;
        if (tc.function?.name) call.name += tc.function.name;
        call.args += tc.function?.arguments ?? '';
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    if (!sawUsage) throw new Error('the stream carried no usage chunk although include_usage was asked for');
    const toolCalls = [...calls.values()].map((c) => ({ id: c.id, name: c.name, args: parseArgs(c.args) }));
    return { text, finish, toolCalls, reasoning, signatures: [] };
  }
}
