import type { Usage } from './types.js';

export const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0 };

/** Merges a later cumulative usage report over an earlier one, field by field. */
export function mergeUsage(base: Partial<Usage> | undefined, next: Partial<Usage> | undefined): Usage {
  const out: Usage = { inputTokens: 0, outputTokens: 0, ...base };
  if (next) {
    for (const [k, v] of Object.entries(next)) {
      if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}
