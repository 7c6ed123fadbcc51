import { invalidRequest } from '../../canonical/errors.js';
import { parseEffort } from '../../canonical/reasoning.js';
import type {
  CanonicalRequest,
  Message,
  Part,
  ReasoningConfig,
  ReasoningEffort,
  ResponseFormat,
  Signature,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultContent,
  ToolResultPart,
} from '../../canonical/types.js';
import { asNumber, asString, isObject, type JsonObject } from '../../util/json.js';
import type { RequestContext } from '../codec.js';
import { reasoningText } from './decode-output-item.js';
import { decodeInputFile, decodeInputImage } from './media.js';
import { parseArguments } from './parse-arguments.js';
import { clientReasoningSignature, readToolCallCarrier } from './reasoning-signature.js';
import { flattenToolName } from './tool-names.js';
import { DIALECT } from './wire.js';

// Client request (POST /v1/responses) -> canonical.
// https://platform.openai.com/docs/api-reference/responses/create

export function decodeRequest(body: unknown, _ctx: RequestContext): CanonicalRequest {
  if (!isObject(body)) throw invalidRequest('The request body must be a JSON object.');
  const model = body.model;
  if (typeof model !== 'string' || model === '') throw invalidRequest('model is required and must be a non-empty string.');
  // Both point at state a server kept; Switchyard keeps none and answers from many upstreams.
  if (body.previous_response_id != null) {
    throw invalidRequest(
      'previous_response_id is not supported: Switchyard stores no responses. Send the whole conversation in input with store: false (as Codex does).',
    );
  }
  if (body.conversation != null) {
    throw invalidRequest('conversation is not supported: Switchyard stores no conversations. Send the whole conversation in input with store: false.');
  }

  const system: TextPart[] = [];
  if (body.instructions != null) {
    if (typeof body.instructions !== 'string') throw invalidRequest('instructions must be a string.');
    if (body.instructions !== '') system.push({ type: 'text', text: body.instructions });
  }

  const req: CanonicalRequest = {
    model,
    system,
    messages: decodeInput(body.input, system),
    tools: decodeTools(body.tools),
    stream: decodeBoolean(body.stream, 'stream') ?? false,
    extras: {},
  };

  const toolChoice = decodeToolChoice(body.tool_choice);
  if (toolChoice) req.toolChoice = toolChoice;
  const parallel = decodeBoolean(body.parallel_tool_calls, 'parallel_tool_calls');
  if (parallel !== undefined) req.parallelToolCalls = parallel;
  const maxTokens = decodeNumber(body.max_output_tokens, 'max_output_tokens');
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  const temperature = decodeNumber(body.temperature, 'temperature');
  if (temperature !== undefined) req.temperature = temperature;
  const topP = decodeNumber(body.top_p, 'top_p');
  if (topP !== undefined) req.topP = topP;
  const reasoning = decodeReasoning(body.reasoning);
  if (reasoning) req.reasoning = reasoning;
  const format = decodeTextFormat(body.text);
  if (format) req.responseFormat = format;
  // `user` is deprecated in favour of safety_identifier / prompt_cache_key; any of them identifies the end user.
  const user = asString(body.user) ?? asString(body.safety_identifier) ?? asString(body.prompt_cache_key);
  if (user) req.user = user;

  const extras = decodeExtras(body);
  if (extras) req.extras[DIALECT] = extras;
  return req;
}

// ---------------------------------------------------------------------------------------------
// input

const CONTENT_TYPES = 'input_text, input_image, input_file, output_text, refusal';

function onlyToolResults(parts: Part[]): boolean {
  for (const p of parts) if (p.type !== 'tool_result') return false;
  return parts.length > 0;
}

class InputBuilder {
  readonly messages: Message[] = [];
  /** Tool name by call id, so tool results can name their tool (Gemini needs it). */
  readonly callNames = new Map<string, string>();
  /** Gemini function-call signatures carried in reasoning items (see reasoning-signature.ts). */
  carriers: Map<string, Signature> | undefined;

  private last(): Message | undefined {
    return this.messages[this.messages.length - 1];
  }

  assistant(part: Part): void {
    const last = this.last();
    if (last?.role === 'assistant') last.parts.push(part);
    else this.messages.push({ role: 'assistant', parts: [part] });
  }

  toolResult(part: Part): void {
    const last = this.last();
    if (last?.role === 'user' && onlyToolResults(last.parts)) last.parts.push(part);
    else this.messages.push({ role: 'user', parts: [part] });
  }

  user(parts: Part[]): void {
    // Text after tool results joins their turn (tool results first, then what the user added).
    const last = this.last();
    if (last?.role === 'user' && onlyToolResults(last.parts)) last.parts.push(...parts);
    else this.messages.push({ role: 'user', parts });
  }
}

