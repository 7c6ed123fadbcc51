import { isObject } from '../../util/json.js';
import type { DialectCodec } from '../codec.js';
import { decodeOpenAIError, encodeOpenAIError } from '../openai-chat/errors.js';
import { decodeRequest } from './decode-request.js';
import { decodeResponse } from './decode-response.js';
import { ResponsesStreamDecoder } from './decode-stream.js';
import { encodeRequest } from './encode-request.js';
import { encodeResponse } from './encode-response.js';
import { ResponsesStreamEncoder } from './encode-stream.js';
import { decodeUsage } from './map-usage.js';

/**
 * The OpenAI Responses API (POST /v1/responses), the only dialect Codex CLI speaks.
 * https://platform.openai.com/docs/api-reference/responses
 * HTTP errors use the same body as Chat Completions ({error:{message,type,param,code}}).
 */
export const openaiResponsesCodec: DialectCodec = {
  dialect: 'openai-responses',
  decodeRequest,
  encodeRequest,
  decodeResponse,
  decodeUsage: (body) => (isObject(body) ? decodeUsage(body.usage) : undefined),
  usageMember: 'usage',
  encodeResponse,
  createStreamDecoder: () => new ResponsesStreamDecoder(),
  createStreamEncoder: (ctx) => new ResponsesStreamEncoder(ctx),
  encodeError: encodeOpenAIError,
  decodeError: decodeOpenAIError,
};
