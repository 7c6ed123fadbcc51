import type { GatewayError } from '../canonical/errors.js';
import type { Dialect } from '../canonical/types.js';
import { anthropicErrorObject } from '../dialects/anthropic/errors.js';
import { geminiErrorObject } from '../dialects/gemini/errors.js';
import { encodeOpenAIError } from '../dialects/openai-chat/errors.js';
import { sseFrame } from '../util/sse.js';

/**
 * The in-stream error a client of `dialect` understands, for the relay path where bytes pass through
 * untouched and no stream encoder is running. (Translated streams use their encoder's error form.)
 */
export function streamErrorFrame(dialect: Dialect, err: GatewayError, geminiSse = true): string {
  switch (dialect) {
    case 'anthropic':
      return sseFrame(JSON.stringify(anthropicErrorObject(err)), 'error');
    case 'gemini': {
      const body = JSON.stringify(geminiErrorObject(err));
      return geminiSse ? `data: ${body}\r\n\r\n` : `,${body}]`;
    }
    case 'openai-responses': {
      const e = (encodeOpenAIError(err).body as { error: { type: string; code: string | null; message: string } }).error;
      return sseFrame(JSON.stringify({ type: 'error', code: e.code ?? e.type, message: e.message, param: null }), 'error');
    }
    case 'openai-chat':
      return sseFrame(JSON.stringify(encodeOpenAIError(err).body));
  }
}
