import { parseDataUrl, sourceFromUrl } from '../../canonical/data-url.js';
import { invalidRequest } from '../../canonical/errors.js';
import { stableCallId } from '../../canonical/ids.js';
import { parseEffort } from '../../canonical/reasoning.js';
import type {
  CanonicalRequest,
  DocumentPart,
  ImagePart,
  Message,
  Part,
  ReasoningConfig,
  ResponseFormat,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultContent,
  ToolResultPart,
} from '../../canonical/types.js';
import { asString, isObject } from '../../util/json.js';
import type { JsonObject } from '../../util/json.js';
import type { RequestContext } from '../codec.js';

// Client request (https://platform.openai.com/docs/api-reference/chat/create) → canonical.
// Liberal: this is also what OpenAI-compatible clients send (DeepSeek/Kimi/OpenRouter history with
// `reasoning_content` / `reasoning`, legacy `functions` / `function_call`, …). Validation is by
// hand and only of the fields we read; every error names the field path.

/** Fields with no canonical meaning that are worth keeping for an OpenAI-chat upstream. */
const EXTRA_KEYS = [
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'service_tier',
  'store',
  'metadata',
  'modalities',
  'audio',
  'prediction',
  'web_search_options',
  'verbosity',
  'prompt_cache_key',
  'prompt_cache_retention',
  'safety_identifier',
  // OpenAI-compatible servers' own knobs (DeepSeek/Qwen thinking switches, vLLM sampling).
  'thinking',
  'enable_thinking',
  'chat_template_kwargs',
  'min_p',
  'repetition_penalty',
] as const;

export function decodeRequest(body: unknown, ctx: RequestContext): CanonicalRequest {
  if (!isObject(body)) throw invalidRequest('request body must be a JSON object');

  const model = asString(body.model) ?? ctx.pathModel;
  if (!model) throw invalidRequest('model is required (a string)');
  if (!Array.isArray(body.messages)) throw invalidRequest('messages is required (an array of messages)');
  if (body.messages.length === 0) throw invalidRequest('messages must contain at least one message');

  const extras: JsonObject = {};
  const { system, messages } = decodeMessages(body.messages);
  const req: CanonicalRequest = {
    model,
    system,
    messages,
    tools: decodeTools(body.tools, body.functions),
    stream: ctx.pathStream ?? body.stream === true,
    extras: {},
  };

  const toolChoice = decodeToolChoice(body.tool_choice, body.function_call, extras);
  if (toolChoice) req.toolChoice = toolChoice;
  if (typeof body.parallel_tool_calls === 'boolean') req.parallelToolCalls = body.parallel_tool_calls;

  const maxTokens = intField(body, 'max_completion_tokens') ?? intField(body, 'max_tokens');
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  setNumber(req, 'temperature', numField(body, 'temperature'));
  setNumber(req, 'topP', numField(body, 'top_p'));
  setNumber(req, 'topK', intField(body, 'top_k')); // not OpenAI; vLLM/OpenRouter clients send it
  setNumber(req, 'seed', intField(body, 'seed'));
  setNumber(req, 'n', intField(body, 'n'));
  setNumber(req, 'presencePenalty', numField(body, 'presence_penalty'));
  setNumber(req, 'frequencyPenalty', numField(body, 'frequency_penalty'));

  const stop = decodeStop(body.stop);
  if (stop) req.stop = stop;
  const responseFormat = decodeResponseFormat(body.response_format);
  if (responseFormat) req.responseFormat = responseFormat;
  const reasoning = decodeReasoning(body, extras);
  if (reasoning) req.reasoning = reasoning;

  if (req.stream && isObject(body.stream_options) && typeof body.stream_options.include_usage === 'boolean') {
    req.streamUsage = body.stream_options.include_usage;
  }
  // `user` is deprecated in favour of safety_identifier / prompt_cache_key; any of them identifies
  // the end user or session well enough for logs and upstream abuse tracking.
  const user = asString(body.user) ?? asString(body.safety_identifier) ?? asString(body.prompt_cache_key);
  if (user) req.user = user;

  for (const key of EXTRA_KEYS) {
    if (body[key] !== undefined && body[key] !== null) extras[key] = body[key];
  }
  if (Object.keys(extras).length > 0) req.extras['openai-chat'] = extras;
  return req;
}

function setNumber<K extends 'temperature' | 'topP' | 'topK' | 'seed' | 'n' | 'presencePenalty' | 'frequencyPenalty'>(
  req: CanonicalRequest,
  key: K,
  value: number | undefined,
): void {
  if (value !== undefined) req[key] = value;
}

function numField(body: JsonObject, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidRequest(`${key} must be a number`);
  return v;
}