function decodeInput(input: unknown, system: TextPart[]): Message[] {
  if (typeof input === 'string') return [{ role: 'user', parts: [{ type: 'text', text: input }] }];
  if (input == null) throw invalidRequest('input is required: a string or an array of input items.');
  if (!Array.isArray(input)) throw invalidRequest('input must be a string or an array of input items.');

  const b = new InputBuilder();
  let leading = true;
  for (let i = 0; i < input.length; i++) {
    const item: unknown = input[i];
    const path = `input[${i}]`;
    if (!isObject(item)) throw invalidRequest(`${path} must be an object.`);
    const type = item.type ?? 'message';
    if (typeof type !== 'string') throw invalidRequest(`${path}.type must be a string.`);

    if (type === 'message') {
      const role = item.role;
      if (role === 'system' || role === 'developer') {
        const texts = decodeSystemContent(item.content, path);
        // Leading system/developer messages are the system prompt (Codex sends no `instructions`);
        // later ones stay in place as role 'system'.
        if (leading) system.push(...texts);
        else if (texts.length > 0) b.messages.push({ role: 'system', parts: texts });
        continue;
      }
      leading = false;
      if (role !== 'user' && role !== 'assistant') throw invalidRequest(`${path}.role must be one of user, assistant, system, developer.`);
      const parts = decodeContent(item.content, path, role === 'assistant');
      if (parts.length === 0) continue;
      if (role === 'user') b.user(parts);
      else for (const p of parts) b.assistant(p);
      continue;
    }

    leading = false;
    switch (type) {
      case 'function_call':
        decodeFunctionCall(item, path, b);
        break;
      case 'function_call_output':
        decodeFunctionCallOutput(item, path, b);
        break;
      case 'reasoning':
        decodeReasoningItem(item, path, b);
        break;
      case 'item_reference':
        throw invalidRequest(
          `${path} is an item_reference, which needs items stored on the server. Switchyard stores nothing: send the full items instead (store: false).`,
        );
      // custom_tool_call(_output), local_shell_call(_output), web_search_call and the other built-in tool
      // items have no canonical form: their tools are never offered upstream (see decodeTools), so their
      // history is dropped deliberately.
      default:
        break;
    }
  }

  if (b.carriers) attachCarriers(b.messages, b.carriers);
  return b.messages;
}

function decodeSystemContent(content: unknown, path: string): TextPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidRequest(`${path}.content must be a string or an array.`);
  const out: TextPart[] = [];
  for (let j = 0; j < content.length; j++) {
    const part: unknown = content[j];
    if (!isObject(part)) throw invalidRequest(`${path}.content[${j}] must be an object.`);
    const text = part.type === 'refusal' ? part.refusal : part.text;
    // Images or files in a system message have no canonical place; only text is kept.
    if (typeof text === 'string' && text !== '') out.push({ type: 'text', text });
  }
  return out;
}

function decodeContent(content: unknown, path: string, assistant: boolean): Part[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidRequest(`${path}.content must be a string or an array.`);
  const out: Part[] = [];
  for (let j = 0; j < content.length; j++) {
    const part: unknown = content[j];
    const partPath = `${path}.content[${j}]`;
    if (!isObject(part)) throw invalidRequest(`${partPath} must be an object.`);
    switch (part.type) {
      case 'input_text':
      case 'output_text':
      case 'refusal': {
        const text = part.type === 'refusal' ? part.refusal : part.text;
        const field = part.type === 'refusal' ? 'refusal' : 'text';
        if (typeof text !== 'string') throw invalidRequest(`${partPath}.${field} must be a string.`);
        if (text !== '') out.push({ type: 'text', text });
        break;
      }
      case 'input_image':
        if (!assistant) out.push(decodeInputImage(part, partPath));
        break;
      case 'input_file':
        if (!assistant) out.push(decodeInputFile(part, partPath));
        break;
      default:
        throw invalidRequest(`${partPath}.type must be one of ${CONTENT_TYPES}.`);
    }
  }
  return out;
}

function decodeFunctionCall(item: JsonObject, path: string, b: InputBuilder): void {
  const callId = item.call_id;
  const name = item.name;
  if (typeof callId !== 'string' || callId === '') throw invalidRequest(`${path}.call_id is required and must be a string.`);
  if (typeof name !== 'string' || name === '') throw invalidRequest(`${path}.name is required and must be a string.`);
  if (item.arguments != null && typeof item.arguments !== 'string') throw invalidRequest(`${path}.arguments must be a JSON string.`);
  const namespace = asString(item.namespace);
  const flat = namespace ? flattenToolName(namespace, name) : name;
  b.callNames.set(callId, flat);
  // Arguments a model once produced as invalid JSON stay a raw string: rejecting the history would
  // wedge the session for good.
  b.assistant({ type: 'tool_call', id: callId, name: flat, arguments: parseArguments(asString(item.arguments) ?? '') });
}

