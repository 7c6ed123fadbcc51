import type { CanonicalRequest, ReasoningEffort } from '../../canonical/types.js';
import type { JsonObject } from '../../util/json.js';
import type { AnthropicExtras } from './extras.js';
import type { ModelCapabilities } from './model-capabilities.js';
import type { AnthropicMessageParam } from './wire.js';

// Canonical reasoning -> Anthropic `thinking` (+ `output_config.effort`) for an upstream request.
// https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking
// https://platform.claude.com/docs/en/build-with-claude/adaptive-thinking, …/effort

export interface ThinkingPlan {
  /** The `thinking` object to send; absent = thinking stays off. */
  thinking?: JsonObject;
  /** `output_config.effort` to send. */
  effort?: string;
  /** budget_tokens when budget thinking is on (max_tokens must exceed it). */
  budget?: number;
}

const BUDGET_BY_EFFORT: Record<ReasoningEffort, number> = {
  none: 1024,
  minimal: 1024,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 32000,
};

/** Anthropic's minimum budget. */
const MIN_BUDGET = 1024;

export function planThinking(
  req: CanonicalRequest,
  messages: AnthropicMessageParam[],
  caps: ModelCapabilities,
  ax: AnthropicExtras | undefined,
): ThinkingPlan {
  const r = req.reasoning;
  if (!r || !r.enabled || r.effort === 'none') return {};
  // Effort also steers models that do not think (it scales text and tool-call spend), so where the
  // model takes it, it survives when thinking has to stay off.
  const effortOnly = (): ThinkingPlan => {
    const effort = typeof ax?.effort === 'string' ? ax.effort : r.effort;
    return caps.effort && effort ? { effort: anthropicEffort(effort, caps) } : {};
  };
  // An Anthropic client asked for an effort level without turning thinking on: keep it that way.
  if (ax && ax.thinking_type === undefined && typeof ax.effort === 'string') return effortOnly();
  // "Thinking may not be enabled when tool_choice forces tool use": with `any` / `tool` thinking has to
  // go; the client's explicit demand for a tool call matters more than the reasoning.
  if (req.toolChoice?.type === 'required' || req.toolChoice?.type === 'tool') return effortOnly();
  // With thinking on, Anthropic requires the final assistant turn (in a tool loop, the one whose
  // tool_use the trailing tool_results answer) to start with a thinking block carrying Anthropic's
  // signature ("a final assistant message must start with a thinking block"). History produced by
  // another upstream, or by a client that dropped the blocks, cannot satisfy that: rather than a 400,
  // this request runs without thinking. Once the tool loop ends, thinking comes back.
  if (!historyAllowsThinking(messages)) return effortOnly();

  const display = thinkingDisplay(req, caps, ax);
  const adaptive = caps.adaptiveOnly || (caps.adaptiveThinking && ax?.thinking_type === 'adaptive');
  if (adaptive) {
    const thinking: JsonObject = { type: 'adaptive' };
    if (display) thinking.display = display;
    let effort: string | undefined;
    if (typeof ax?.effort === 'string') effort = anthropicEffort(ax.effort, caps);
    else if (r.effort) effort = anthropicEffort(r.effort, caps);
    else if (r.budgetTokens !== undefined) effort = effortForBudget(r.budgetTokens, caps);
    return effort ? { thinking, effort } : { thinking };
  }
  const budget = r.budgetTokens !== undefined ? Math.max(MIN_BUDGET, r.budgetTokens) : BUDGET_BY_EFFORT[r.effort ?? 'medium'];
  const thinking: JsonObject = { type: 'enabled', budget_tokens: budget };
  if (display) thinking.display = display;
  return { thinking, budget };
}

/** The final assistant turn, if it holds tool_use or is a prefill, must open with a thinking block. */
export function historyAllowsThinking(messages: AnthropicMessageParam[]): boolean {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== 'assistant') continue;
    const mustThink = i === messages.length - 1 || m.content.some((b) => b.type === 'tool_use');
    if (!mustThink) return true;
    const first = m.content[0];
    return first !== undefined && (first.type === 'thinking' || first.type === 'redacted_thinking');
  }
  return true;
}

/**
 * `display` (summarized / omitted) as the Anthropic client sent it, else from includeThoughts. Only
 * for models that know the field (it came with adaptive thinking) unless the client sent it itself.
 */
function thinkingDisplay(req: CanonicalRequest, caps: ModelCapabilities, ax: AnthropicExtras | undefined): string | undefined {
  if (typeof ax?.thinking_display === 'string') return ax.thinking_display;
  if (!caps.adaptiveThinking) return undefined;
  const include = req.reasoning?.includeThoughts;
  return include === undefined ? undefined : include ? 'summarized' : 'omitted';
}

/** An effort level (canonical or Anthropic's own) -> one the model accepts. */
function anthropicEffort(effort: string, caps: ModelCapabilities): string {
  switch (effort) {
    case 'none':
    case 'minimal':
    case 'low':
      return 'low';
    case 'medium':
      return 'medium';
    case 'high':
      return 'high';
    case 'xhigh':
      return caps.xhighEffort ? 'xhigh' : 'max';
    case 'max':
      return 'max';
    default:
      return 'medium';
  }
}

function effortForBudget(budget: number, caps: ModelCapabilities): string {
  if (budget <= BUDGET_BY_EFFORT.low) return 'low';
  if (budget <= BUDGET_BY_EFFORT.medium) return 'medium';
  if (budget <= BUDGET_BY_EFFORT.high) return 'high';
  return anthropicEffort('xhigh', caps);
}
