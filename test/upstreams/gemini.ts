// Local Gemini upstream: /v1beta (and /v1) models, :generateContent, :streamGenerateContent (SSE with ?alt=sse,
// else a JSON array), :countTokens; key in x-goog-api-key or ?key= (compare test/fixtures/vendor-recordings/gemini/*).
import { estimateTokens, finishOf, pieces, usageOf } from './brain.js';
import { geminiError, geminiInvalid, geminiRateLimited, VendorRequestError, type ErrorReply } from './errors.js';
import { field, validateCountTokens, validateGenerateContent, type GeminiChecks } from './gemini-validate.js';
import { jsonObjectBody, startUpstream, type RequestContext, type VendorProtocol } from './http.js';
import { newId } from './ids.js';
import { decideAnswer, sendVerbatim } from './script.js';
import type { Signatures } from './signatures.js';
import { frameEvents } from './sse.js';
import type { BrainReply, ConversationView, JsonObject, OfferedTool, Upstream, UpstreamOptions } from './types.js';

const DEFAULT_MODELS = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-3-pro-preview', 'gemini-3-flash-preview'];

export function startGeminiUpstream(opts: UpstreamOptions = {}): Promise<Upstream> {
  const protocol: VendorProtocol = {
    vendor: 'gemini',
    keyOf(req, url) {
      const header = req.headers['x-goog-api-key'];
      return typeof header === 'string' ? header : url.searchParams.get('key') ?? undefined;
    },
    authenticate(key, _req, validKeys) {
      if (!key) {
        return geminiError(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
      }
      // Google answers a bad API key with 400 INVALID_ARGUMENT / API_KEY_INVALID, not 401.
      if (validKeys && !validKeys.includes(key)) return invalidKey();
      return undefined;
    },
    notFound: () => geminiError(404, 'Requested entity was not found.'),
    faultReply(f) {
      if (f.status === 429) return geminiRateLimited(f.retryAfter, f.message);
      const reply = geminiError(f.status, f.message);
      if (f.retryAfter !== undefined) reply.headers = { 'retry-after': String(f.retryAfter) };
      return reply;
    },
    internalError: (message) => geminiError(500, `An internal error has occurred. (${message})`),
    // v1beta, plus v1: the installed @google/genai calls /v1 by default; both take the same bodies here.
    route(method, url) {
      const path = url.pathname;
      const list = /^\/(v1beta|v1)\/models$/.exec(path);
      if (method === 'GET' && list) return (ctx) => listModels(ctx);
      const call = /^\/(v1beta|v1)\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(path);
      if (method === 'POST' && call) {
        const model = decodeURIComponent(call[2]);
        if (call[3] === 'countTokens') return (ctx) => countTokens(ctx, model, call[1]);
        return (ctx) => generate(ctx, model, call[1], call[3] === 'streamGenerateContent');
      }
      const one = /^\/(v1beta|v1)\/models\/([^/:]+)$/.exec(path);
      if (method === 'GET' && one) return (ctx) => getModel(ctx, decodeURIComponent(one[2]), one[1]);
      return undefined;
    },
  };
  return startUpstream(protocol, opts);
}

function invalidKey(): ErrorReply {
  const message = 'API key not valid. Please pass a valid API key.';
  return geminiError(400, message, [
    { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
    { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
  ]);
}

const badJson = () => geminiInvalid('Invalid JSON payload received. Unexpected token.');

function checksFor(ctx: RequestContext, model: string): GeminiChecks {
  const { signatures, options } = ctx.state;
  return {
    model,
    onSignature(sig) {
      signatures.receive(sig);
      return options.verifySignatures === false || signatures.verifiable(sig);
    },
  };
}

function modelNotFound(model: string, version: string, method: string): VendorRequestError {
  return new VendorRequestError(geminiError(404, `models/${model} is not found for API version ${version}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`));
}

function checkModel(ctx: RequestContext, model: string, version: string, method: string): void {
  const models = ctx.state.options.models;
  if (models && !models.includes(model)) throw modelNotFound(model, version, method);
}

async function generate(ctx: RequestContext, model: string, version: string, stream: boolean): Promise<void> {
  const body = jsonObjectBody(ctx, badJson);
  validateGenerateContent(body, checksFor(ctx, model));
  checkModel(ctx, model, version, stream ? 'streamGenerateContent' : 'generateContent');
  const view = geminiView(body);
  const sse = ctx.url.searchParams.get('alt') === 'sse';
  const answer = await decideAnswer(ctx, { api: 'generateContent', model, stream, body, view });
  if (answer.kind !== 'reply') return sendVerbatim(ctx, answer, sse);
  const parts = replyParts(answer.reply, model, ctx.state.signatures);
  const responseId = newId('');
  if (stream) {
    await ctx.responder.stream(200, frameEvents('gemini', streamChunks(answer.reply, view, model, parts, responseId), sse));
  } else {
    ctx.responder.json(200, responseBody(answer.reply, view, model, parts, responseId));
  }
}

function countTokens(ctx: RequestContext, model: string, version: string): void {
  const body = jsonObjectBody(ctx, badJson);
  validateCountTokens(body, checksFor(ctx, model));
  checkModel(ctx, model, version, 'countTokens');
  const inner = field(body, 'generateContentRequest');
  const tokens = geminiView(typeof inner === 'object' && inner !== null ? (inner as JsonObject) : body).inputTokens;
  ctx.responder.json(200, { totalTokens: tokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: tokens }] });
}

// ---------- what the brain sees ----------

function list(v: unknown): JsonObject[] {
  return Array.isArray(v) ? (v as JsonObject[]) : [];
}

/** A functionResponse's text: its single string field (output/result/content), else its JSON. */
function responseText(response: unknown): string {
  if (typeof response !== 'object' || response === null) return JSON.stringify(response ?? null);
  const r = response as JsonObject;
  for (const key of ['output', 'result', 'content']) if (typeof r[key] === 'string') return r[key] as string;
  return JSON.stringify(r);
}

export function geminiView(body: JsonObject): ConversationView {
  const contents = list(field(body, 'contents'));
  const last = contents[contents.length - 1];
  const isUser = (c: JsonObject | undefined) => !!c && field(c, 'role') !== 'model';
  const lastParts = isUser(last) ? list(field(last, 'parts')) : [];
  const toolResults = lastParts.map((p) => field(p, 'functionResponse')).filter((r) => r !== undefined).map((r) => responseText(field(r, 'response')));
  const lastUser = [...contents].reverse().find((c) => isUser(c) && list(field(c, 'parts')).some((p) => typeof p.text === 'string' && !p.thought));
  const texts = lastUser ? list(field(lastUser, 'parts')).filter((p) => typeof p.text === 'string' && !p.thought).map((p) => p.text as string) : [];
  const media = lastParts.map((p) => field(p, 'inlineData') ?? field(p, 'fileData')).find((d) => String(field(d, 'mimeType') ?? '').startsWith('image/'));
  const tools: OfferedTool[] = list(field(body, 'tools')).flatMap((t) => list(field(t, 'functionDeclarations'))).map((fd) => ({
    name: String(fd.name),
    parameters: (field(fd, 'parameters') ?? field(fd, 'parametersJsonSchema')) as JsonObject | undefined,
  }));
  const thinking = field(field(body, 'generationConfig'), 'thinkingConfig');
  return {
    lastUserText: texts[texts.length - 1] ?? '',
    toolResults: toolResults.length > 0 ? toolResults : undefined,
    imageMediaType: media ? String(field(media, 'mimeType')) : undefined,
    tools,
    wantsThinking: field(thinking, 'includeThoughts') === true,
    inputTokens: estimateTokens({ system: field(body, 'systemInstruction'), contents, tools: field(body, 'tools') }),
  };
}

// ---------- answers ----------

/**
 * Thought part first (when asked for), then text and function calls. A signature is attached to the first
 * functionCall part (where Gemini puts it, and where Gemini 3 demands it back), else to the first part;
 * Gemini 3 models always sign, older ones only when thoughts were requested.
 */
function replyParts(reply: BrainReply, model: string, signatures: Signatures): JsonObject[] {
  const parts: JsonObject[] = [];
  if (reply.thinking !== undefined) parts.push({ text: reply.thinking, thought: true });
  if (reply.text !== undefined || !reply.toolCalls?.length) parts.push({ text: reply.text ?? '' });
  for (const c of reply.toolCalls ?? []) parts.push({ functionCall: { name: c.name, args: c.arguments } });
  if (reply.thinking !== undefined || model.startsWith('gemini-3')) {
    const target = parts.find((p) => p.functionCall) ?? parts[0];
    target.thoughtSignature = signatures.issue();
  }
  return parts;
}

const FINISH = { stop: 'STOP', tool: 'STOP', length: 'MAX_TOKENS' } as const;

function usageMetadata(reply: BrainReply, view: ConversationView): JsonObject {
  const u = usageOf(reply, view);
  const candidates = Math.max(0, u.output - u.thinking);
  const meta: JsonObject = {
    promptTokenCount: u.input,
    candidatesTokenCount: candidates,
    totalTokenCount: u.input + u.output,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: u.input }],
  };
  if (u.thinking > 0) meta.thoughtsTokenCount = u.thinking;
  return meta;
}