function decodeFunctionCallOutput(item: JsonObject, path: string, b: InputBuilder): void {
  const callId = item.call_id;
  if (typeof callId !== 'string' || callId === '') throw invalidRequest(`${path}.call_id is required and must be a string.`);
  const output = item.output;
  let content: ToolResultContent[];
  let isError = false;
  if (typeof output === 'string') {
    content = [{ type: 'text', text: output }];
  } else if (Array.isArray(output)) {
    content = [];
    for (let j = 0; j < output.length; j++) {
      const part: unknown = output[j];
      const partPath = `${path}.output[${j}]`;
      if (!isObject(part)) throw invalidRequest(`${partPath} must be an object.`);
      if (part.type === 'input_text' || part.type === 'output_text') {
        if (typeof part.text !== 'string') throw invalidRequest(`${partPath}.text must be a string.`);
        content.push({ type: 'text', text: part.text });
      } else if (part.type === 'input_image') {
        content.push(decodeInputImage(part, partPath));
      } else if (part.type === 'input_file') {
        content.push(decodeInputFile(part, partPath));
      } else {
        throw invalidRequest(`${partPath}.type must be one of input_text, input_image, input_file.`);
      }
    }
  } else if (isObject(output) && typeof output.content === 'string') {
    // Early Codex builds sent a failed call's output as {content, success:false}.
    content = [{ type: 'text', text: output.content }];
    if (output.success === false) isError = true;
  } else {
    throw invalidRequest(`${path}.output must be a string or an array of content parts.`);
  }
  const name = b.callNames.get(callId) ?? asString(item.name);
  const result: ToolResultPart = name ? { type: 'tool_result', callId, name, content } : { type: 'tool_result', callId, content };
  if (isError) result.isError = true;
  b.toolResult(result);
}

function decodeReasoningItem(item: JsonObject, path: string, b: InputBuilder): void {
  const encrypted = item.encrypted_content;
  if (encrypted != null && typeof encrypted !== 'string') throw invalidRequest(`${path}.encrypted_content must be a string.`);
  if (encrypted) {
    const carrier = readToolCallCarrier(encrypted);
    if (carrier) {
      (b.carriers ??= new Map()).set(carrier.callId, carrier.signature);
      return;
    }
  }
  const text = reasoningText(item);
  const signature = encrypted ? clientReasoningSignature(encrypted, asString(item.id)) : undefined;
  // Reasoning with neither text nor encrypted content carries nothing any upstream could use.
  if (!text && !signature) return;
  b.assistant(signature ? { type: 'thinking', text, signature, ...(text ? {} : { redacted: true }) } : { type: 'thinking', text });
}