function intField(body: JsonObject, key: string): number | undefined {
  const v = numField(body, key);
  if (v !== undefined && !Number.isInteger(v)) throw invalidRequest(`${key} must be an integer`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Messages

function decodeMessages(raw: unknown[]): { system: TextPart[]; messages: Message[] } {
  const system: TextPart[] = [];
  const messages: Message[] = [];
  /** Tool call id → function name, so tool results can carry the name (Gemini needs it). */
  const toolNames = new Map<string, string>();
  /** Legacy function calls have no id: the synthesized id of the latest call per name. */
  const legacyIds = new Map<string, string>();
  /** The user message that consecutive tool / function messages are collecting into. */
  let results: Message | undefined;
  let leading = true;

  for (let i = 0; i < raw.length; i++) {
    const m = raw[i];
    const path = `messages[${i}]`;
    if (!isObject(m)) throw invalidRequest(`${path} must be an object`);
    const role = m.role;

    if (role === 'system' || role === 'developer') {
      const parts = decodeSystemContent(m.content, path);
      if (leading) system.push(...parts);
      else messages.push({ role: 'system', parts });
      results = undefined;
      continue;
    }
    leading = false;

    if (role === 'user') {
      messages.push({ role: 'user', parts: decodeUserContent(m.content, path) });
      results = undefined;
    } else if (role === 'assistant') {
      messages.push({ role: 'assistant', parts: decodeAssistant(m, path, i, toolNames, legacyIds) });
      results = undefined;
    } else if (role === 'tool' || role === 'function') {
      const part = role === 'tool' ? decodeToolMessage(m, path, toolNames) : decodeFunctionMessage(m, path, i, legacyIds);
      // Consecutive tool messages answer one assistant turn: one user message holds them all.
      if (!results) {
        results = { role: 'user', parts: [] };
        messages.push(results);
      }
      results.parts.push(part);
    } else {
      throw invalidRequest(`${path}.role must be one of system, developer, user, assistant, tool, function`);
    }
  }
  return { system, messages };
}

function decodeSystemContent(content: unknown, path: string): TextPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidRequest(`${path}.content must be a string or an array of text parts`);
  const parts: TextPart[] = [];
  for (let j = 0; j < content.length; j++) {
    const p = content[j];
    if (!isObject(p) || p.type !== 'text' || typeof p.text !== 'string') {
      throw invalidRequest(`${path}.content[${j}] must be a text part ({"type":"text","text":"…"})`);
    }
    parts.push({ type: 'text', text: p.text });
  }
  return parts;
}

function decodeUserContent(content: unknown, path: string): Part[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidRequest(`${path}.content must be a string or an array of content parts`);
  const parts: Part[] = [];
  for (let j = 0; j < content.length; j++) parts.push(decodeUserPart(content[j], `${path}.content[${j}]`));
  return parts;
}

function decodeUserPart(p: unknown, path: string): TextPart | ImagePart | DocumentPart {
  if (!isObject(p)) throw invalidRequest(`${path} must be an object`);
  switch (p.type) {
    case 'text':
      if (typeof p.text !== 'string') throw invalidRequest(`${path}.text must be a string`);
      return { type: 'text', text: p.text };
    case 'image_url': {
      // Some clients send `image_url` as the bare URL string.
      const img = p.image_url;
      const url = typeof img === 'string' ? img : isObject(img) ? asString(img.url) : undefined;
      if (!url) throw invalidRequest(`${path}.image_url.url must be a string (an http(s) or data: URL)`);
      const part: ImagePart = { type: 'image', source: sourceFromUrl(url) };
      const detail = isObject(img) ? asString(img.detail) : undefined;
      if (detail) part.detail = detail;
      return part;
    }
    case 'file':
      return decodeFilePart(p.file, path);
    case 'input_audio':
      throw invalidRequest(`${path}: audio input is not supported by Switchyard`);
    default:
      throw invalidRequest(`${path}.type must be one of text, image_url, file`);
  }
}

function decodeFilePart(file: unknown, path: string): DocumentPart {
  if (!isObject(file)) throw invalidRequest(`${path}.file must be an object with file_data or file_id`);
  const filename = asString(file.filename);
  let part: DocumentPart;
  const data = asString(file.file_data);
  const fileId = asString(file.file_id);
  if (data) {
    // file_data is documented as base64; clients send a data URL. A bare base64 string is a PDF
    // (the only file type chat accepts).
    const parsed = parseDataUrl(data);
    part = {
      type: 'document',
      source: parsed
        ? { kind: 'base64', mediaType: parsed.mediaType, data: parsed.data }
        : { kind: 'base64', mediaType: 'application/pdf', data },
    };
  } else if (fileId) {
    part = { type: 'document', source: { kind: 'file', fileId } };
  } else {
    throw invalidRequest(`${path}.file must have file_data (a base64 data URL) or file_id`);
  }
  if (filename) part.filename = filename;
  return part;
}

function decodeAssistant(
  m: JsonObject,
  path: string,
  index: number,
  toolNames: Map<string, string>,
  legacyIds: Map<string, string>,
): Part[] {
  const parts: Part[] = [];
  // DeepSeek / Kimi / xAI echo the thinking as `reasoning_content`, OpenRouter / vLLM as `reasoning`.
  const reasoning = asString(m.reasoning_content) || asString(m.reasoning);
  if (reasoning) parts.push({ type: 'thinking', text: reasoning });

  const content = m.content;
  if (typeof content === 'string') {
    if (content) parts.push({ type: 'text', text: content });
  } else if (Array.isArray(content)) {
    for (let j = 0; j < content.length; j++) {
      const p = content[j];
      const pp = `${path}.content[${j}]`;
      if (!isObject(p)) throw invalidRequest(`${pp} must be an object`);
      if (p.type === 'text' && typeof p.text === 'string') {
        if (p.text) parts.push({ type: 'text', text: p.text });
      } else if (p.type === 'refusal' && typeof p.refusal === 'string') {
        if (p.refusal) parts.push({ type: 'text', text: p.refusal });
      } else {
        throw invalidRequest(`${pp} must be a text or refusal part`);
      }
    }
  } else if (content !== undefined && content !== null) {
    throw invalidRequest(`${path}.content must be a string, an array of text parts, or null`);
  }
  const refusal = asString(m.refusal);
  if (refusal) parts.push({ type: 'text', text: refusal });

  if (Array.isArray(m.tool_calls)) {
    for (let j = 0; j < m.tool_calls.length; j++) {
      const tc = m.tool_calls[j];
      const tp = `${path}.tool_calls[${j}]`;
      if (!isObject(tc)) throw invalidRequest(`${tp} must be an object`);
      if (tc.type !== undefined && tc.type !== 'function') {
        throw invalidRequest(`${tp}.type must be 'function' (custom tool calls are not supported)`);
      }
      const fn = tc.function;
      if (!isObject(fn) || typeof fn.name !== 'string') throw invalidRequest(`${tp}.function.name must be a string`);
      const id = asString(tc.id);
      if (!id) throw invalidRequest(`${tp}.id must be a string`);
      toolNames.set(id, fn.name);
      parts.push({ type: 'tool_call', id, name: fn.name, arguments: parseArguments(fn.arguments, `${tp}.function.arguments`) });
    }
  } else if (m.tool_calls !== undefined && m.tool_calls !== null) {
    throw invalidRequest(`${path}.tool_calls must be an array`);
  }

  // Legacy single `function_call` (pre tool_calls): synthesize a stable id, remembered by name so
  // the following `function` message can point at it.
  if (isObject(m.function_call)) {
    const fc = m.function_call;
    if (typeof fc.name !== 'string') throw invalidRequest(`${path}.function_call.name must be a string`);
    const args = parseArguments(fc.arguments, `${path}.function_call.arguments`);
    const id = stableCallId(fc.name, args, index);
    legacyIds.set(fc.name, id);
    toolNames.set(id, fc.name);
    parts.push({ type: 'tool_call', id, name: fc.name, arguments: args });
  }
  return parts;
}

/** Tool arguments arrive as JSON text; canonical carries the parsed value. */
function parseArguments(raw: unknown, path: string): unknown {
  if (raw === undefined || raw === null || raw === '') return {};
  if (typeof raw !== 'string') {
    if (isObject(raw)) return raw; // some clients send the object itself
    throw invalidRequest(`${path} must be a JSON string`);
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw invalidRequest(`${path} is not valid JSON`);
  }
}

function decodeToolMessage(m: JsonObject, path: string, toolNames: Map<string, string>): ToolResultPart {
  const callId = asString(m.tool_call_id);
  if (!callId) throw invalidRequest(`${path}.tool_call_id must be a string`);
  const part: ToolResultPart = { type: 'tool_result', callId, content: decodeToolContent(m.content, path) };
  const name = toolNames.get(callId);
  if (name) part.name = name;
  return part;
}

function decodeFunctionMessage(m: JsonObject, path: string, index: number, legacyIds: Map<string, string>): ToolResultPart {
  const name = asString(m.name);
  if (!name) throw invalidRequest(`${path}.name must be a string (the function's name)`);
  return {
    type: 'tool_result',
    callId: legacyIds.get(name) ?? stableCallId(name, {}, index),
    name,
    content: decodeToolContent(m.content, path),
  };
}

function decodeToolContent(content: unknown, path: string): ToolResultContent[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) throw invalidRequest(`${path}.content must be a string or an array of text parts`);
  // The spec allows only text parts here; images are accepted too (some clients send them).
  const out: ToolResultContent[] = [];
  for (let j = 0; j < content.length; j++) out.push(decodeUserPart(content[j], `${path}.content[${j}]`));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tools, tool choice, sampling knobs

function decodeTools(tools: unknown, functions: unknown): ToolDefinition[] {
  const out: ToolDefinition[] = [];
  if (Array.isArray(tools)) {
    for (let i = 0; i < tools.length; i++) {
      const t = tools[i];
      if (!isObject(t)) throw invalidRequest(`tools[${i}] must be an object`);
      // Only function tools translate; custom (free-form grammar) tools and hosted tools have no
      // counterpart in other dialects and are dropped deliberately.
      if (t.type !== 'function') continue;
      out.push(decodeFunction(t.function, `tools[${i}].function`));
    }
  } else if (tools !== undefined && tools !== null) {
    throw invalidRequest('tools must be an array');
  } else if (Array.isArray(functions)) {
    for (let i = 0; i < functions.length; i++) out.push(decodeFunction(functions[i], `functions[${i}]`));
  }
  return out;
}

function decodeFunction(fn: unknown, path: string): ToolDefinition {
  if (!isObject(fn)) throw invalidRequest(`${path} must be an object`);
  if (typeof fn.name !== 'string' || !fn.name) throw invalidRequest(`${path}.name must be a non-empty string`);
  const def: ToolDefinition = {
    name: fn.name,
    // Parameters are optional in the spec ("omitting defines a function with an empty parameter list").
    parameters: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
  };
  if (typeof fn.description === 'string') def.description = fn.description;
  if (typeof fn.strict === 'boolean') def.strict = fn.strict;
  return def;
}

function decodeToolChoice(choice: unknown, legacy: unknown, extras: JsonObject): ToolChoice | undefined {
  const raw = choice ?? legacy;
  if (raw === undefined || raw === null) return undefined;
  if (raw === 'auto' || raw === 'none' || raw === 'required') return { type: raw };
  if (typeof raw === 'string') throw invalidRequest('tool_choice must be one of auto, none, required, or an object');
  if (!isObject(raw)) throw invalidRequest('tool_choice must be a string or an object');
  if (raw.type === 'function') {
    const name = isObject(raw.function) ? asString(raw.function.name) : asString(raw.name);
    if (!name) throw invalidRequest('tool_choice.function.name must be a string');
    return { type: 'tool', name };
  }
  if (raw.type === 'allowed_tools' && isObject(raw.allowed_tools)) {
    // The canonical model cannot restrict the tool list per turn; keep the mode, remember the rest.
    extras.tool_choice = raw;
    return { type: raw.allowed_tools.mode === 'required' ? 'required' : 'auto' };
  }
  if (choice === undefined && typeof raw.name === 'string') return { type: 'tool', name: raw.name }; // legacy {name}
  return undefined; // custom-tool choice: custom tools are dropped, so is the choice
}

function decodeStop(stop: unknown): string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop) && stop.every((s) => typeof s === 'string')) return stop.length ? (stop as string[]) : undefined;
  throw invalidRequest('stop must be a string or an array of strings');
}

