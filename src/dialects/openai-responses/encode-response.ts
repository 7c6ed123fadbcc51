import { randomId } from '../../canonical/ids.js';
import { stringifyArguments } from '../../canonical/tool-arguments.js';
import type { CanonicalResponse } from '../../canonical/types.js';
import type { EncodeResponseContext } from '../codec.js';
import { outcomeFor } from './map-finish-reason.js';
import { carrierItem, functionCallItem, messageItem, outputText, reasoningItem, responseId, responseObject } from './response-object.js';
import type { WireMessageItem, WireOutputItem, WireResponse } from './wire.js';

// Canonical -> client Response object (non-streaming POST /v1/responses).
// https://platform.openai.com/docs/api-reference/responses/object
// `output_text` is left out on purpose: it is an SDK-side convenience, not part of the wire object.

export function encodeResponse(res: CanonicalResponse, ctx: EncodeResponseContext): WireResponse {
  const outcome = outcomeFor(res.finishReason);
  // A refusal is a `refusal` content part in Responses; the stream cannot know it in advance and sends
  // output_text, but a whole response can say it.
  const refusal = res.finishReason === 'refusal';
  const output: WireOutputItem[] = [];
  let message: WireMessageItem | undefined;

  for (const p of res.parts) {
    if (p.type === 'text') {
      if (!message) {
        message = messageItem(randomId('msg_'), [], 'completed');
        output.push(message);
      }
      message.content.push(refusal ? { type: 'refusal', refusal: p.text } : outputText(p.text));
      continue;
    }
    // Any other item ends the current message: text on both sides of a tool call is two messages.
    message = undefined;
    if (p.type === 'thinking') {
      output.push(reasoningItem(undefined, p.redacted ? '' : p.text, p.signature));
    } else if (p.type === 'tool_call') {
      output.push(functionCallItem(randomId('fc_'), p.id, p.name, stringifyArguments(p.arguments), 'completed'));
      if (p.signature) output.push(carrierItem(p.id, p.signature));
    }
    // image / document / tool_result parts do not occur in an assistant reply the Responses API could express.
  }

  return responseObject({
    id: responseId(res.id),
    created: res.created,
    model: ctx.requestModel,
    status: outcome.status,
    output,
    usage: res.usage,
    incompleteReason: outcome.incompleteReason,
    error: outcome.status === 'failed' ? { code: 'server_error', message: 'The upstream model ended the response with an error.' } : undefined,
  });
}
