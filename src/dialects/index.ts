import type { Dialect } from '../canonical/types.js';
import type { DialectCodec } from './codec.js';
import { anthropicCodec } from './anthropic/index.js';
import { geminiCodec } from './gemini/index.js';
import { openaiChatCodec } from './openai-chat/index.js';
import { openaiResponsesCodec } from './openai-responses/index.js';

export const codecs: Record<Dialect, DialectCodec> = {
  'openai-chat': openaiChatCodec,
  'openai-responses': openaiResponsesCodec,
  anthropic: anthropicCodec,
  gemini: geminiCodec,
};
