import { invalidRequest } from '../../canonical/errors.js';
import { unwrapSignature } from '../../canonical/signature.js';
import type {
  CanonicalRequest,
  Message,
  Part,
  ResponseFormat,
  Signature,
  TextPart,
  ThinkingPart,
  ToolChoice,
  ToolDefinition,
  ToolResultContent,
} from '../../canonical/types.js';
import { isObject, type JsonObject } from '../../util/json.js';
import type { RequestContext } from '../codec.js';
import { HistoryCallIds } from './call-ids.js';
import { at, optArray, optNumber, optObj, optString, pick } from './json.js';
import { fromFileData, fromInlineData } from './media.js';
import { fromThinkingConfig } from './thinking-config.js';
import { toJsonSchema } from './to-json-schema.js';
import { DUMMY_SIGNATURES } from './wire.js';

// Gemini GenerateContentRequest (a client's body) -> canonical.
// https://ai.google.dev/api/generate-content#request-body
// The model and streaming come from the URL (`/v1beta/models/{model}:streamGenerateContent`).

export function decodeRequest(body: unknown, ctx: RequestContext): CanonicalRequest {
  if (!isObject(body)) throw invalidRequest('The request body must be a JSON object (a GenerateContentRequest).');
  const extras: JsonObject = {};
  const contents = optArray(body, '', 'contents');
  if (!contents) throw invalidRequest('contents is required: a list of {role, parts} turns');

  const req: CanonicalRequest = {
    model: modelOf(ctx, body),
    system: decodeSystem(pick(body, 'systemInstruction', 'system_instruction')),
    messages: decodeContents(contents),
    tools: decodeTools(body, extras),
    stream: ctx.pathStream ?? false,
    extras: {},
  };
  const toolChoice = decodeToolConfig(body, extras);
  if (toolChoice) req.toolChoice = toolChoice;
  decodeGenerationConfig(body, req, extras);

  for (const [camel, snake] of [
    ['safetySettings', 'safety_settings'],
    ['cachedContent', 'cached_content'],
    ['labels', 'labels'],
  ] as const) {
    const v = pick(body, camel, snake);
    if (v !== undefined) extras[camel] = v;
  }
  if (Object.keys(extras).length > 0) req.extras.gemini = extras;
  return req;
}

