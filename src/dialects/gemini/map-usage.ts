import type { Usage } from '../../canonical/types.js';
import { asNumber, isObject } from '../../util/json.js';
import type { GeminiUsageMetadata } from './wire.js';

// https://ai.google.dev/api/generate-content#UsageMetadata
// Gemini: promptTokenCount INCLUDES cachedContentTokenCount; candidatesTokenCount EXCLUDES
// thoughtsTokenCount; toolUsePromptTokenCount (server-side tool results) is input on top of the prompt.
// Canonical: inputTokens = all input, outputTokens = all output incl. reasoning.

/** Returns undefined when the metadata carries no token counts (early stream chunks carry only trafficType). */
export function fromGeminiUsage(meta: unknown): Usage | undefined {
  if (!isObject(meta)) return undefined;
  const prompt = asNumber(meta.promptTokenCount);
  const candidates = asNumber(meta.candidatesTokenCount);
  const thoughts = asNumber(meta.thoughtsTokenCount);
  if (prompt === undefined && candidates === undefined && thoughts === undefined) return undefined;
  const usage: Usage = {
    inputTokens: (prompt ?? 0) + (asNumber(meta.toolUsePromptTokenCount) ?? 0),
    outputTokens: (candidates ?? 0) + (thoughts ?? 0),
  };
  const cached = asNumber(meta.cachedContentTokenCount);
  if (cached !== undefined) usage.cachedInputTokens = cached;
  if (thoughts !== undefined) usage.reasoningTokens = thoughts;
  return usage;
}

export function toGeminiUsage(usage: Partial<Usage>): GeminiUsageMetadata {
  const input = usage.inputTokens ?? 0;
  const output = usage.outputTokens ?? 0;
  const reasoning = usage.reasoningTokens ?? 0;
  const meta: GeminiUsageMetadata = {
    promptTokenCount: input,
    candidatesTokenCount: Math.max(0, output - reasoning),
  };
  if (reasoning > 0) meta.thoughtsTokenCount = reasoning;
  if (usage.cachedInputTokens) meta.cachedContentTokenCount = usage.cachedInputTokens;
  meta.totalTokenCount = input + output;
  return meta;
}
