import { invalidRequest } from '../../canonical/errors.js';
import { signatureFor } from '../../canonical/signature.js';
import type { CanonicalRequest, Message, ResponseFormat, ToolResultPart } from '../../canonical/types.js';
import { isObject, type JsonObject } from '../../util/json.js';
import type { EncodeRequestContext } from '../codec.js';
import { withCallId } from './call-ids.js';
import { toArgsObject } from './function-args.js';
import { toGeminiMediaPart } from './media.js';
import { sanitizeSchema } from './sanitize-schema.js';
import { toThinkingConfig } from './thinking-config.js';
import { SKIP_SIGNATURE, type GeminiContent, type GeminiPart } from './wire.js';

// Canonical -> Gemini GenerateContentRequest for an upstream.
// https://ai.google.dev/api/generate-content#request-body
// https://ai.google.dev/gemini-api/docs/function-calling

/** Gemini accepts at most 5 stop sequences (a 400 otherwise). */
const MAX_STOP_SEQUENCES = 5;
const MISSING_RESULT = 'No result was returned for this function call.';

export function encodeRequest(req: CanonicalRequest, ctx: EncodeRequestContext): Record<string, unknown> {
  const extras = req.extras.gemini ?? {};
  const contents = encodeContents(req.messages);
  if (contents.length === 0) {
    throw invalidRequest('messages must contain at least one user or assistant message: Gemini needs a conversation to continue');
  }
  const body: Record<string, unknown> = { contents };
  if (req.system.length > 0) body.systemInstruction = { parts: req.system.map((t) => ({ text: t.text })) };

  const declarations = req.tools.map((t) => {
    const d: JsonObject = { name: t.name };
    if (t.description) d.description = t.description;
    // An argument-less tool sends no `parameters` ("properties: should be non-empty for OBJECT type").
    const parameters = sanitizeSchema(t.parameters, 'parameters');
    if (parameters) d.parameters = parameters;
    return d;
  });
  const tools: JsonObject[] = declarations.length > 0 ? [{ functionDeclarations: declarations }] : [];
  // Google-hosted tools a Gemini client declared (googleSearch, codeExecution, …) go back as they came.
  if (Array.isArray(extras.serverTools)) for (const t of extras.serverTools) if (isObject(t)) tools.push(t);
  if (tools.length > 0) body.tools = tools;

  const toolConfig = encodeToolConfig(req, extras, declarations.length > 0);
  if (toolConfig) body.toolConfig = toolConfig;

  const generationConfig = encodeGenerationConfig(req, ctx, extras);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;

  if (extras.safetySettings !== undefined) body.safetySettings = extras.safetySettings;
  if (extras.cachedContent !== undefined) body.cachedContent = extras.cachedContent;
  if (extras.labels !== undefined) body.labels = extras.labels;
  return body;
}

// ---- contents --------------------------------------------------------------------------------------

interface PendingResponse {
  callId: string;
  part: GeminiPart;
  /** For turning an orphan result into text. */
  name: string;
  text: string;
}

interface Turn {
  role: 'user' | 'model';
  parts: GeminiPart[];
  /** model turns: the function calls, in order. */
  calls: { id: string; name: string }[];
  /** user turns: functionResponse parts, placed and ordered when the turns are final. */
  responses: PendingResponse[];
}

