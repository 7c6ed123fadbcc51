import type { Usage } from '../../canonical/types.js';
import { asNumber, isObject } from '../../util/json.js';
import type { ChatUsage } from './wire.js';

// https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
// OpenAI semantics equal the canonical ones: prompt_tokens includes cached tokens,
// completion_tokens includes reasoning tokens.

/** Upstream `usage` object → canonical; undefined when there is none (`usage: null`). */
export function decodeUsage(raw: unknown): Usage | undefined {
  if (!isObject(raw)) return undefined;
  const input = asNumber(raw.prompt_tokens) ?? 0;
  let output = asNumber(raw.completion_tokens) ?? 0;
  const usage: Usage = { inputTokens: input, outputTokens: output };

  const promptDetails = isObject(raw.prompt_tokens_details) ? raw.prompt_tokens_details : undefined;
  // DeepSeek reports prompt_cache_hit_tokens (and, recently, the details too); Moonshot/Kimi a
  // top-level cached_tokens.
  const cached =
    asNumber(promptDetails?.cached_tokens) ?? asNumber(raw.prompt_cache_hit_tokens) ?? asNumber(raw.cached_tokens);
  if (cached !== undefined) usage.cachedInputTokens = cached;
  const cacheWrite = asNumber(promptDetails?.cache_write_tokens);
  if (cacheWrite) usage.cacheCreationTokens = cacheWrite;

  const completionDetails = isObject(raw.completion_tokens_details) ? raw.completion_tokens_details : undefined;
  const reasoning = asNumber(completionDetails?.reasoning_tokens);
  if (reasoning !== undefined) {
    usage.reasoningTokens = reasoning;
    // xAI counts reasoning OUTSIDE completion_tokens (recorded: prompt 12, completion 2,
    // reasoning 320, total 334). Detect it by the total and fold reasoning back in, so that
    // outputTokens stays "all output".
    const total = asNumber(raw.total_tokens);
    if (reasoning > 0 && total !== undefined && total !== input + output && total === input + output + reasoning) {
      output += reasoning;
      usage.outputTokens = output;
    }
  }
  return usage;
}

export function encodeUsage(usage: Usage): ChatUsage {
  const out: ChatUsage = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
  if (usage.cacheCreationTokens) out.prompt_tokens_details.cache_write_tokens = usage.cacheCreationTokens;
  return out;
}
