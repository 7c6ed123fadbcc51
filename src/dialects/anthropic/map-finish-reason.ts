import type { FinishReason } from '../../canonical/types.js';
import type { AnthropicStopReason } from './wire.js';

// https://docs.anthropic.com/en/api/handling-stop-reasons

/** Anthropic `stop_reason` -> canonical finish reason. */
export function toCanonicalFinish(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    // model_context_window_exceeded: the context window filled up, to the client the same as
    // running out of tokens.
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'pause_turn':
      return 'pause';
    case 'refusal':
      return 'refusal';
    default:
      return 'other';
  }
}

/**
 * Canonical finish reason -> Anthropic `stop_reason`. `sawToolUse` fixes upstreams that report a
 * plain stop alongside tool calls (Gemini says STOP): Anthropic clients run tools on `tool_use`.
 */
export function toAnthropicStopReason(
  reason: FinishReason,
  stopSequence: string | undefined,
  sawToolUse: boolean,
): AnthropicStopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    // Anthropic has one stop reason for "the model/policy would not answer"; content filters of
    // other vendors are the closest thing to it.
    case 'content_filter':
    case 'refusal':
      return 'refusal';
    case 'pause':
      return 'pause_turn';
    case 'stop':
      if (sawToolUse) return 'tool_use';
      return stopSequence !== undefined ? 'stop_sequence' : 'end_turn';
    default:
      return sawToolUse ? 'tool_use' : 'end_turn';
  }
}
