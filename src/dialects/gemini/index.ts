import { isObject } from '../../util/json.js';
import type { DialectCodec } from '../codec.js';
import { decodeRequest } from './decode-request.js';
import { decodeResponse } from './decode-response.js';
import { createStreamDecoder } from './decode-stream.js';
import { encodeRequest } from './encode-request.js';
import { encodeResponse } from './encode-response.js';
import { createStreamEncoder } from './encode-stream.js';
import { decodeGeminiError, encodeGeminiError } from './errors.js';
import { fromGeminiUsage } from './map-usage.js';

/** Gemini generateContent / streamGenerateContent — https://ai.google.dev/api/generate-content */
export const geminiCodec: DialectCodec = {
  dialect: 'gemini',
  decodeRequest,
  encodeRequest,
  decodeResponse,
  decodeUsage: (body) => (isObject(body) ? fromGeminiUsage(body.usageMetadata) : undefined),
  usageMember: 'usageMetadata',
  encodeResponse,
  createStreamDecoder,
  createStreamEncoder,
  encodeError: encodeGeminiError,
  decodeError: decodeGeminiError,
};
