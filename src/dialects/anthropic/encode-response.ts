import { randomId } from '../../canonical/ids.js';
import { wrapSignature } from '../../canonical/signature.js';
import type { CanonicalResponse, Part } from '../../canonical/types.js';
import type { EncodeResponseContext } from '../codec.js';
import { toolInput } from './encode-content.js';
import { toAnthropicStopReason } from './map-finish-reason.js';
import { usageToAnthropic } from './map-usage.js';
import type { AnthropicContentBlock, AnthropicMessage } from './wire.js';

// Canonical response -> Anthropic Message object (Switchyard -> Anthropic client).
// https://docs.anthropic.com/en/api/messages (Message object)

export function encodeResponse(res: CanonicalResponse, ctx: EncodeResponseContext): AnthropicMessage {
  const content: AnthropicContentBlock[] = [];
  let sawToolUse = false;
  for (const part of res.parts) {
    if (part.type === 'tool_call') sawToolUse = true;
    pushBlocks(part, content);
  }
  const stopReason = toAnthropicStopReason(res.finishReason, res.stopSequence, sawToolUse);
  return {
    id: res.id || randomId('msg_'),
    type: 'message',
    role: 'assistant',
    model: ctx.requestModel,
    content,
    stop_reason: stopReason,
    stop_sequence: stopReason === 'stop_sequence' ? (res.stopSequence ?? null) : null,
    usage: usageToAnthropic(res.usage),
  };
}

/**
 * One canonical part -> its Anthropic block(s).
 * A signature on a tool call (Gemini attaches thoughtSignatures to function calls) has no field in an
 * Anthropic tool_use block; the only signed block is `thinking`. So it travels as an empty thinking
 * block carrying the wrapped signature, right before the tool_use; decodeRequest re-attaches it to the
 * tool_use that follows when the client sends the turn back.
 */
export function pushBlocks(part: Part, out: AnthropicContentBlock[]): void {
  switch (part.type) {
    case 'text':
      if (part.text !== '') out.push({ type: 'text', text: part.text });
      return;
    case 'thinking':
      if (part.redacted) {
        if (part.signature) out.push({ type: 'redacted_thinking', data: wrapSignature(part.signature, 'anthropic') });
        return;
      }
      if (part.text === '' && !part.signature) return;
      out.push({
        type: 'thinking',
        thinking: part.text,
        signature: part.signature ? wrapSignature(part.signature, 'anthropic') : '',
      });
      return;
    case 'tool_call':
      if (part.signature) out.push({ type: 'thinking', thinking: '', signature: wrapSignature(part.signature, 'anthropic') });
      out.push({ type: 'tool_use', id: part.id, name: part.name, input: toolInput(part.arguments) });
      return;
    default:
      // Images / documents in a reply (Gemini image output) have no Anthropic response block;
      // tool results never appear in replies.
      return;
  }
}
