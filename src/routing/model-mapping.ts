import { isGlob, matchesGlob } from './glob.js';

// `model_mapping` keys are matched in this order: an exact name; then, in config order, globs
// (`claude-haiku-*`) and regular expressions written between slashes (`/^gpt-4o-(.*)$/`), whose
// capture groups can be used in the target as $1, $2 … (`gpt-5-$1`).

export interface MappingResult {
  /** The model id to route and send upstream. */
  model: string;
  /** The mapping key that applied, if any. */
  rule?: string;
}

const regexCache = new Map<string, RegExp | null>();

/** `/…/` or `/…/i` → RegExp; anything else → null. Invalid patterns are reported by config validation. */
export function mappingRegex(key: string): RegExp | null {
  let re = regexCache.get(key);
  if (re === undefined) {
    const m = /^\/(.+)\/([imsu]*)$/.exec(key);
    re = m ? new RegExp(m[1], m[2]) : null;
    regexCache.set(key, re);
  }
  return re;
}

export function mapModel(requested: string, mapping: Record<string, string>): MappingResult {
  const name = requested.startsWith('models/') ? requested.slice('models/'.length) : requested;
  const exact = mapping[name];
  if (exact !== undefined) return { model: exact, rule: name };
  for (const [pattern, target] of Object.entries(mapping)) {
    const re = mappingRegex(pattern);
    if (re) {
      const m = re.exec(name);
      if (m) return { model: target.replace(/\$(\d+)/g, (_, i: string) => m[Number(i)] ?? ''), rule: pattern };
    } else if (isGlob(pattern) && matchesGlob(pattern, name)) {
      return { model: target, rule: pattern };
    }
  }
  return { model: name };
}
