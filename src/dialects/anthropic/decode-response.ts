import { GatewayError } from '../../canonical/errors.js';
import { nowSeconds } from '../../canonical/ids.js';
import type { CanonicalResponse, Part, ThinkingPart } from '../../canonical/types.js';
import { asString, isObject } from '../../util/json.js';
import { decodeAnthropicError } from './errors.js';
import { toCanonicalFinish } from './map-finish-reason.js';
import { usageFromAnthropic } from './map-usage.js';

// Anthropic Messages response body (upstream -> Switchyard) -> canonical.
// https://docs.anthropic.com/en/api/messages (Message object)

/** HTTP status Anthropic uses for each error type (https://docs.anthropic.com/en/api/errors). */
export const STATUS_BY_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

export function decodeResponse(body: unknown): CanonicalResponse {
  if (!isObject(body)) throw new GatewayError('upstream_error', 'upstream answered with a body that is not a JSON object');
  if (body.type === 'error') {
    const type = isObject(body.error) ? asString(body.error.type) : undefined;
    throw decodeAnthropicError(STATUS_BY_ERROR_TYPE[type ?? ''] ?? 502, body, {});
  }
  if (!Array.isArray(body.content)) {
    throw new GatewayError('upstream_error', 'upstream answered with a message that has no content array');
  }
  const parts: Part[] = [];
  for (const block of body.content) {
    if (!isObject(block)) continue;
    switch (block.type) {
      case 'text':
        // Citations are dropped: the canonical model has no place for them.
        if (typeof block.text === 'string') parts.push({ type: 'text', text: block.text });
        break;
      case 'thinking': {
        const part: ThinkingPart = { type: 'thinking', text: asString(block.thinking) ?? '' };
        const sig = asString(block.signature);
        if (sig) part.signature = { origin: 'anthropic', value: sig };
        parts.push(part);
        break;
      }
      case 'redacted_thinking': {
        const data = asString(block.data);
        if (data) parts.push({ type: 'thinking', text: '', redacted: true, signature: { origin: 'anthropic', value: data } });
        break;
      }
      case 'tool_use':
        parts.push({
          type: 'tool_call',
          id: asString(block.id) ?? '',
          name: asString(block.name) ?? '',
          arguments: block.input ?? {},
        });
        break;
      default:
        // server_tool_use / *_tool_result / mcp_* / compaction / fallback …: produced and consumed by
        // Anthropic's servers, with no canonical counterpart and nothing another client could echo back
        // meaningfully; the model's text already reports what they did.
        break;
    }
  }
  const res: CanonicalResponse = {
    id: asString(body.id) ?? '',
    model: asString(body.model) ?? '',
    created: nowSeconds(),
    parts,
    finishReason: toCanonicalFinish(body.stop_reason),
    usage: usageFromAnthropic(body.usage),
  };
  const stopSequence = asString(body.stop_sequence);
  if (stopSequence !== undefined) res.stopSequence = stopSequence;
  return res;
}