function encodeContents(messages: Message[]): GeminiContent[] {
  const turns: Turn[] = [];
  const callNames = new Map<string, string>();

  // Gemini needs strictly alternating user/model turns: consecutive messages of one role merge.
  const turnFor = (role: 'user' | 'model'): Turn => {
    const last = turns[turns.length - 1];
    if (last && last.role === role) return last;
    const t: Turn = { role, parts: [], calls: [], responses: [] };
    turns.push(t);
    return t;
  };

  for (const m of messages) {
    if (m.role === 'assistant') {
      const parts: GeminiPart[] = [];
      const calls: Turn['calls'] = [];
      for (const p of m.parts) {
        switch (p.type) {
          case 'text':
            if (p.text !== '') parts.push({ text: p.text });
            break;
          case 'thinking': {
            // Only Gemini can read a Gemini signature; thought text without one means nothing to it.
            const sig = signatureFor(p.signature, 'gemini');
            if (sig === undefined) break;
            if (p.text === '') {
              // An empty thinking part carries the signature of the text part before it (decoders
              // split them because TextPart has no signature field): put it back there.
              const prev = parts[parts.length - 1];
              if (prev && prev.text !== undefined && !prev.thought && prev.thoughtSignature === undefined) prev.thoughtSignature = sig;
              else parts.push({ text: '', thoughtSignature: sig });
            } else {
              parts.push({ text: p.text, thought: true, thoughtSignature: sig });
            }
            break;
          }
          case 'tool_call': {
            callNames.set(p.id, p.name);
            calls.push({ id: p.id, name: p.name });
            const sig = signatureFor(p.signature, 'gemini');
            parts.push({
              functionCall: withCallId(p.id, { name: p.name, args: toArgsObject(p.arguments) }),
              ...(sig !== undefined && { thoughtSignature: sig }),
            });
            break;
          }
          case 'image':
          case 'document':
            parts.push(toGeminiMediaPart(p.source));
            break;
          default:
            break; // a tool_result in an assistant message has no place in a model turn
        }
      }
      if (parts.length > 0) {
        const t = turnFor('model');
        t.parts.push(...parts);
        t.calls.push(...calls);
      }
      continue;
    }

    // 'user', and 'system' messages from the middle of a conversation: Gemini has no system role in
    // `contents` and one position-less systemInstruction, so the instruction is folded into the
    // user turn where it was given (merging with the next user message), keeping its place in time.
    const parts: GeminiPart[] = [];
    const responses: PendingResponse[] = [];
    for (const p of m.parts) {
      switch (p.type) {
        case 'text':
          if (p.text !== '') parts.push({ text: p.text });
          break;
        case 'image':
        case 'document':
          parts.push(toGeminiMediaPart(p.source));
          break;
        case 'tool_result': {
          const r = encodeToolResult(p, callNames);
          responses.push(r.response);
          parts.push(...r.media);
          break;
        }
        default:
          break; // tool calls / thinking in a user message: nothing Gemini can take
      }
    }
    if (parts.length > 0 || responses.length > 0) {
      const t = turnFor('user');
      t.parts.push(...parts);
      t.responses.push(...responses);
    }
  }

  return turns.map((t, i) => {
    if (t.role === 'model') {
      // Gemini 3 rejects a function call turn whose first functionCall has no thought signature.
      // Calls from other models (or a client's own history) get Google's documented bypass value.
      // https://ai.google.dev/gemini-api/docs/thought-signatures
      const first = t.parts.find((p) => p.functionCall !== undefined);
      if (first && first.thoughtSignature === undefined) first.thoughtSignature = SKIP_SIGNATURE;
      return { role: 'model', parts: t.parts };
    }
    const prev = turns[i - 1];
    const { paired, orphans } = pairResponses(prev?.role === 'model' ? prev.calls : [], t.responses);
    // functionResponse parts first, then the rest of the user turn (text, media).
    return { role: 'user', parts: [...paired, ...orphans, ...t.parts] };
  });
}

function encodeToolResult(p: ToolResultPart, callNames: Map<string, string>): { response: PendingResponse; media: GeminiPart[] } {
  const name = callNames.get(p.callId) ?? p.name ?? 'tool';
  const texts: string[] = [];
  const media: GeminiPart[] = [];
  for (const c of p.content) {
    if (c.type === 'text') texts.push(c.text);
    // Media results follow the function responses as ordinary parts of the same user turn, which
    // every Gemini model accepts (functionResponse.parts exists only on Gemini 3).
    else media.push(toGeminiMediaPart(c.source));
  }
  const text = texts.join('\n');
  const part: GeminiPart = {
    functionResponse: withCallId(p.callId, { name, response: p.isError ? { error: text } : { output: text } }),
  };
  return { response: { callId: p.callId, part, name, text }, media };
}