function responseBody(reply: BrainReply, view: ConversationView, model: string, parts: JsonObject[], responseId: string): JsonObject {
  return {
    candidates: [{ content: { parts, role: 'model' }, finishReason: FINISH[finishOf(reply)], index: 0 }],
    usageMetadata: usageMetadata(reply, view),
    modelVersion: model,
    responseId,
  };
}

/** Text and thoughts arrive in pieces, function calls whole; the last chunk carries finishReason and final usage. */
function streamChunks(reply: BrainReply, view: ConversationView, model: string, parts: JsonObject[], responseId: string): JsonObject[] {
  const streamed: JsonObject[] = [];
  for (const part of parts) {
    if (typeof part.text === 'string' && part.text.length > 0 && part.thought !== true && part.thoughtSignature !== undefined) {
      // Streamed answer text: Google sends the pieces unsigned and the signature last, on an empty text
      // part (recordings google-reasoning*.chunks.txt, google-text.chunks.txt).
      for (const p of pieces(part.text)) streamed.push({ text: p });
      streamed.push({ text: '', thoughtSignature: part.thoughtSignature });
    } else if (typeof part.text === 'string' && part.text.length > 0) {
      pieces(part.text).forEach((p, i) => {
        const piece: JsonObject = { ...part, text: p };
        if (i > 0) delete piece.thoughtSignature; // the signature rides on the first piece only
        streamed.push(piece);
      });
    } else {
      streamed.push(part);
    }
  }
  const prompt = usageOf(reply, view).input;
  const finalUsage = usageMetadata(reply, view);
  return streamed.map((part, i) => {
    const lastChunk = i === streamed.length - 1;
    const chunk: JsonObject = {
      candidates: [{ content: { parts: [part], role: 'model' }, ...(lastChunk ? { finishReason: FINISH[finishOf(reply)] } : {}), index: 0 }],
      // Intermediate chunks report the prompt so far, like the API; the last one has the totals.
      usageMetadata: lastChunk ? finalUsage : { promptTokenCount: prompt, totalTokenCount: prompt, promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }] },
      modelVersion: model,
      responseId,
    };
    return chunk;
  });
}

// ---------- models ----------

function modelObject(id: string): JsonObject {
  return {
    name: `models/${id}`, version: '001', displayName: id, description: `Local stand-in for ${id}`,
    inputTokenLimit: 1_048_576, outputTokenLimit: 65_536,
    supportedGenerationMethods: ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
    temperature: 1, topP: 0.95, topK: 64, maxTemperature: 2, thinking: true,
  };
}

function listModels(ctx: RequestContext): void {
  ctx.responder.json(200, { models: (ctx.state.options.models ?? DEFAULT_MODELS).map(modelObject) });
}

function getModel(ctx: RequestContext, id: string, version: string): void {
  if (!(ctx.state.options.models ?? DEFAULT_MODELS).includes(id)) throw modelNotFound(id, version, 'get');
  ctx.responder.json(200, modelObject(id));
}