function modelOf(ctx: RequestContext, body: JsonObject): string {
  const raw = ctx.pathModel ?? (typeof body.model === 'string' ? body.model : undefined);
  if (!raw) throw invalidRequest('The model is missing: call /v1beta/models/{model}:generateContent.');
  return raw.replace(/^models\//, '');
}

function decodeSystem(v: unknown): TextPart[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return v ? [{ type: 'text', text: v }] : [];
  const parts = Array.isArray(v) ? v : isObject(v) ? (Array.isArray(v.parts) ? v.parts : [v]) : undefined;
  if (!parts) throw invalidRequest('systemInstruction must be a Content object ({parts: [{text}]}) or a string');
  const out: TextPart[] = [];
  parts.forEach((p, i) => {
    if (!isObject(p)) throw invalidRequest(`systemInstruction.parts[${i}] must be an object`);
    const text = optString(p, `systemInstruction.parts[${i}]`, 'text');
    if (text) out.push({ type: 'text', text });
  });
  return out;
}

/** A signature field the client sent back; Google's documented dummy values are not signatures. */
function readSignature(p: JsonObject, path: string): Signature | undefined {
  const raw = optString(p, path, 'thoughtSignature', 'thought_signature');
  if (raw === undefined || raw === '' || DUMMY_SIGNATURES.has(raw)) return undefined;
  return unwrapSignature(raw, 'gemini');
}

interface PendingCall {
  id: string;
  name: string;
}

function decodeContents(contents: unknown[]): Message[] {
  const messages: Message[] = [];
  const ids = new HistoryCallIds();
  // Calls of the latest model turn still waiting for their functionResponse, in order.
  let pending: PendingCall[] = [];
  let lastRole = '';

  contents.forEach((c, i) => {
    const path = `contents[${i}]`;
    if (!isObject(c)) throw invalidRequest(`${path} must be an object with role and parts`);
    const role = optString(c, path, 'role') ?? 'user';
    const parts = optArray(c, path, 'parts');
    if (!parts) throw invalidRequest(`${path}.parts is required`);
    if (role === 'model') {
      if (lastRole !== 'model') pending = [];
      messages.push({ role: 'assistant', parts: decodeModelParts(parts, path, ids, pending) });
    } else if (role === 'user' || role === 'function') {
      // 'function' is the role older clients gave to turns of functionResponse parts.
      messages.push({ role: 'user', parts: decodeUserParts(parts, path, ids, pending) });
    } else {
      throw invalidRequest(`${path}.role must be "user" or "model" (got ${JSON.stringify(role)})`);
    }
    lastRole = role === 'model' ? 'model' : 'user';
  });
  return messages;
}

function decodeModelParts(parts: unknown[], path: string, ids: HistoryCallIds, pending: PendingCall[]): Part[] {
  const out: Part[] = [];
  let ordinal = 0;
  // Consecutive thought parts are one thought that was streamed in pieces, with its signature on just
  // one piece (the first, or a trailing empty one: Google's streams and ours). They decode to one
  // thinking part, so the signature stays with the whole text it signs (Anthropic rejects a signed
  // thinking block whose text differs from what it returned).
  let thought: ThinkingPart | undefined;
  parts.forEach((p, j) => {
    const pp = `${path}.parts[${j}]`;
    if (!isObject(p)) throw invalidRequest(`${pp} must be an object`);
    const signature = readSignature(p, pp);
    if (p.thought !== true) thought = undefined;
    const call = optObj(p, pp, 'functionCall', 'function_call');
    if (call) {
      const cp = `${pp}.functionCall`;
      const name = optString(call, cp, 'name');
      if (!name) throw invalidRequest(`${cp}.name is required`);
      const args = optObj(call, cp, 'args') ?? {};
      const id = optString(call, cp, 'id') || ids.next(name, args, ordinal);
      ordinal++;
      out.push({ type: 'tool_call', id, name, arguments: args, ...(signature && { signature }) });
      pending.push({ id, name });
      return;
    }
    if (pick(p, 'functionResponse', 'function_response') !== undefined) {
      throw invalidRequest(`${pp}.functionResponse belongs in a "user" turn, not a "model" turn`);
    }
    const text = optString(p, pp, 'text');
    if (p.thought === true) {
      if (thought && !(thought.signature && signature)) {
        thought.text += text ?? '';
        if (signature) thought.signature = signature;
        return;
      }
      thought = { type: 'thinking', text: text ?? '', ...(signature && { signature }) };
      out.push(thought);
      return;
    }
    if (text !== undefined) {
      if (text !== '') out.push({ type: 'text', text });
      // A signature on a text part rides on an empty thinking part right after it (TextPart has no
      // signature field); the Gemini encoders put it back on the text part.
      if (signature) out.push({ type: 'thinking', text: '', signature });
      return;
    }
    const media = decodeMedia(p, pp);
    if (media) out.push(media);
    // executableCode / codeExecutionResult and other server-tool parts: no canonical meaning.
  });
  return out;
}

function decodeUserParts(parts: unknown[], path: string, ids: HistoryCallIds, pending: PendingCall[]): Part[] {
  const out: Part[] = [];
  parts.forEach((p, j) => {
    const pp = `${path}.parts[${j}]`;
    if (!isObject(p)) throw invalidRequest(`${pp} must be an object`);
    const response = optObj(p, pp, 'functionResponse', 'function_response');
    if (response) {
      out.push(decodeFunctionResponse(response, `${pp}.functionResponse`, ids, pending));
      return;
    }
    if (pick(p, 'functionCall', 'function_call') !== undefined) {
      throw invalidRequest(`${pp}.functionCall belongs in a "model" turn, not a "user" turn`);
    }
    const text = optString(p, pp, 'text');
    if (text !== undefined) {
      if (text !== '' && p.thought !== true) out.push({ type: 'text', text });
      return;
    }
    const media = decodeMedia(p, pp);
    if (media) out.push(media);
  });
  return out;
}

function decodeMedia(p: JsonObject, path: string): Part | undefined {
  const inline = optObj(p, path, 'inlineData', 'inline_data');
  if (inline) return fromInlineData(inline, `${path}.inlineData`);
  const file = optObj(p, path, 'fileData', 'file_data');
  if (file) return fromFileData(file, `${path}.fileData`);
  return undefined;
}

function decodeFunctionResponse(fr: JsonObject, path: string, ids: HistoryCallIds, pending: PendingCall[]): Part {
  const name = optString(fr, path, 'name');
  if (!name) throw invalidRequest(`${path}.name is required`);
  const id = optString(fr, path, 'id');
  // With an id, the result answers that call. Without one, Gemini pairs responses with the calls of
  // the previous model turn by name and order: take the first pending call of that name.
  let idx = id ? pending.findIndex((c) => c.id === id) : pending.findIndex((c) => c.name === name);
  if (idx < 0 && !id) idx = pending.length > 0 ? 0 : -1;
  const callId = id || (idx >= 0 ? pending[idx].id : ids.next(name, {}, 0));
  if (idx >= 0) pending.splice(idx, 1);

  const response = optObj(fr, path, 'response') ?? {};
  const { text, isError } = responseText(response);
  const content: ToolResultContent[] = text ? [{ type: 'text', text }] : [];
  // Multimodal function responses (Gemini 3): functionResponse.parts [{inlineData | fileData}].
  const extra = optArray(fr, path, 'parts');
  extra?.forEach((ep, k) => {
    if (!isObject(ep)) throw invalidRequest(`${path}.parts[${k}] must be an object`);
    const media = decodeMedia(ep, `${path}.parts[${k}]`);
    if (media && (media.type === 'image' || media.type === 'document')) content.push(media);
  });
  return { type: 'tool_result', callId, name, content, ...(isError && { isError }) };
}

/** `{output}` / `{error}` is the documented convention (Gemini CLI sends exactly that). */
function responseText(response: JsonObject): { text: string; isError: boolean } {
  const keys = Object.keys(response);
  const str = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if ('error' in response && !('output' in response)) return { text: str(response.error), isError: true };
  if (keys.length === 1 && (keys[0] === 'output' || keys[0] === 'content' || keys[0] === 'result')) {
    return { text: str(response[keys[0]]), isError: false };
  }
  return { text: keys.length === 0 ? '' : JSON.stringify(response), isError: false };
}

// ---- tools ------------------------------------------------------------------------------------

function decodeTools(body: JsonObject, extras: JsonObject): ToolDefinition[] {
  const tools = optArray(body, '', 'tools');
  if (!tools) return [];
  const out: ToolDefinition[] = [];
  const serverTools: JsonObject[] = [];
  tools.forEach((t, i) => {
    const path = `tools[${i}]`;
    if (!isObject(t)) throw invalidRequest(`${path} must be an object`);
    for (const key in t) {
      if (key === 'functionDeclarations' || key === 'function_declarations') continue;
      // googleSearch, codeExecution, urlContext, fileSearch, googleMaps, computerUse …: Google-hosted
      // tools no other upstream runs. Kept for a Gemini upstream only.
      serverTools.push({ [key]: t[key] });
    }
    const decls = optArray(t, path, 'functionDeclarations', 'function_declarations');
    decls?.forEach((d, j) => out.push(decodeDeclaration(d, `${path}.functionDeclarations[${j}]`)));
  });
  if (serverTools.length > 0) extras.serverTools = serverTools;
  return out;
}

function decodeDeclaration(d: unknown, path: string): ToolDefinition {
  if (!isObject(d)) throw invalidRequest(`${path} must be an object`);
  const name = optString(d, path, 'name');
  if (!name) throw invalidRequest(`${path}.name is required`);
  const description = optString(d, path, 'description');
  const jsonSchema = pick(d, 'parametersJsonSchema', 'parameters_json_schema');
  const schema = jsonSchema ?? d.parameters;
  if (schema !== undefined && schema !== null && !isObject(schema)) {
    throw invalidRequest(`${at(path, jsonSchema !== undefined ? 'parametersJsonSchema' : 'parameters')} must be a JSON Schema object`);
  }
  const parameters = isObject(schema) ? (toJsonSchema(schema) as JsonObject) : { type: 'object', properties: {} };
  return { name, ...(description !== undefined && { description }), parameters };
}

function decodeToolConfig(body: JsonObject, extras: JsonObject): ToolChoice | undefined {
  const tc = optObj(body, '', 'toolConfig', 'tool_config');
  if (!tc) return undefined;
  const rest: JsonObject = {};
  for (const k in tc) if (k !== 'functionCallingConfig' && k !== 'function_calling_config') rest[k] = tc[k];
  if (Object.keys(rest).length > 0) extras.toolConfig = rest; // retrievalConfig etc.

  const path = 'toolConfig.functionCallingConfig';
  const fcc = optObj(tc, 'toolConfig', 'functionCallingConfig', 'function_calling_config');
  if (!fcc) return undefined;
  const mode = optString(fcc, path, 'mode')?.toUpperCase();
  const allowed = (optArray(fcc, path, 'allowedFunctionNames', 'allowed_function_names') ?? []).filter(
    (n): n is string => typeof n === 'string',
  );
  switch (mode) {
    case 'AUTO':
    case 'VALIDATED': // calls are schema-checked, but calling stays optional
      return { type: 'auto' };
    case 'NONE':
      return { type: 'none' };
    case 'ANY':
      if (allowed.length === 1) return { type: 'tool', name: allowed[0] };
      // The canonical choice cannot name a subset of tools; a Gemini upstream gets it back.
      if (allowed.length > 1) extras.allowedFunctionNames = allowed;
      return { type: 'required' };
    default:
      return undefined;
  }
}

// ---- generationConfig ---------------------------------------------------------------------------

const KNOWN_CONFIG = new Set([
  'maxOutputTokens', 'max_output_tokens', 'temperature', 'topP', 'top_p', 'topK', 'top_k', 'seed',
  'candidateCount', 'candidate_count', 'presencePenalty', 'presence_penalty', 'frequencyPenalty',
  'frequency_penalty', 'stopSequences', 'stop_sequences', 'responseMimeType', 'response_mime_type',
  'responseSchema', 'response_schema', 'responseJsonSchema', 'response_json_schema', 'thinkingConfig',
  'thinking_config',
]);

function decodeGenerationConfig(body: JsonObject, req: CanonicalRequest, extras: JsonObject): void {
  const path = 'generationConfig';
  const gc = optObj(body, '', 'generationConfig', 'generation_config');
  if (!gc) return;
  const setNum = (key: 'maxTokens' | 'temperature' | 'topP' | 'topK' | 'seed' | 'n' | 'presencePenalty' | 'frequencyPenalty', camel: string, snake?: string) => {
    const v = optNumber(gc, path, camel, snake);
    if (v !== undefined) req[key] = v;
  };
  setNum('maxTokens', 'maxOutputTokens', 'max_output_tokens');
  setNum('temperature', 'temperature');
  setNum('topP', 'topP', 'top_p');
  setNum('topK', 'topK', 'top_k');
  setNum('seed', 'seed');
  setNum('n', 'candidateCount', 'candidate_count');
  setNum('presencePenalty', 'presencePenalty', 'presence_penalty');
  setNum('frequencyPenalty', 'frequencyPenalty', 'frequency_penalty');

  const stop = optArray(gc, path, 'stopSequences', 'stop_sequences');
  if (stop) {
    if (!stop.every((s) => typeof s === 'string')) throw invalidRequest(`${path}.stopSequences must be a list of strings`);
    req.stop = stop as string[];
  }

  const responseFormat = decodeResponseFormat(gc, path, extras);
  if (responseFormat) req.responseFormat = responseFormat;

  const reasoning = fromThinkingConfig(optObj(gc, path, 'thinkingConfig', 'thinking_config'), `${path}.thinkingConfig`);
  if (reasoning) req.reasoning = reasoning;

  const rest: JsonObject = {};
  for (const k in gc) if (!KNOWN_CONFIG.has(k)) rest[k] = gc[k];
  if (Object.keys(rest).length > 0) extras.generationConfig = rest; // responseModalities, speechConfig, …
}

function decodeResponseFormat(gc: JsonObject, path: string, extras: JsonObject): ResponseFormat | undefined {
  const mime = optString(gc, path, 'responseMimeType', 'response_mime_type');
  const jsonSchema = pick(gc, 'responseJsonSchema', 'response_json_schema');
  const schema = jsonSchema ?? pick(gc, 'responseSchema', 'response_schema');
  if (mime !== undefined && mime !== 'application/json' && mime !== 'text/plain') extras.responseMimeType = mime;
  if (schema !== undefined && schema !== null) {
    if (!isObject(schema)) {
      throw invalidRequest(`${path}.${jsonSchema !== undefined ? 'responseJsonSchema' : 'responseSchema'} must be a schema object`);
    }
    return { type: 'json_schema', schema: toJsonSchema(schema) as JsonObject };
  }
  if (mime === 'application/json') return { type: 'json' };
  return undefined;
}
