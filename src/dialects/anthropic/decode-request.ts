import { invalidRequest } from '../../canonical/errors.js';
import { parseEffort } from '../../canonical/reasoning.js';
import type {
  CanonicalRequest,
  Message,
  ReasoningConfig,
  ResponseFormat,
  TextPart,
  ToolChoice,
  ToolDefinition,
} from '../../canonical/types.js';
import { asNumber, asString, isObject } from '../../util/json.js';
import type { JsonObject } from '../../util/json.js';
import type { RequestContext } from '../codec.js';
import { decodeContent, setCacheControl } from './decode-content.js';
import type { ContentContext } from './decode-content.js';
import { EXTRA_TOP_LEVEL_FIELDS } from './extras.js';
import type { AnthropicExtras } from './extras.js';

// Anthropic Messages request (client -> Switchyard) -> canonical.
// https://docs.anthropic.com/en/api/messages

export function decodeRequest(body: unknown, _ctx: RequestContext): CanonicalRequest {
  if (!isObject(body)) throw invalidRequest('request body must be a JSON object');
  const model = body.model;
  if (typeof model !== 'string' || model === '') throw invalidRequest('model must be a non-empty string');
  const maxTokens = body.max_tokens;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    throw invalidRequest('max_tokens must be a positive integer');
  }
  if (!Array.isArray(body.messages)) throw invalidRequest('messages must be an array');

  const extras: AnthropicExtras = {};
  const req: CanonicalRequest = {
    model,
    system: decodeSystem(body.system),
    messages: [],
    tools: decodeTools(body.tools, extras),
    maxTokens,
    stream: decodeStream(body.stream),
    extras: { anthropic: extras },
  };
  decodeMessages(body.messages, req);

  if (body.tool_choice !== undefined) decodeToolChoice(body.tool_choice, req);
  const temperature = optionalNumber(body.temperature, 'temperature');
  if (temperature !== undefined) req.temperature = temperature;
  const topP = optionalNumber(body.top_p, 'top_p');
  if (topP !== undefined) req.topP = topP;
  const topK = optionalNumber(body.top_k, 'top_k');
  if (topK !== undefined) req.topK = topK;
  if (body.stop_sequences !== undefined && body.stop_sequences !== null) {
    req.stop = decodeStopSequences(body.stop_sequences);
  }
  if (isObject(body.metadata)) {
    const user = asString(body.metadata.user_id);
    if (user) req.user = user;
  }

  const outputConfig = body.output_config;
  if (outputConfig !== undefined && outputConfig !== null && !isObject(outputConfig)) {
    throw invalidRequest('output_config must be an object');
  }
  const reasoning = decodeReasoning(body.thinking, outputConfig?.effort, extras);
  if (reasoning) req.reasoning = reasoning;
  // `output_config.format` is the GA structured-outputs field; `output_format` its beta predecessor.
  const format = outputConfig?.format ?? body.output_format;
  if (format !== undefined && format !== null) {
    const path = outputConfig?.format !== undefined ? 'output_config.format' : 'output_format';
    req.responseFormat = decodeFormat(format, path);
  }

  for (const field of EXTRA_TOP_LEVEL_FIELDS) {
    if (body[field] !== undefined) extras[field] = body[field];
  }
  return req;
}

function decodeStream(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw invalidRequest('stream must be a boolean');
  return v;
}

function optionalNumber(v: unknown, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = asNumber(v);
  if (n === undefined) throw invalidRequest(`${path} must be a number`);
  return n;
}

function decodeStopSequences(v: unknown): string[] {
  if (!Array.isArray(v)) throw invalidRequest('stop_sequences must be an array of strings');
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') throw invalidRequest(`stop_sequences[${i}] must be a string`);
  }
  return v as string[];
}

function decodeSystem(system: unknown): TextPart[] {
  if (system === undefined || system === null) return [];
  if (typeof system === 'string') return system === '' ? [] : [{ type: 'text', text: system }];
  if (!Array.isArray(system)) throw invalidRequest('system must be a string or an array of text blocks');
  const out: TextPart[] = [];
  for (let i = 0; i < system.length; i++) {
    const block: unknown = system[i];
    if (!isObject(block) || block.type !== 'text') throw invalidRequest(`system[${i}].type must be "text"`);
    if (typeof block.text !== 'string') throw invalidRequest(`system[${i}].text must be a string`);
    const part: TextPart = { type: 'text', text: block.text };
    setCacheControl(part, block.cache_control);
    out.push(part);
  }
  return out;
}

/**
 * Messages in order. `role: "system"` messages (Claude Code sends one after the first user turn) stay
 * in place as canonical system messages; only those before any user/assistant turn join `req.system`.
 */
function decodeMessages(messages: unknown[], req: CanonicalRequest): void {
  const ctx: ContentContext = { toolNames: new Map() };
  let leading = true;
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    const path = `messages[${i}]`;
    if (!isObject(m)) throw invalidRequest(`${path} must be an object`);
    const role = m.role;
    if (role !== 'user' && role !== 'assistant' && role !== 'system') {
      throw invalidRequest(`${path}.role must be one of user, assistant, system`);
    }
    const parts = decodeContent(m.content, `${path}.content`, ctx);
    if (role === 'system') {
      for (const p of parts) {
        if (p.type !== 'text') throw invalidRequest(`${path}.content may only hold text blocks`);
      }
      if (leading) {
        req.system.push(...(parts as TextPart[]));
        continue;
      }
    } else {
      leading = false;
    }
    const msg: Message = { role, parts };
    req.messages.push(msg);
  }
}

