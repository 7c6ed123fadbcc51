import type { Usage } from '../../canonical/types.js';
import { asNumber, isObject } from '../../util/json.js';
import type { AnthropicUsage } from './wire.js';

// Anthropic's `input_tokens` EXCLUDES prompt-cache reads and writes; canonical `inputTokens` is all
// input. https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance

/** Raw Anthropic counters as last reported (message_delta usage overwrites message_start's). */
export interface AnthropicUsageState {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheCreation?: number;
  thinking?: number;
}

/** Overwrites the counters present in an Anthropic usage object (they are cumulative totals). */
export function absorbUsage(state: AnthropicUsageState, raw: unknown): void {
  if (!isObject(raw)) return;
  const input = asNumber(raw.input_tokens);
  if (input !== undefined) state.input = input;
  const output = asNumber(raw.output_tokens);
  if (output !== undefined) state.output = output;
  const read = asNumber(raw.cache_read_input_tokens);
  if (read !== undefined) state.cacheRead = read;
  const creation = asNumber(raw.cache_creation_input_tokens);
  if (creation !== undefined) state.cacheCreation = creation;
  const details = raw.output_tokens_details;
  if (isObject(details)) {
    const thinking = asNumber(details.thinking_tokens);
    if (thinking !== undefined) state.thinking = thinking;
  }
}

/** Canonical usage from what is known so far; absent counters stay absent. */
export function canonicalUsage(state: AnthropicUsageState): Partial<Usage> {
  const out: Partial<Usage> = {};
  if (state.input !== undefined || state.cacheRead !== undefined || state.cacheCreation !== undefined) {
    out.inputTokens = (state.input ?? 0) + (state.cacheRead ?? 0) + (state.cacheCreation ?? 0);
  }
  if (state.output !== undefined) out.outputTokens = state.output;
  if (state.cacheRead !== undefined) out.cachedInputTokens = state.cacheRead;
  if (state.cacheCreation !== undefined) out.cacheCreationTokens = state.cacheCreation;
  if (state.thinking !== undefined) out.reasoningTokens = state.thinking;
  return out;
}

export function usageFromAnthropic(raw: unknown): Usage {
  const state: AnthropicUsageState = {};
  absorbUsage(state, raw);
  return { inputTokens: 0, outputTokens: 0, ...canonicalUsage(state) };
}

/** Canonical usage -> Anthropic's convention (input_tokens without cache reads/writes). */
export function usageToAnthropic(usage: Partial<Usage>): AnthropicUsage {
  const cacheRead = usage.cachedInputTokens ?? 0;
  const cacheCreation = usage.cacheCreationTokens ?? 0;
  const out: AnthropicUsage = {
    input_tokens: Math.max(0, (usage.inputTokens ?? 0) - cacheRead - cacheCreation),
    output_tokens: usage.outputTokens ?? 0,
    cache_creation_input_tokens: cacheCreation,
    cache_read_input_tokens: cacheRead,
  };
  if (usage.reasoningTokens !== undefined) out.output_tokens_details = { thinking_tokens: usage.reasoningTokens };
  return out;
}
