import type { Usage } from '../../canonical/types.js';
import { isObj } from './json.js';
import type { GeminiUsageMetadata } from './wire.js';

// https://ai.google.dev/api/generate-content#UsageMetadata
// Gemini: promptTokenCount INCLUDES cachedContentTokenCount; candidatesTokenCount EXCLUDES
// thoughtsTokenCount; toolUsePromptTokenCount (server-side tool results) is input on top of the prompt.
// Canonical: inputTokens = all input, outputTokens = all output incl. reasoning.

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Returns undefined when the metadata carries no token counts (early stream chunks carry only trafficType). */
export function fromGeminiUsage(meta: unknown): Usage | undefined {
  if (!isObj(meta)) return undefined;
  const prompt = num(meta.promptTokenCount);
  const candidates = num(meta.candidatesTokenCount);
  const thoughts = num(meta.thoughtsTokenCount);
  if (prompt === undefined && candidates === undefined && thoughts === undefined) return undefined;
  const usage: Usage = {
    inputTokens: (prompt ?? 0) + (num(meta.toolUsePromptTokenCount) ?? 0),
    outputTokens: (candidates ?? 0) + (thoughts ?? 0),
  };
  const cached = num(meta.cachedContentTokenCount);
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
