// Anthropic Messages through the official `@anthropic-ai/sdk`; assistant turns go back as the SDK returned
// them (`content: message.content`), as the SDK documentation shows.
import Anthropic from '@anthropic-ai/sdk';
import { parseArgs, TOOL, type ClientDriver, type ImageInput, type Reply, type Session, type SessionOptions, type ToolCallSeen } from './types.js';

export const anthropicDriver: ClientDriver = {
  name: 'anthropic',
  finish: { stop: 'end_turn', tool: 'tool_use' },
  carriesSignatures: true,
  open(gatewayUrl, model, opts) {
    return new AnthropicSession(new Anthropic({ apiKey: 'client-key', baseURL: gatewayUrl, maxRetries: 0 }), model, opts);
  },
};

class AnthropicSession implements Session {
  private readonly messages: Anthropic.MessageParam[] = [];
  private lastCalls: ToolCallSeen[] = [];

  constructor(
    private readonly client: Anthropic,
    private readonly model: string,
    private readonly opts: SessionOptions,
  ) {}

  say(text: string, image?: ImageInput): Promise<Reply> {
    const content: Anthropic.ContentBlockParam[] = [];
    if (image) {
      content.push({ type: 'image', source: { type: 'base64', media_type: image.mediaType as 'image/png', data: image.data } });
    }
    content.push({ type: 'text', text });
    this.messages.push({ role: 'user', content: image ? content : text });
    return this.complete();
  }

  answerTools(output: string): Promise<Reply> {
    this.messages.push({
      role: 'user',
      content: this.lastCalls.map((c) => ({ type: 'tool_result' as const, tool_use_id: c.id, content: output })),
    });
    return this.complete();
  }

  private params(): Anthropic.MessageCreateParamsNonStreaming {
    return {
      model: this.model,
      max_tokens: 4096,
      messages: [...this.messages],
      ...(this.opts.tools ? { tools: [{ name: TOOL.name, description: TOOL.description, input_schema: { ...TOOL.parameters, required: [...TOOL.parameters.required] } }] } : {}),
      ...(this.opts.thinking ? { thinking: { type: 'enabled' as const, budget_tokens: 2048 } } : {}),
    };
  }

  private async complete(): Promise<Reply> {
    let msg: Anthropic.Message;
    if (this.opts.stream) {
      const stream = this.client.messages.stream(this.params());
      let deltas = '';
      stream.on('text', (t) => (deltas += t));
      msg = await stream.finalMessage();
      const text = msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      if (deltas !== text) throw new Error(`streamed text ${JSON.stringify(deltas)} differs from the final message's ${JSON.stringify(text)}`);
    } else {
      msg = await this.client.messages.create({ ...this.params(), stream: false });
    }
    this.messages.push({ role: 'assistant', content: msg.content });
    const reply = readMessage(msg);
    this.lastCalls = reply.toolCalls;
    return reply;
  }
}

function readMessage(msg: Anthropic.Message): Reply {
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCallSeen[] = [];
  const signatures: string[] = [];
  for (const b of msg.content) {
    if (b.type === 'text') text += b.text;
    else if (b.type === 'thinking') {
      reasoning += b.thinking;
      if (b.signature) signatures.push(b.signature);
    } else if (b.type === 'redacted_thinking') signatures.push(b.data);
    else if (b.type === 'tool_use') toolCalls.push({ id: b.id, name: b.name, args: typeof b.input === 'string' ? parseArgs(b.input) : b.input });
  }
  return { text, finish: msg.stop_reason ?? '', toolCalls, reasoning, signatures };
}
