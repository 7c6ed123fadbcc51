import { invalidRequest } from '../../canonical/errors.js';
import type { CanonicalRequest, ToolDefinition } from '../../canonical/types.js';
import type { JsonObject } from '../../util/json.js';
import type { EncodeRequestContext } from '../codec.js';
import { textBlock } from './encode-content.js';
import { encodeMessages, tidyFinalAssistant } from './encode-messages.js';
import { planThinking } from './encode-thinking.js';
import { anthropicExtras, RESENT_TOP_LEVEL_FIELDS } from './extras.js';
import type { AnthropicExtras } from './extras.js';
import { modelCapabilities } from './model-capabilities.js';
import type { ModelCapabilities } from './model-capabilities.js';
import type { AnthropicTextBlock } from './wire.js';

// Canonical -> Anthropic Messages request body (Switchyard -> Anthropic upstream).
// https://docs.anthropic.com/en/api/messages
// Never sends what the API would reject: fields are checked against the target model's contract.

/** max_tokens is required by Anthropic; used when the client gave none. */
export const DEFAULT_MAX_TOKENS = 8192;

export function encodeRequest(req: CanonicalRequest, ctx: EncodeRequestContext): Record<string, unknown> {
  const ax = anthropicExtras(req);
  const caps = modelCapabilities(ctx.upstreamModel);
  const messages = encodeMessages(req.messages, { sameDialect: ax !== undefined });
  if (messages.length === 0) throw invalidRequest('messages must hold at least one non-empty message');

  const tools = encodeTools(req.tools, caps, ax);
  const plan = planThinking(req, messages, caps, ax);
  const thinkingOn = plan.thinking !== undefined;
  tidyFinalAssistant(messages, thinkingOn);

  let maxTokens = req.maxTokens ?? DEFAULT_MAX_TOKENS;
  // budget_tokens must be below max_tokens. The client's limit is read as room for the visible answer
  // (what it means to OpenAI / Gemini clients), so the budget is added on top rather than squeezed in.
  if (plan.budget !== undefined && maxTokens <= plan.budget) maxTokens = plan.budget + maxTokens;

  const body: Record<string, unknown> = { model: ctx.upstreamModel, max_tokens: maxTokens };
  const system: AnthropicTextBlock[] = [];
  for (const s of req.system) {
    const b = textBlock(s.text, s.cacheControl);
    if (b) system.push(b);
  }
  if (system.length > 0) body.system = system;
  body.messages = messages;
  if (tools.length > 0) {
    body.tools = tools;
    const toolChoice = encodeToolChoice(req);
    if (toolChoice) body.tool_choice = toolChoice;
  }
  if (plan.thinking) body.thinking = plan.thinking;

  const outputConfig: JsonObject = {};
  if (plan.effort) outputConfig.effort = plan.effort;
  // Structured outputs: `output_config.format` is the current (GA) shape, per MessageCreateParams /
  // OutputConfig in @anthropic-ai/sdk 1.14 (the beta-era `output_format` is gone from it).
  // https://platform.claude.com/docs/en/build-with-claude/structured-outputs
  // Plain JSON mode ({type:'json'}) has no Anthropic equivalent and is dropped.
  if (req.responseFormat?.type === 'json_schema' && caps.structuredOutputs) {
    outputConfig.format = { type: 'json_schema', schema: req.responseFormat.schema };
  }
  if (outputConfig.effort !== undefined || outputConfig.format !== undefined) body.output_config = outputConfig;

  const stop = req.stop?.filter((s) => s.trim() !== '');
  if (stop && stop.length > 0) body.stop_sequences = stop;
  encodeSampling(req, caps, thinkingOn, body);
  if (req.user) body.metadata = { user_id: req.user };
  if (ax) {
    for (const field of RESENT_TOP_LEVEL_FIELDS) {
      if (ax[field] !== undefined) body[field] = ax[field];
    }
  }
  // seed, n, presence/frequency penalties have no Anthropic counterpart and are dropped.
  body.stream = req.stream;
  return body;
}

/**
 * Sampling parameters, where the model takes them:
 * - Claude Opus 4.7 and later reject temperature / top_p / top_k outright;
 * - with thinking on, temperature and top_k are rejected and top_p is allowed only in [0.95, 1]
 *   (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#feature-compatibility);
 * - Claude 4.x models reject temperature and top_p together, so top_p yields to temperature;
 * - Anthropic's temperature range is 0..1 (OpenAI's is 0..2), so it is clamped.
 */
function encodeSampling(req: CanonicalRequest, caps: ModelCapabilities, thinkingOn: boolean, body: Record<string, unknown>): void {
  if (caps.rejectsSampling) return;
  if (thinkingOn) {
    if (req.topP !== undefined && req.topP >= 0.95) body.top_p = Math.min(1, req.topP);
    return;
  }
  if (req.temperature !== undefined) body.temperature = Math.min(1, Math.max(0, req.temperature));
  else if (req.topP !== undefined) body.top_p = Math.min(1, Math.max(0, req.topP));
  if (req.topK !== undefined && Number.isInteger(req.topK) && req.topK > 0) body.top_k = req.topK;
}

function encodeTools(tools: ToolDefinition[], caps: ModelCapabilities, ax: AnthropicExtras | undefined): JsonObject[] {
  const deferred = Array.isArray(ax?.deferred_tools) ? new Set(ax.deferred_tools) : undefined;
  const out: JsonObject[] = [];
  for (const t of tools) {
    // input_schema must be an object schema; OpenAI-style `{}` parameters lack the `type`.
    const schema = t.parameters.type === undefined ? { type: 'object', ...t.parameters } : t.parameters;
    const tool: JsonObject = { name: t.name };
    if (t.description !== undefined) tool.description = t.description;
    tool.input_schema = schema;
    // `strict` needs structured-output support; older models reject the field.
    if (t.strict === true && caps.structuredOutputs) tool.strict = true;
    if (t.cacheControl) tool.cache_control = t.cacheControl;
    if (deferred?.has(t.name)) tool.defer_loading = true;
    out.push(tool);
  }
  return out;
}

function encodeToolChoice(req: CanonicalRequest): JsonObject | undefined {
  const noParallel = req.parallelToolCalls === false;
  const tc = req.toolChoice;
  let choice: JsonObject;
  switch (tc?.type) {
    case undefined:
      if (!noParallel) return undefined;
      choice = { type: 'auto' };
      break;
    case 'none':
      return { type: 'none' };
    case 'auto':
      choice = { type: 'auto' };
      break;
    case 'required':
      choice = { type: 'any' };
      break;
    case 'tool':
      choice = { type: 'tool', name: tc.name };
      break;
  }
  if (noParallel) choice.disable_parallel_tool_use = true;
  return choice;
}
