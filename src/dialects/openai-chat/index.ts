import { isObject } from '../../util/json.js';
import type { DialectCodec } from '../codec.js';
import { decodeRequest } from './decode-request.js';
import { decodeResponse } from './decode-response.js';
import { createStreamDecoder } from './decode-stream.js';
import { encodeRequest } from './encode-request.js';
import { encodeResponse } from './encode-response.js';
import { createStreamEncoder } from './encode-stream.js';
import { decodeOpenAIError, encodeOpenAIError } from './errors.js';
import { decodeUsage } from './map-usage.js';

/**
 * OpenAI Chat Completions (https://platform.openai.com/docs/api-reference/chat), both as a client
 * dialect and as the upstream wire for OpenAI and every OpenAI-compatible server.
 */
export const openaiChatCodec: DialectCodec = {
  dialect: 'openai-chat',
  decodeRequest,
  encodeRequest,
  decodeResponse,
  decodeUsage: (body) => (isObject(body) ? decodeUsage(body.usage) : undefined),
  usageMember: 'usage',
  encodeResponse,
  createStreamDecoder,
  createStreamEncoder,
  encodeError: encodeOpenAIError,
  decodeError: decodeOpenAIError,
};