function decodeResponseFormat(rf: unknown): ResponseFormat | undefined {
  if (rf === undefined || rf === null) return undefined;
  if (!isObject(rf)) throw invalidRequest('response_format must be an object');
  switch (rf.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json' };
    case 'json_schema': {
      const js = rf.json_schema;
      if (!isObject(js)) throw invalidRequest('response_format.json_schema must be an object');
      const out: ResponseFormat = { type: 'json_schema', schema: isObject(js.schema) ? js.schema : {} };
      if (typeof js.name === 'string') out.name = js.name;
      if (typeof js.strict === 'boolean') out.strict = js.strict;
      if (typeof js.description === 'string') out.description = js.description;
      return out;
    }
    default:
      throw invalidRequest('response_format.type must be one of text, json_object, json_schema');
  }
}

function decodeReasoning(body: JsonObject, extras: JsonObject): ReasoningConfig | undefined {
  const effort = body.reasoning_effort;
  if (typeof effort === 'string') {
    const e = parseEffort(effort);
    if (e) return { enabled: e !== 'none', effort: e };
    extras.reasoning_effort = effort; // a level newer than we know: pass it through to OpenAI as is
    return undefined;
  }
  // OpenRouter's unified `reasoning: {effort, max_tokens, enabled, exclude}`.
  const r = body.reasoning;
  if (!isObject(r)) return undefined;
  const out: ReasoningConfig = { enabled: r.enabled !== false };
  const e = parseEffort(r.effort);
  if (e) {
    out.effort = e;
    if (e === 'none') out.enabled = false;
  }
  if (typeof r.max_tokens === 'number') out.budgetTokens = r.max_tokens;
  if (r.exclude === true) out.includeThoughts = false;
  return out;
}
