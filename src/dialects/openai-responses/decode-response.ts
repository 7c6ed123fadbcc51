import { GatewayError } from '../../canonical/errors.js';
import { nowSeconds } from '../../canonical/ids.js';
import type { CanonicalResponse, Part } from '../../canonical/types.js';
import { ZERO_USAGE } from '../../canonical/usage.js';
import { asNumber, asString, isObject } from '../../util/json.js';
import { decodeOutputItem } from './decode-output-item.js';
import { errorInfoForCode } from './error-code.js';
import { finishReasonFor, type OutputFacts } from './map-finish-reason.js';
import { decodeUsage } from './map-usage.js';

// Upstream Response object -> canonical.
// https://platform.openai.com/docs/api-reference/responses/object

export function decodeResponse(body: unknown): CanonicalResponse {
  if (!isObject(body) || !Array.isArray(body.output)) {
    if (isObject(body) && isObject(body.error)) throw failedError(body.error);
    throw new GatewayError('upstream_error', 'The upstream answered with a body that is not a Responses API response object.');
  }
  if (body.status === 'failed') throw failedError(isObject(body.error) ? body.error : {});

  const parts: Part[] = [];
  const facts: OutputFacts = { toolCalls: false, refusal: false };
  for (const item of body.output) decodeOutputItem(item, parts, facts);

  const incomplete = isObject(body.incomplete_details) ? body.incomplete_details.reason : undefined;
  return {
    id: asString(body.id) ?? '',
    model: asString(body.model) ?? '',
    created: asNumber(body.created_at) ?? nowSeconds(),
    parts,
    finishReason: finishReasonFor(body.status, incomplete, facts),
    usage: decodeUsage(body.usage) ?? { ...ZERO_USAGE },
  };
}

function failedError(error: Record<string, unknown>): GatewayError {
  const code = asString(error.code) ?? asString(error.type);
  const message = asString(error.message) ?? 'The upstream failed to generate the response.';
  const info = errorInfoForCode(code, message);
  return new GatewayError(info.kind, message, {
    status: info.status,
    retryable: info.status === 429 || info.status >= 500,
    upstream: { status: info.status, message, type: code },
  });
}
