import { GatewayError } from '../../canonical/errors.js';
import { nowSeconds, randomId } from '../../canonical/ids.js';
import type { ErrorInfo, StreamEvent, Usage } from '../../canonical/types.js';
import { mergeUsage } from '../../canonical/usage.js';
import { sseFrame } from '../../util/sse.js';
import type { StreamEncoder, StreamEncoderContext } from '../codec.js';
import { chatId, REFUSAL_FALLBACK, UPSTREAM_FAILED } from './encode-response.js';
import { encodeOpenAIError } from './errors.js';
import { encodeFinishReason } from './map-finish-reason.js';
import { encodeUsage } from './map-usage.js';
import type { ChatCompletionChunk, ChatDelta, ChatFinishReason } from './wire.js';

// Canonical events → chat.completion.chunk SSE frames for a client, exactly as OpenAI streams them
// (https://platform.openai.com/docs/api-reference/chat-streaming): a first chunk with
// `delta: {role:'assistant', content:''}`, content / tool-call deltas, a final chunk with an empty
// delta and the finish_reason, the usage chunk (`choices: []`) when the client asked for
// `stream_options.include_usage`, then `data: [DONE]`. Every chunk conforms to
// CreateChatCompletionStreamResponse.

interface ToolState {
  /** Position among this turn's tool calls (chat's `tool_calls[].index`). */
  index: number;
  argsSent: boolean;
  closed: boolean;
}

export function createStreamEncoder(ctx: StreamEncoderContext): StreamEncoder {
  return new ChatStreamEncoder(ctx);
}

class ChatStreamEncoder implements StreamEncoder {
  private id = '';
  private created = 0;
  private started = false;
  private over = false;
  private errored = false;
  private textSent = false;
  private readonly tools = new Map<number, ToolState>();
  private usage: Partial<Usage> | undefined;

  constructor(private readonly ctx: StreamEncoderContext) {}

  push(event: StreamEvent): string {
    if (this.over) return '';
    switch (event.type) {
      case 'start':
        if (event.usage) this.usage = mergeUsage(this.usage, event.usage);
        return this.started ? '' : this.begin(event.id, event.created);
      case 'part_start':
        if (event.part.type !== 'tool_call') return ''; // text/thinking need no announcement in chat
        return this.ensureStarted() + this.toolHeader(event.index, event.part.id, event.part.name);
      case 'text_delta':
        if (!event.text) return '';
        this.textSent = true;
        return this.ensureStarted() + this.frame({ content: event.text });
      case 'thinking_delta':
        // Chat has no reasoning field in OpenAI's spec; DeepSeek's `reasoning_content` is the de-facto one.
        return event.text ? this.ensureStarted() + this.frame({ reasoning_content: event.text }) : '';
      case 'signature':
        return ''; // chat cannot carry thinking signatures
      case 'tool_args_delta': {
        if (!event.json) return '';
        let prefix = this.ensureStarted();
        let tool = this.tools.get(event.index);
        if (!tool) {
          prefix += this.toolHeader(event.index, randomId('call_'), ''); // never announced: start lazily
          tool = this.tools.get(event.index) as ToolState;
        }
        tool.argsSent = true;
        return prefix + this.frame({ tool_calls: [{ index: tool.index, function: { arguments: event.json } }] });
      }
      case 'part_end': {
        const tool = this.tools.get(event.index);
        return tool ? this.closeTool(tool) : '';
      }
      case 'usage':
        this.usage = mergeUsage(this.usage, event.usage);
        return '';
      case 'finish':
        return this.finish(event);
      case 'error':
        return this.error(event.error);
    }
  }

  end(): string {
    if (this.errored) return ''; // OpenAI sends no [DONE] after an in-stream error
    this.over = true;
    return 'data: [DONE]\n\n';
  }

  private begin(id: string, created: number): string {
    this.started = true;
    this.id = chatId(id || randomId('chatcmpl-'));
    this.created = created || nowSeconds();
    return this.frame({ role: 'assistant', content: '' });
  }

  private ensureStarted(): string {
    return this.started ? '' : this.begin('', 0);
  }

  private toolHeader(partIndex: number, id: string, name: string): string {
    if (this.tools.has(partIndex)) return '';
    const tool: ToolState = { index: this.tools.size, argsSent: false, closed: false };
    this.tools.set(partIndex, tool);
    return this.frame({
      tool_calls: [{ index: tool.index, id: id || randomId('call_'), type: 'function', function: { name, arguments: '' } }],
    });
  }

  /** A call that streamed no arguments gets `{}`: clients JSON.parse the accumulated text. */
  private closeTool(tool: ToolState): string {
    if (tool.closed) return '';
    tool.closed = true;
    if (tool.argsSent) return '';
    tool.argsSent = true;
    return this.frame({ tool_calls: [{ index: tool.index, function: { arguments: '{}' } }] });
  }

  private finish(event: Extract<StreamEvent, { type: 'finish' }>): string {
    if (event.reason === 'error') {
      // See encodeFinishReason: an upstream failure must not end like a normal answer.
      return this.error({ kind: 'upstream_error', status: 502, message: UPSTREAM_FAILED });
    }
    let out = this.ensureStarted();
    for (const tool of this.tools.values()) out += this.closeTool(tool);
    // A refusal with no text (Anthropic can refuse without a word) still tells the client it refused.
    if (event.reason === 'refusal' && !this.textSent) out += this.frame({ refusal: REFUSAL_FALLBACK });
    out += this.frame({}, encodeFinishReason(event.reason));
    if (this.ctx.includeUsage) {
      const usage = mergeUsage(this.usage, event.usage);
      const chunk = this.chunk([]);
      chunk.usage = encodeUsage(usage);
      out += sseFrame(JSON.stringify(chunk));
    }
    this.over = true;
    return out;
  }

  private error(info: ErrorInfo): string {
    this.over = true;
    this.errored = true;
    const rendered = encodeOpenAIError(new GatewayError(info.kind, info.message, { status: info.status }));
    return sseFrame(JSON.stringify(rendered.body));
  }

  private chunk(choices: ChatCompletionChunk['choices']): ChatCompletionChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.ctx.requestModel, choices };
  }

  private frame(delta: ChatDelta, finishReason: ChatFinishReason | null = null): string {
    const chunk = this.chunk([{ index: 0, delta, logprobs: null, finish_reason: finishReason }]);
    // With include_usage OpenAI sends `usage: null` on every chunk but the last.
    if (this.ctx.includeUsage) chunk.usage = null;
    return sseFrame(JSON.stringify(chunk));
  }
}
