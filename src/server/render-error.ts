import type { GatewayError } from '../canonical/errors.js';
import { encodeAnthropicError } from '../dialects/anthropic/errors.js';
import type { RenderedError } from '../dialects/codec.js';
import { encodeGeminiError } from '../dialects/gemini/errors.js';
import { encodeOpenAIError } from '../dialects/openai-chat/errors.js';
import type { ClientDialect } from './paths/resolve-path.js';

/** An error in the format the client's SDK parses. Routes without a dialect use OpenAI's shape. */
export function renderError(dialect: ClientDialect, err: GatewayError): RenderedError {
  switch (dialect) {
    case 'anthropic':
      return encodeAnthropicError(err);
    case 'gemini':
      return encodeGeminiError(err);
    default:
      return encodeOpenAIError(err);
  }
}

/** Headers that go with an error: Retry-After when we know how long to wait. */
export function errorHeaders(err: GatewayError): Record<string, string> {
  const h: Record<string, string> = Object.assign({}, err.headers);
  if (err.retryAfterMs !== undefined) h['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
  return h;
}
