import type { CanonicalRequest } from '../../canonical/types.js';
import { isObject } from '../../util/json.js';

/**
 * What an Anthropic client sent that has no canonical meaning, kept in `req.extras.anthropic`.
 * Only the Anthropic encoder reads it back (same dialect on both sides); other encoders ignore it.
 */
export interface AnthropicExtras {
  /** `thinking.type` as sent ('enabled' | 'adaptive' | 'disabled' | 'between_tools'). */
  thinking_type?: string;
  /** `thinking.display` ('summarized' | 'omitted'). */
  thinking_display?: string;
  /** `output_config.effort` as sent ('max' is folded into canonical 'xhigh'). */
  effort?: string;
  /** Names of custom tools sent with `defer_loading: true` (tool search). */
  deferred_tools?: string[];
  /** Server / Anthropic-defined tools (`type: "web_search_20250305"`, `bash_20250124`, …), dropped. */
  server_tools?: unknown[];
  /** Top-level fields with no canonical meaning, verbatim (context_management, container, …). */
  [field: string]: unknown;
}

/** Top-level request fields kept verbatim in extras (dialect-only, worth logging or reusing). */
export const EXTRA_TOP_LEVEL_FIELDS = [
  'context_management',
  'container',
  'mcp_servers',
  'service_tier',
  'inference_geo',
  'speed',
  'cache_control',
  'diagnostics',
] as const;

/**
 * Of those, the ones sent back to an Anthropic upstream. They are GA fields of the Messages API
 * (see MessageCreateParams in @anthropic-ai/sdk); `context_management` and `mcp_servers` need beta
 * headers the relay does not forward, and `container` only makes sense with the code-execution
 * server tool, which is dropped, so those stay out.
 */
export const RESENT_TOP_LEVEL_FIELDS = ['cache_control', 'service_tier', 'inference_geo'] as const;

export function anthropicExtras(req: CanonicalRequest): AnthropicExtras | undefined {
  const x = req.extras.anthropic;
  return isObject(x) ? (x as AnthropicExtras) : undefined;
}