function attachCarriers(messages: Message[], carriers: Map<string, Signature>): void {
  for (const m of messages) {
    if (m.role !== 'assistant') continue;
    for (const p of m.parts) {
      if (p.type === 'tool_call') {
        const sig = carriers.get(p.id);
        if (sig) p.signature = sig;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// tools

function decodeTools(raw: unknown): ToolDefinition[] {
  if (raw == null) return [];
  if (!Array.isArray(raw)) throw invalidRequest('tools must be an array.');
  const out: ToolDefinition[] = [];
  for (let i = 0; i < raw.length; i++) {
    const tool: unknown = raw[i];
    const path = `tools[${i}]`;
    if (!isObject(tool)) throw invalidRequest(`${path} must be an object.`);
    if (tool.type === 'function') {
      out.push(decodeFunctionTool(tool, path));
    } else if (tool.type === 'namespace') {
      const ns = tool.name;
      if (typeof ns !== 'string' || ns === '') throw invalidRequest(`${path}.name is required and must be a string.`);
      // Upstreams see one flat function per namespaced function (see tool-names.ts).
      if (!Array.isArray(tool.tools)) throw invalidRequest(`${path}.tools must be an array.`);
      for (let j = 0; j < tool.tools.length; j++) {
        const inner: unknown = tool.tools[j];
        if (isObject(inner) && inner.type === 'function') {
          const def = decodeFunctionTool(inner, `${path}.tools[${j}]`);
          def.name = flattenToolName(ns, def.name);
          out.push(def);
        }
      }
    }
    // web_search (Codex sends one), file_search, code_interpreter, mcp, image_generation, computer use,
    // local_shell, custom (free-form grammar) tools: they run on OpenAI's side or take raw text, and no
    // other upstream can run them, so they are dropped deliberately rather than failing the request.
  }
  return out;
}

function decodeFunctionTool(tool: JsonObject, path: string): ToolDefinition {
  const name = tool.name;
  if (typeof name !== 'string' || name === '') throw invalidRequest(`${path}.name is required and must be a string.`);
  if (tool.parameters != null && !isObject(tool.parameters)) throw invalidRequest(`${path}.parameters must be a JSON Schema object.`);
  const def: ToolDefinition = {
    name,
    parameters: isObject(tool.parameters) ? tool.parameters : { type: 'object', properties: {} },
  };
  const description = asString(tool.description);
  if (description) def.description = description;
  if (typeof tool.strict === 'boolean') def.strict = tool.strict;
  return def;
}

function decodeToolChoice(raw: unknown): ToolChoice | undefined {
  if (raw == null) return undefined;
  if (raw === 'auto' || raw === 'none' || raw === 'required') return { type: raw };
  if (!isObject(raw)) throw invalidRequest("tool_choice must be 'auto', 'none', 'required' or an object.");
  if (raw.type === 'function') {
    if (typeof raw.name !== 'string' || raw.name === '') throw invalidRequest('tool_choice.name is required for type function.');
    const ns = asString(raw.namespace);
    return { type: 'tool', name: ns ? flattenToolName(ns, raw.name) : raw.name };
  }
  // allowed_tools limits the choice to a subset; canonical can only say whether a call is required.
  if (raw.type === 'allowed_tools') return { type: raw.mode === 'required' ? 'required' : 'auto' };
  // A built-in tool (web_search, file_search, mcp, custom...) was dropped with its tool; let the model choose.
  return { type: 'auto' };
}

// ---------------------------------------------------------------------------------------------
// settings

function decodeReasoning(raw: unknown): ReasoningConfig | undefined {
  if (raw == null) return undefined;
  if (!isObject(raw)) throw invalidRequest('reasoning must be an object.');
  let effort: ReasoningEffort | undefined;
  if (raw.effort != null) {
    effort = parseEffort(raw.effort);
    if (!effort) throw invalidRequest('reasoning.effort must be one of none, minimal, low, medium, high, xhigh, max.');
  }
  // `summary: auto|concise|detailed` asks for reasoning summaries (Codex sends `summary: 'auto'`).
  const summary = raw.summary ?? raw.generate_summary;
  const config: ReasoningConfig = { enabled: effort !== 'none', includeThoughts: typeof summary === 'string' && summary !== 'none' };
  if (effort) config.effort = effort;
  return config;
}

function decodeTextFormat(text: unknown): ResponseFormat | undefined {
  if (text == null) return undefined;
  if (!isObject(text)) throw invalidRequest('text must be an object.');
  const format = text.format;
  if (format == null) return undefined;
  if (!isObject(format)) throw invalidRequest('text.format must be an object.');
  switch (format.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json' };
    case 'json_schema': {
      if (!isObject(format.schema)) throw invalidRequest('text.format.schema must be a JSON Schema object.');
      const out: ResponseFormat = { type: 'json_schema', schema: format.schema };
      const name = asString(format.name);
      if (name) out.name = name;
      if (typeof format.strict === 'boolean') out.strict = format.strict;
      const description = asString(format.description);
      if (description) out.description = description;
      return out;
    }
    default:
      throw invalidRequest('text.format.type must be one of text, json_object, json_schema.');
  }
}

function decodeNumber(value: unknown, field: string): number | undefined {
  if (value == null) return undefined;
  const n = asNumber(value);
  if (n === undefined) throw invalidRequest(`${field} must be a number.`);
  return n;
}

function decodeBoolean(value: unknown, field: string): boolean | undefined {
  if (value == null) return undefined;
  if (typeof value !== 'boolean') throw invalidRequest(`${field} must be a boolean.`);
  return value;
}

/** Responses-only settings; the Responses encoder reuses some, the others are recorded for logs. */
const EXTRA_FIELDS = [
  'store',
  'include',
  'metadata',
  'client_metadata',
  'prompt_cache_key',
  'prompt_cache_retention',
  'safety_identifier',
  'user',
  'service_tier',
  'truncation',
  'top_logprobs',
  'max_tool_calls',
] as const;

function decodeExtras(body: JsonObject): Record<string, unknown> | undefined {
  let extras: Record<string, unknown> | undefined;
  for (const field of EXTRA_FIELDS) {
    if (body[field] != null) (extras ??= {})[field] = body[field];
  }
  if (isObject(body.text) && typeof body.text.verbosity === 'string') (extras ??= {}).verbosity = body.text.verbosity;
  return extras;
}
