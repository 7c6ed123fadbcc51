import type { Usage } from '../../canonical/types.js';
import { asNumber, isObject } from '../../util/json.js';
import type { WireUsage } from './wire.js';

// Responses usage already has canonical semantics: input_tokens includes cached tokens and
// output_tokens includes reasoning tokens.
// https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage

export function decodeUsage(raw: unknown): Usage | undefined {
  if (!isObject(raw)) return undefined;
  const usage: Usage = { inputTokens: asNumber(raw.input_tokens) ?? 0, outputTokens: asNumber(raw.output_tokens) ?? 0 };
  const cached = isObject(raw.input_tokens_details) ? asNumber(raw.input_tokens_details.cached_tokens) : undefined;
  const written = isObject(raw.input_tokens_details) ? asNumber(raw.input_tokens_details.cache_write_tokens) : undefined;
  const reasoning = isObject(raw.output_tokens_details) ? asNumber(raw.output_tokens_details.reasoning_tokens) : undefined;
  if (cached !== undefined) usage.cachedInputTokens = cached;
  if (written) usage.cacheCreationTokens = written;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

export function encodeUsage(usage: Partial<Usage>): WireUsage {
  const input = usage.inputTokens ?? 0;
  const output = usage.outputTokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0, cache_write_tokens: usage.cacheCreationTokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    // Codex prints this number at the end of a turn.
    total_tokens: input + output,
  };
}
