import { GatewayError } from '../../canonical/errors.js';
import { stringifyArguments } from '../../canonical/tool-arguments.js';
import type { CanonicalResponse } from '../../canonical/types.js';
import type { EncodeResponseContext } from '../codec.js';
import { encodeFinishReason } from './map-finish-reason.js';
import { encodeUsage } from './map-usage.js';
import type { ChatCompletion, ChatResponseMessage, ChatToolCall } from './wire.js';

// Canonical → chat.completion for a client (https://platform.openai.com/docs/api-reference/chat/object),
// valid per CreateChatCompletionResponse in OpenAI's OpenAPI document.

/** Chat ids look like `chatcmpl-…`; foreign upstream ids are kept inside for traceability. */
export function chatId(id: string): string {
  return id.startsWith('chatcmpl-') ? id : `chatcmpl-${id}`;
}

export const REFUSAL_FALLBACK = 'The model declined to respond.';
export const UPSTREAM_FAILED = 'the upstream model stopped with an error before finishing its answer';

export function encodeResponse(res: CanonicalResponse, ctx: EncodeResponseContext): ChatCompletion {
  if (res.finishReason === 'error') {
    // Chat has no finish_reason for "the upstream failed mid-answer"; `stop` would pass a truncated
    // answer off as complete, so the client gets an error instead.
    throw new GatewayError('upstream_error', UPSTREAM_FAILED);
  }
  let text = '';
  let reasoning: string | undefined;
  const calls: ChatToolCall[] = [];
  for (const p of res.parts) {
    if (p.type === 'text') text += p.text;
    else if (p.type === 'thinking') {
      if (!p.redacted && p.text) reasoning = (reasoning ?? '') + p.text;
    } else if (p.type === 'tool_call') {
      calls.push({ id: p.id, type: 'function', function: { name: p.name, arguments: stringifyArguments(p.arguments) } });
    }
  }

  const message: ChatResponseMessage = { role: 'assistant', content: null, refusal: null };
  if (res.finishReason === 'refusal') {
    // OpenAI puts a refusal in `message.refusal` with `content: null`; clients check that field.
    message.refusal = text || REFUSAL_FALLBACK;
  } else {
    message.content = text || (calls.length > 0 ? null : '');
  }
  // Thinking goes out as `reasoning_content`, the field DeepSeek/Kimi/xAI use and most
  // OpenAI-compatible clients (Open WebUI, LibreChat, Cline, LiteLLM, …) read; OpenAI's own SDK keeps
  // unknown fields, so nothing breaks for clients that ignore it.
  if (reasoning !== undefined) message.reasoning_content = reasoning;
  if (calls.length > 0) message.tool_calls = calls;

  return {
    id: chatId(res.id),
    object: 'chat.completion',
    created: res.created,
    model: ctx.requestModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: encodeFinishReason(res.finishReason) }],
    usage: encodeUsage(res.usage),
  };
}
