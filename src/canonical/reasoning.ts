import type { ReasoningEffort } from './types.js';

// Effort levels as clients spell them. OpenAI (chat `reasoning_effort`, Responses `reasoning.effort`),
// OpenRouter's `reasoning.effort` and Anthropic's `output_config.effort` share these names; `max`
// (Anthropic's top level, and the newest in OpenAI's spec) folds into canonical `xhigh`, the top of
// the canonical scale.

const EFFORTS = new Map<string, ReasoningEffort>([
  ['none', 'none'],
  ['minimal', 'minimal'],
  ['low', 'low'],
  ['medium', 'medium'],
  ['high', 'high'],
  ['xhigh', 'xhigh'],
  ['max', 'xhigh'],
]);

/** A client's effort level -> canonical; undefined when `value` is not one of the known levels. */
export function parseEffort(value: unknown): ReasoningEffort | undefined {
  return typeof value === 'string' ? EFFORTS.get(value) : undefined;
}
