import type { FinishReason } from '../../canonical/types.js';
import type { ChatFinishReason } from './wire.js';

// https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
// (finish_reason: stop | length | tool_calls | content_filter | function_call).

/**
 * Upstream finish_reason → canonical. Liberal: OpenAI-compatible servers add their own values
 * (`eos`, `max_tokens`, DeepSeek `insufficient_system_resource`, …).
 */
export function decodeFinishReason(raw: unknown, hasToolCalls: boolean): FinishReason {
  switch (raw) {
    case 'stop':
    case 'eos':
    case 'end_turn':
    case 'stop_sequence':
      // Some servers (older vLLM, Ollama) say `stop` after emitting tool calls; clients of other
      // dialects only run tools when the turn says so, so trust the calls over the label.
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'length':
    case 'max_tokens':
      return 'length';
    case 'tool_calls':
    case 'function_call':
    case 'tool_use':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    case 'insufficient_system_resource': // DeepSeek: generation was cut off server-side
    case 'error':
      return 'error';
    default:
      return hasToolCalls ? 'tool_calls' : 'other';
  }
}

/**
 * Canonical → client finish_reason. Chat has no value for a refusal (the text goes to
 * `message.refusal` instead), a paused turn or "other": those end normally, so `stop`.
 * `error` is not mapped here: a turn that ended in an upstream error must not look like a clean
 * `stop` (silently truncated answer) nor like `content_filter` (a false accusation); the response
 * and stream encoders turn it into an OpenAI error instead.
 */
export function encodeFinishReason(reason: Exclude<FinishReason, 'error'>): ChatFinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool_calls':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    case 'stop':
    case 'refusal':
    case 'pause':
    case 'other':
      return 'stop';
  }
}
