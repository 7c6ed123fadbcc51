import type { FinishReason } from '../../canonical/types.js';
import type { WireIncompleteReason, WireResponseStatus } from './wire.js';

// A Response has no finish reason; it has `status` plus `incomplete_details.reason`
// (max_output_tokens | content_filter), and the output items say whether the model called tools.
// https://platform.openai.com/docs/api-reference/responses/object#responses/object-status

export interface OutputFacts {
  toolCalls: boolean;
  refusal: boolean;
}

export function finishReasonFor(status: unknown, incompleteReason: unknown, facts: OutputFacts): FinishReason {
  if (status === 'incomplete') {
    if (incompleteReason === 'max_output_tokens') return 'length';
    if (incompleteReason === 'content_filter') return 'content_filter';
    return 'other';
  }
  if (status === 'failed') return 'error';
  if (status !== undefined && status !== 'completed') return 'other';
  if (facts.toolCalls) return 'tool_calls';
  if (facts.refusal) return 'refusal';
  return 'stop';
}

export interface WireOutcome {
  status: WireResponseStatus;
  incompleteReason?: WireIncompleteReason;
}

export function outcomeFor(reason: FinishReason): WireOutcome {
  switch (reason) {
    case 'length':
      return { status: 'incomplete', incompleteReason: 'max_output_tokens' };
    case 'content_filter':
      return { status: 'incomplete', incompleteReason: 'content_filter' };
    case 'error':
      return { status: 'failed' };
    // stop, tool_calls, refusal (the refusal text is in the output), pause (Anthropic paused a long turn:
    // nothing is missing from what was said) and other all end the turn normally.
    default:
      return { status: 'completed' };
  }
}
