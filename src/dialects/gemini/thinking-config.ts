import type { ReasoningConfig, ReasoningEffort } from '../../canonical/types.js';
import type { JsonObject } from '../../util/json.js';
import { optBool, optNumber, optString } from './json.js';

// generationConfig.thinkingConfig — https://ai.google.dev/gemini-api/docs/thinking
//  - Gemini 3 and later: `thinkingLevel`. Pro models accept LOW/HIGH, Flash models also MINIMAL and
//    MEDIUM. Thinking cannot be switched off on Gemini 3; MINIMAL (Flash) / LOW (Pro) is the floor.
//  - Gemini 2.5: `thinkingBudget` tokens; 0 = off (Flash, Flash-Lite only; Pro cannot disable
//    thinking, its minimum is 128), -1 = dynamic. Ranges: Pro 128..32768, Flash 0..24576,
//    Flash-Lite 512..24576. Out-of-range budgets are a 400, so they are clamped.
//  - Sending both fields is a 400; Gemini 1.x / 2.0 reject thinkingConfig, so it is left out there.

export interface GeminiModelFamily {
  /** Major version (3 for gemini-3-pro-preview, 2 for gemini-2.5-flash); undefined for other names. */
  major?: number;
  minor?: number;
  tier: 'pro' | 'flash' | 'lite' | 'other';
}

export function modelFamily(model: string): GeminiModelFamily {
  const name = model.replace(/^models\//, '').toLowerCase();
  const m = /^gemini-(\d+)(?:\.(\d+))?/.exec(name);
  const tier = name.includes('flash-lite') ? 'lite' : name.includes('flash') ? 'flash' : name.includes('pro') ? 'pro' : 'other';
  if (!m) return { tier };
  return { major: Number(m[1]), minor: m[2] === undefined ? 0 : Number(m[2]), tier };
}

/** Gemini 3+ takes thinkingLevel; 2.5 and unknown names (aliases, tuned models) take thinkingBudget. */
function usesLevels(f: GeminiModelFamily): boolean {
  return f.major !== undefined && f.major >= 3;
}

function supportsThinking(f: GeminiModelFamily): boolean {
  if (f.major === undefined) return true;
  return f.major > 2 || (f.major === 2 && (f.minor ?? 0) >= 5);
}

type Effort = ReasoningEffort | 'off';

function effortOf(r: ReasoningConfig): Effort | undefined {
  if (!r.enabled || r.effort === 'none') return 'off';
  if (r.effort) return r.effort;
  const b = r.budgetTokens;
  if (b === undefined || b < 0) return undefined;
  if (b === 0) return 'off';
  return b <= 1024 ? 'low' : b <= 8192 ? 'medium' : 'high';
}

// Flash models take every level; Pro only LOW and HIGH, so lower efforts round down to LOW and
// medium and above round up to HIGH (HIGH is also Gemini 3's default).
function levelFor(effort: Effort, f: GeminiModelFamily): string {
  const flash = f.tier === 'flash' || f.tier === 'lite';
  switch (effort) {
    case 'off':
    case 'none':
    case 'minimal':
      return flash ? 'MINIMAL' : 'LOW';
    case 'low':
      return 'LOW';
    case 'medium':
      return flash ? 'MEDIUM' : 'HIGH';
    case 'high':
    case 'xhigh':
      return 'HIGH';
  }
}

const BUDGET_BY_EFFORT: Record<ReasoningEffort, number> = {
  none: 0,
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 32768,
};

function budgetFor(r: ReasoningConfig, f: GeminiModelFamily): number | undefined {
  const [min, max] = f.tier === 'pro' ? [128, 32768] : f.tier === 'lite' ? [512, 24576] : [1, 24576];
  if (!r.enabled || r.effort === 'none' || r.budgetTokens === 0) return f.tier === 'pro' ? 128 : 0;
  let budget = r.budgetTokens;
  if (budget === undefined && r.effort) budget = BUDGET_BY_EFFORT[r.effort];
  if (budget === undefined) return undefined; // enabled, nothing specified: the model's dynamic default
  if (budget < 0) return -1;
  return Math.min(max, Math.max(min, Math.round(budget)));
}

/** Canonical reasoning -> thinkingConfig for `model` (the upstream model id), or undefined. */
export function toThinkingConfig(model: string, r: ReasoningConfig | undefined): Record<string, unknown> | undefined {
  if (!r) return undefined;
  const f = modelFamily(model);
  if (!supportsThinking(f)) return undefined;
  const cfg: Record<string, unknown> = {};
  if (usesLevels(f)) {
    const effort = effortOf(r);
    if (effort !== undefined) cfg.thinkingLevel = levelFor(effort, f);
  } else {
    const budget = budgetFor(r, f);
    if (budget !== undefined) cfg.thinkingBudget = budget;
  }
  // Thought summaries are returned when the client asked for them; a client that enabled reasoning
  // without saying otherwise gets them too (Anthropic clients show thinking blocks).
  const off = !r.enabled || r.effort === 'none' || r.budgetTokens === 0;
  if (!off && (r.includeThoughts ?? true)) cfg.includeThoughts = true;
  return Object.keys(cfg).length > 0 ? cfg : undefined;
}

const EFFORT_BY_LEVEL: Record<string, ReasoningEffort> = {
  MINIMAL: 'minimal',
  LOW: 'low',
  MEDIUM: 'medium',
  HIGH: 'high',
};

/** A client's thinkingConfig -> canonical reasoning. */
export function fromThinkingConfig(cfg: JsonObject | undefined, path: string): ReasoningConfig | undefined {
  if (!cfg) return undefined;
  const budget = optNumber(cfg, path, 'thinkingBudget', 'thinking_budget');
  const level = optString(cfg, path, 'thinkingLevel', 'thinking_level');
  const include = optBool(cfg, path, 'includeThoughts', 'include_thoughts');
  if (budget === undefined && level === undefined && include === undefined) return undefined;
  const r: ReasoningConfig = { enabled: budget !== 0 };
  if (budget !== undefined && budget > 0) r.budgetTokens = budget; // -1 = dynamic: no budget
  const effort = level === undefined ? undefined : EFFORT_BY_LEVEL[level.toUpperCase()];
  if (effort) r.effort = effort;
  if (include !== undefined) r.includeThoughts = include;
  return r;
}
