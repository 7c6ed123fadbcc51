// What an upstream Claude model accepts, from its id. Anthropic changed the request contract per model:
// - Claude Opus 4.6 / Sonnet 4.6 added adaptive thinking (`thinking: {type: "adaptive"}` plus
//   `output_config.effort`); `type: "enabled"` with `budget_tokens` still works but is deprecated
//   (@anthropic-ai/sdk warns about it for those models).
// - From Claude Opus 4.7 on, `budget_tokens` and the sampling parameters `temperature` / `top_p` /
//   `top_k` are rejected with HTTP 400, and adaptive is the only thinking mode; the `xhigh` effort level
//   exists from then on.
//   https://platform.claude.com/docs/en/about-claude/models/migration-guide
// - Structured outputs (`output_config.format`, `strict` tools) exist from the Claude 4.5 models on.
//   https://platform.claude.com/docs/en/build-with-claude/structured-outputs
// Ids that do not parse as a Claude model (Anthropic-compatible third-party upstreams, old
// `claude-3-5-sonnet-…` names) get the classic contract: budget thinking and sampling parameters.

export interface ModelCapabilities {
  /** `thinking: {type: "adaptive"}` is accepted. */
  adaptiveThinking: boolean;
  /** `budget_tokens` is rejected; adaptive is the only way to think. */
  adaptiveOnly: boolean;
  /** Non-default temperature / top_p / top_k are rejected. */
  rejectsSampling: boolean;
  /** `output_config.effort` is accepted. */
  effort: boolean;
  /** The `xhigh` effort level exists (else the top level is `max`). */
  xhighEffort: boolean;
  /** Structured outputs: `output_config.format` and `strict` tools (Claude 4.5 models on). */
  structuredOutputs: boolean;
}

const CLASSIC: ModelCapabilities = {
  adaptiveThinking: false,
  adaptiveOnly: false,
  rejectsSampling: false,
  effort: false,
  xhighEffort: false,
  structuredOutputs: false,
};

// claude-<family>-<major>[-<minor>]…; a 1–2 digit minor only, so a date suffix is not read as one.
const MODEL_RE = /claude-([a-z]+)-(\d+)(?:[-.](\d{1,2})(?!\d))?/;

const cache = new Map<string, ModelCapabilities>();

export function modelCapabilities(model: string): ModelCapabilities {
  let caps = cache.get(model);
  if (caps) return caps;
  caps = compute(model.toLowerCase());
  if (cache.size < 256) cache.set(model, caps);
  return caps;
}

function compute(model: string): ModelCapabilities {
  const m = MODEL_RE.exec(model);
  if (!m) {
    // claude-mythos-preview: a 4.6-era preview (the SDK warns about `type: "enabled"` for it).
    if (/claude-mythos/.test(model)) return Object.assign({}, CLASSIC, { adaptiveThinking: true, effort: true, structuredOutputs: true });
    return CLASSIC;
  }
  const version = Number(m[2]) + (m[3] !== undefined ? Number(m[3]) / 10 : 0);
  const newest = version >= 4.7;
  return {
    adaptiveThinking: version >= 4.6,
    adaptiveOnly: newest,
    rejectsSampling: newest,
    // The effort parameter arrived with Claude Opus 4.5 and spread to every model from 4.6 on.
    effort: version >= 4.6 || (m[1] === 'opus' && version >= 4.5),
    xhighEffort: newest,
    structuredOutputs: version >= 4.5,
  };
}