function decodeTools(tools: unknown, extras: AnthropicExtras): ToolDefinition[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw invalidRequest('tools must be an array');
  const out: ToolDefinition[] = [];
  for (let i = 0; i < tools.length; i++) {
    const t: unknown = tools[i];
    const path = `tools[${i}]`;
    if (!isObject(t)) throw invalidRequest(`${path} must be an object`);
    if (t.type !== undefined && t.type !== null && t.type !== 'custom') {
      // Anthropic-defined tools (web_search_20250305, bash_20250124, text_editor_…, code_execution_…,
      // computer use, memory, tool search …) run on Anthropic's servers or need Anthropic's built-in
      // schemas; no other upstream can honour them, so they are dropped and listed in extras.
      (extras.server_tools ??= []).push(t);
      continue;
    }
    if (typeof t.name !== 'string' || t.name === '') throw invalidRequest(`${path}.name must be a non-empty string`);
    // A tool whose input_schema is missing or not an object (the trimmed schemas in our own client
    // captures are placeholder strings) still works with free-form arguments, so it gets an open
    // object schema instead of failing the whole request.
    const parameters = isObject(t.input_schema) ? t.input_schema : { type: 'object' };
    const def: ToolDefinition = { name: t.name, parameters };
    if (typeof t.description === 'string') def.description = t.description;
    if (typeof t.strict === 'boolean') def.strict = t.strict;
    setCacheControl(def, t.cache_control);
    if (t.defer_loading === true) (extras.deferred_tools ??= []).push(t.name);
    out.push(def);
  }
  return out;
}

function decodeToolChoice(tc: unknown, req: CanonicalRequest): void {
  if (!isObject(tc)) throw invalidRequest('tool_choice must be an object');
  let choice: ToolChoice;
  switch (tc.type) {
    case 'auto':
      choice = { type: 'auto' };
      break;
    case 'any':
      choice = { type: 'required' };
      break;
    case 'none':
      choice = { type: 'none' };
      break;
    case 'tool':
      if (typeof tc.name !== 'string' || tc.name === '') throw invalidRequest('tool_choice.name must be a non-empty string');
      choice = { type: 'tool', name: tc.name };
      break;
    default:
      throw invalidRequest('tool_choice.type must be one of auto, any, tool, none');
  }
  req.toolChoice = choice;
  if (typeof tc.disable_parallel_tool_use === 'boolean') req.parallelToolCalls = !tc.disable_parallel_tool_use;
}

/**
 * `thinking` + `output_config.effort` -> canonical reasoning.
 * https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking, …/adaptive-thinking, …/effort
 * `display` only changes what Anthropic returns; it is kept for an Anthropic upstream only.
 */
function decodeReasoning(thinking: unknown, rawEffort: unknown, extras: AnthropicExtras): ReasoningConfig | undefined {
  let reasoning: ReasoningConfig | undefined;
  if (thinking !== undefined && thinking !== null) {
    if (!isObject(thinking)) throw invalidRequest('thinking must be an object');
    reasoning = decodeThinking(thinking);
    extras.thinking_type = thinking.type as string;
    if (typeof thinking.display === 'string') extras.thinking_display = thinking.display;
  }
  if (rawEffort === undefined || rawEffort === null) return reasoning;
  // Anthropic's scale starts at low; its top level, max, is canonical xhigh.
  const effort = rawEffort === 'none' || rawEffort === 'minimal' ? undefined : parseEffort(rawEffort);
  if (!effort) throw invalidRequest('output_config.effort must be one of low, medium, high, xhigh, max');
  extras.effort = rawEffort as string;
  // Effort without a thinking config still asks for that much work; a disabled thinking config wins.
  if (!reasoning) return { enabled: true, effort };
  if (reasoning.enabled) reasoning.effort = effort;
  return reasoning;
}

function decodeThinking(thinking: JsonObject): ReasoningConfig {
  let reasoning: ReasoningConfig;
  switch (thinking.type) {
    case 'enabled': {
      const budget = thinking.budget_tokens;
      if (typeof budget !== 'number' || !Number.isInteger(budget)) {
        throw invalidRequest('thinking.budget_tokens must be an integer');
      }
      reasoning = { enabled: true, budgetTokens: budget };
      break;
    }
    case 'adaptive':
    case 'between_tools':
      reasoning = { enabled: true };
      break;
    case 'disabled':
      return { enabled: false };
    default:
      throw invalidRequest('thinking.type must be one of enabled, adaptive, disabled');
  }
  if (thinking.display === 'omitted') reasoning.includeThoughts = false;
  else if (thinking.display === 'summarized') reasoning.includeThoughts = true;
  return reasoning;
}

function decodeFormat(format: unknown, path: string): ResponseFormat {
  if (!isObject(format) || format.type !== 'json_schema') throw invalidRequest(`${path}.type must be "json_schema"`);
  if (!isObject(format.schema)) throw invalidRequest(`${path}.schema must be an object`);
  return { type: 'json_schema', schema: format.schema };
}
