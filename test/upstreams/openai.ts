// Local OpenAI upstream: /v1/chat/completions, /v1/responses, /v1/models with Bearer auth.
import { openaiError, VendorRequestError, type ErrorReply } from './errors.js';
import { jsonObjectBody, startUpstream, type RequestContext, type VendorProtocol } from './http.js';
import { newId } from './ids.js';
import { chatView, sendChat } from './openai-chat.js';
import { outputItems, responseEvents, responseObject, responsesView } from './openai-responses.js';
import { emptyResponsesMemory, openaiBadJson, validateChatRequest, validateResponsesRequest, type ResponsesMemory } from './openai-validate.js';
import { decideAnswer, sendVerbatim } from './script.js';
import { frameEvents } from './sse.js';
import type { JsonObject, Upstream, UpstreamOptions } from './types.js';

const DEFAULT_MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-5', 'o3'];

export function startOpenAIUpstream(opts: UpstreamOptions = {}): Promise<Upstream> {
  const memory = emptyResponsesMemory();
  const protocol: VendorProtocol = {
    vendor: 'openai',
    keyOf(req) {
      const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
      return m ? m[1].trim() : undefined;
    },
    authenticate(key, _req, validKeys) {
      if (!key) {
        return openaiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.", { code: null });
      }
      if (validKeys && !validKeys.includes(key)) {
        return openaiError(401, `Incorrect API key provided: ${mask(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`);
      }
      return undefined;
    },
    notFound: (method, url) => openaiError(404, `Invalid URL (${method} ${url.pathname})`, { code: null }),
    faultReply(f) {
      const reply = openaiError(f.status, f.message);
      if (f.status === 429 && f.retryAfter !== undefined) {
        reply.headers = { ...reply.headers, 'retry-after': String(f.retryAfter), 'x-ratelimit-reset-requests': `${f.retryAfter}s` };
      }
      return reply;
    },
    internalError: (message) => openaiError(500, `The server had an error while processing your request. (${message})`),
    route(method, url) {
      const path = url.pathname;
      if (method === 'POST' && path === '/v1/chat/completions') return (ctx) => chat(ctx);
      if (method === 'POST' && path === '/v1/responses') return (ctx) => responses(ctx, memory);
      if (method === 'GET' && path === '/v1/models') return (ctx) => listModels(ctx);
      const one = /^\/v1\/models\/([^/]+)$/.exec(path);
      if (method === 'GET' && one) return (ctx) => getModel(ctx, decodeURIComponent(one[1]));
      return undefined;
    },
  };
  return startUpstream(protocol, opts);
}

function mask(key: string): string {
  return key.length <= 8 ? key : `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 30))}${key.slice(-4)}`;
}

function checkModel(ctx: RequestContext, model: unknown): void {
  const models = ctx.state.options.models;
  if (models && typeof model === 'string' && !models.includes(model)) {
    throw new VendorRequestError(openaiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, { code: 'model_not_found' }));
  }
}

async function chat(ctx: RequestContext): Promise<void> {
  const body = jsonObjectBody(ctx, openaiBadJson);
  validateChatRequest(body);
  checkModel(ctx, body.model);
  const view = chatView(body);
  const model = String(body.model);
  const answer = await decideAnswer(ctx, { api: 'chat.completions', model, stream: body.stream === true, body, view });
  if (answer.kind !== 'reply') return sendVerbatim(ctx, answer);
  await sendChat(ctx.responder, answer.reply, view, model, body);
}

async function responses(ctx: RequestContext, memory: ResponsesMemory): Promise<void> {
  const body = jsonObjectBody(ctx, openaiBadJson);
  const { signatures, options } = ctx.state;
  validateResponsesRequest(body, {
    memory,
    onEncryptedContent(value) {
      signatures.receive(value);
      return options.verifySignatures === false || signatures.verifiable(value);
    },
  });
  checkModel(ctx, body.model);
  const view = responsesView(body);
  const stream = body.stream === true;
  const answer = await decideAnswer(ctx, { api: 'responses', model: String(body.model), stream, body, view });
  if (answer.kind !== 'reply') return sendVerbatim(ctx, answer);

  const output = outputItems(answer.reply, body, signatures);
  const id = newId('resp_');
  remember(memory, body, id, output);
  const createdAt = Math.floor(Date.now() / 1000);
  const headers = { 'x-request-id': newId('req_') };
  if (stream) {
    await ctx.responder.stream(200, frameEvents('openai-responses', responseEvents(answer.reply, view, body, id, createdAt, output)), headers);
  } else {
    ctx.responder.json(200, responseObject(answer.reply, view, body, id, createdAt, output, true), headers);
  }
}

/** Stored responses can be continued with previous_response_id and their items referenced by id. */
function remember(memory: ResponsesMemory, body: JsonObject, id: string, output: JsonObject[]): void {
  if (body.store === false) return;
  const prev = typeof body.previous_response_id === 'string' ? memory.responses.get(body.previous_response_id) : undefined;
  const input: JsonObject[] = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : ((body.input as JsonObject[]) ?? []);
  memory.responses.set(id, { input: [...(prev ? [...prev.input, ...prev.output] : []), ...input], output });
  for (const item of output) memory.items.add(String(item.id));
}

function modelsOf(ctx: RequestContext): string[] {
  return ctx.state.options.models ?? DEFAULT_MODELS;
}

function modelObject(id: string): JsonObject {
  return { id, object: 'model', created: 1_700_000_000, owned_by: 'system' };
}

function listModels(ctx: RequestContext): void {
  ctx.responder.json(200, { object: 'list', data: modelsOf(ctx).map(modelObject) });
}

function getModel(ctx: RequestContext, id: string): void {
  if (!modelsOf(ctx).includes(id)) {
    const reply: ErrorReply = openaiError(404, `The model '${id}' does not exist`, { code: 'model_not_found', param: 'model' });
    throw new VendorRequestError(reply);
  }
  ctx.responder.json(200, modelObject(id));
}

