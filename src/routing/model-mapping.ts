import { isGlob, matchesGlob } from './glob.js';

export interface MappingResult {
  /** The model id to route and send upstream. */
  model: string;
  /** The mapping key that applied, if any. */
  rule?: string;
}

/**
 * Applies `model_mapping` once: an exact key wins over globs; globs are tried in config order.
 * A `models/` prefix (Gemini clients send `models/gemini-2.5-pro`) is ignored for matching.
 */
export function mapModel(requested: string, mapping: Record<string, string>): MappingResult {
  const name = requested.startsWith('models/') ? requested.slice('models/'.length) : requested;
  const exact = mapping[name];
  if (exact !== undefined) return { model: exact, rule: name };
  for (const [pattern, target] of Object.entries(mapping)) {
    if (isGlob(pattern) && matchesGlob(pattern, name)) return { model: target, rule: pattern };
  }
  return { model: name };
}
