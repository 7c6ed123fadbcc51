import { GatewayError } from '../../canonical/errors.js';
import { nowSeconds, randomId, stableCallId } from '../../canonical/ids.js';
import type { CanonicalResponse, FinishReason, Part } from '../../canonical/types.js';
import { asNumber, asString, isObject } from '../../util/json.js';
import type { JsonObject } from '../../util/json.js';
import { decodeFinishReason } from './map-finish-reason.js';
import { decodeUsage } from './map-usage.js';

// Upstream chat.completion (https://platform.openai.com/docs/api-reference/chat/object) → canonical.
// Liberal: OpenAI-compatible servers add `reasoning_content` (DeepSeek, Kimi, xAI) or `reasoning`
// (OpenRouter, vLLM), omit `index`/`type` on tool calls, and report usage their own way.

export function decodeResponse(body: unknown): CanonicalResponse {
  if (!isObject(body)) throw malformed('the response body is not a JSON object');
  const choices = body.choices;
  // Only the first choice is translated: other dialects have no `n`.
  const choice = Array.isArray(choices) ? choices[0] : undefined;
  if (!isObject(choice)) throw malformed('the response has no choices');
  const message = isObject(choice.message) ? choice.message : {};

  const parts = decodeMessageParts(message);
  const hasToolCalls = parts.some((p) => p.type === 'tool_call');
  let finishReason: FinishReason = decodeFinishReason(choice.finish_reason, hasToolCalls);
  const refusal = asString(message.refusal);
  if (refusal) finishReason = 'refusal';

  const res: CanonicalResponse = {
    id: asString(body.id) || randomId('chatcmpl-'),
    model: asString(body.model) ?? '',
    created: asNumber(body.created) ?? nowSeconds(),
    parts,
    finishReason,
    usage: decodeUsage(body.usage) ?? { inputTokens: 0, outputTokens: 0 },
  };
  // vLLM names the stop string that ended generation (a token id when it was a stop token).
  const stopSequence = asString(choice.stop_reason);
  if (stopSequence) res.stopSequence = stopSequence;
  return res;
}

function decodeMessageParts(message: JsonObject): Part[] {
  const parts: Part[] = [];
  const reasoning = asString(message.reasoning_content) || asString(message.reasoning);
  if (reasoning) parts.push({ type: 'thinking', text: reasoning });

  const content = message.content;
  if (typeof content === 'string') {
    if (content) parts.push({ type: 'text', text: content });
  } else if (Array.isArray(content)) {
    // A few compatible servers answer with content parts.
    for (const c of content) {
      if (isObject(c) && typeof c.text === 'string' && c.text) parts.push({ type: 'text', text: c.text });
    }
  }
  const refusal = asString(message.refusal);
  if (refusal) parts.push({ type: 'text', text: refusal });

  if (Array.isArray(message.tool_calls)) {
    let ordinal = 0;
    for (const tc of message.tool_calls) {
      if (!isObject(tc) || !isObject(tc.function)) continue; // custom tool calls: we never declare custom tools
      const name = asString(tc.function.name) ?? '';
      const args = parseUpstreamArguments(tc.function.arguments);
      parts.push({ type: 'tool_call', id: asString(tc.id) || stableCallId(name, args, ordinal), name, arguments: args });
      ordinal++;
    }
  } else if (isObject(message.function_call)) {
    // Legacy single function call (deprecated, still produced by some servers).
    const name = asString(message.function_call.name) ?? '';
    const args = parseUpstreamArguments(message.function_call.arguments);
    parts.push({ type: 'tool_call', id: stableCallId(name, args, 0), name, arguments: args });
  }
  return parts;
}

/**
 * Models sometimes emit invalid JSON arguments. Failing the whole answer would hide it from the
 * client; instead the raw text is kept as a string, which every encoder of JSON-text dialects
 * forwards verbatim (see stringifyArguments) so the client sees exactly what the model produced.
 */
export function parseUpstreamArguments(raw: unknown): unknown {
  if (raw === undefined || raw === null || raw === '') return {};
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function malformed(why: string): GatewayError {
  return new GatewayError('upstream_error', `upstream sent a malformed chat completion: ${why}`);
}