/**
 * Gemini rejects a turn whose functionResponse parts do not answer, one for one, the functionCall
 * parts of the model turn just before it ("number of function response parts is equal to the number
 * of function call parts"). So responses are put in call order; a call left without a result gets an
 * error response (the client never ran it), and a result answering no call there becomes plain text.
 */
function pairResponses(
  calls: Turn['calls'],
  responses: PendingResponse[],
): { paired: GeminiPart[]; orphans: GeminiPart[] } {
  const left = [...responses];
  const paired: GeminiPart[] = [];
  for (const call of calls) {
    const k = left.findIndex((r) => r.callId === call.id);
    if (k >= 0) {
      paired.push(left[k].part);
      left.splice(k, 1);
    } else {
      paired.push({
        functionResponse: withCallId(call.id, { name: call.name, response: { error: MISSING_RESULT } }),
      });
    }
  }
  const orphans = left.map((r) => ({ text: `Result of ${r.name} (call ${r.callId}):\n${r.text}` }));
  return { paired, orphans };
}

// ---- tool config & generation config -------------------------------------------------------------

function encodeToolConfig(req: CanonicalRequest, extras: JsonObject, hasDeclarations: boolean): JsonObject | undefined {
  const out: JsonObject = Object.assign({}, isObject(extras.toolConfig) ? extras.toolConfig : undefined);
  // A function calling config without function declarations is a 400.
  const choice = hasDeclarations ? req.toolChoice : undefined;
  // parallelToolCalls has no Gemini counterpart: the model decides how many calls a turn makes.
  if (choice) {
    switch (choice.type) {
      case 'auto':
        out.functionCallingConfig = { mode: 'AUTO' };
        break;
      case 'none':
        out.functionCallingConfig = { mode: 'NONE' };
        break;
      case 'required': {
        const allowed = Array.isArray(extras.allowedFunctionNames) ? extras.allowedFunctionNames : undefined;
        out.functionCallingConfig = { mode: 'ANY', ...(allowed && { allowedFunctionNames: allowed }) };
        break;
      }
      case 'tool':
        out.functionCallingConfig = { mode: 'ANY', allowedFunctionNames: [choice.name] };
        break;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function encodeGenerationConfig(req: CanonicalRequest, ctx: EncodeRequestContext, extras: JsonObject): JsonObject {
  const gc: JsonObject = {};
  if (req.maxTokens !== undefined) gc.maxOutputTokens = req.maxTokens;
  if (req.temperature !== undefined) gc.temperature = req.temperature;
  if (req.topP !== undefined) gc.topP = req.topP;
  if (req.topK !== undefined) gc.topK = req.topK;
  if (req.stop && req.stop.length > 0) gc.stopSequences = req.stop.slice(0, MAX_STOP_SEQUENCES);
  if (req.seed !== undefined) gc.seed = req.seed;
  if (req.n !== undefined) gc.candidateCount = req.n;
  if (req.presencePenalty !== undefined) gc.presencePenalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) gc.frequencyPenalty = req.frequencyPenalty;
  encodeResponseFormat(req.responseFormat, gc);
  if (gc.responseMimeType === undefined && typeof extras.responseMimeType === 'string') gc.responseMimeType = extras.responseMimeType;
  const thinking = toThinkingConfig(ctx.upstreamModel, req.reasoning);
  if (thinking) gc.thinkingConfig = thinking;
  // What a Gemini client set that has no canonical meaning (responseModalities, speechConfig, …).
  if (isObject(extras.generationConfig)) for (const k in extras.generationConfig) if (!(k in gc)) gc[k] = extras.generationConfig[k];
  return gc;
}

function encodeResponseFormat(f: ResponseFormat | undefined, gc: JsonObject): void {
  if (!f || f.type === 'text') return;
  gc.responseMimeType = 'application/json';
  if (f.type === 'json_schema') {
    const schema = sanitizeSchema(f.schema, 'response');
    if (schema) gc.responseSchema = schema;
  }
}
