import { isObject } from '../../util/json.js';
import type { DialectCodec } from '../codec.js';
import { decodeRequest } from './decode-request.js';
import { decodeResponse } from './decode-response.js';
import { AnthropicStreamDecoder } from './decode-stream.js';
import { encodeRequest } from './encode-request.js';
import { encodeResponse } from './encode-response.js';
import { AnthropicStreamEncoder } from './encode-stream.js';
import { decodeAnthropicError, encodeAnthropicError } from './errors.js';
import { usageFromAnthropic } from './map-usage.js';

/** Anthropic Messages API (https://docs.anthropic.com/en/api/messages), both as client and upstream. */
export const anthropicCodec: DialectCodec = {
  dialect: 'anthropic',
  decodeRequest,
  encodeRequest,
  decodeResponse,
  decodeUsage: (body) => (isObject(body) && isObject(body.usage) ? usageFromAnthropic(body.usage) : undefined),
  usageMember: 'usage',
  encodeResponse,
  createStreamDecoder: () => new AnthropicStreamDecoder(),
  createStreamEncoder: (ctx) => new AnthropicStreamEncoder(ctx),
  encodeError: encodeAnthropicError,
  decodeError: decodeAnthropicError,
};
