// Local Anthropic upstream: /v1/messages, /v1/messages/count_tokens, /v1/models with x-api-key +
// anthropic-version (compare test/fixtures/vendor-recordings/anthropic/*).
import { estimateTokens, finishOf, pieces, usageOf } from './brain.js';
import { anthropicError, anthropicInvalid, VendorRequestError } from './errors.js';
import { jsonObjectBody, startUpstream, type RequestContext, type VendorProtocol } from './http.js';
import { newId } from './ids.js';
import { mediaTypeOfUrl } from './openai-chat.js';
import { thinkingEnabled, validateMessagesRequest } from './anthropic-validate.js';
import { decideAnswer, sendVerbatim } from './script.js';
import type { Signatures } from './signatures.js';
import { frameEvents } from './sse.js';
import type { BrainReply, ConversationView, JsonObject, OfferedTool, Upstream, UpstreamOptions } from './types.js';

const DEFAULT_MODELS = ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001', 'claude-opus-4-1-20250805'];
/** 2023-06-01 is what Claude Code and most clients send; 2026-10-21 is what the installed SDK sends. */
const VERSIONS = ['2023-06-01', '2023-01-01', '2026-10-21'];

export function startAnthropicUpstream(opts: UpstreamOptions = {}): Promise<Upstream> {
  const protocol: VendorProtocol = {
    vendor: 'anthropic',
    keyOf(req) {
      if (typeof req.headers['x-api-key'] === 'string') return req.headers['x-api-key'];
      // The installed SDK sends its API key as a bearer token.
      return /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    },
    authenticate(key, req, validKeys) {
      if (!key) return anthropicError(401, 'x-api-key header is required');
      if (validKeys ? !validKeys.includes(key) : key.length === 0) return anthropicError(401, 'invalid x-api-key');
      const version = req.headers['anthropic-version'];
      if (version === undefined) return anthropicError(400, 'anthropic-version: header is required');
      if (typeof version !== 'string' || !VERSIONS.includes(version)) return anthropicError(400, `anthropic-version: invalid version "${String(version)}"`);
      return undefined;
    },
    notFound: () => anthropicError(404, 'Not Found'),
    faultReply(f) {
      const reply = anthropicError(f.status, f.message);
      if (f.retryAfter !== undefined) reply.headers = { ...reply.headers, 'retry-after': String(f.retryAfter) };
      return reply;
    },
    internalError: (message) => anthropicError(500, `Internal server error (${message})`),
    route(method, url) {
      const path = url.pathname;
      if (method === 'POST' && path === '/v1/messages') return (ctx) => messages(ctx);
      if (method === 'POST' && path === '/v1/messages/count_tokens') return (ctx) => countTokens(ctx);
      if (method === 'GET' && path === '/v1/models') return (ctx) => listModels(ctx);
      const one = /^\/v1\/models\/([^/]+)$/.exec(path);
      if (method === 'GET' && one) return (ctx) => getModel(ctx, decodeURIComponent(one[1]));
      return undefined;
    },
  };
  return startUpstream(protocol, opts);
}

const badJson = () => anthropicInvalid('There was an error parsing the body of your request. Please check that it is valid JSON.');

function validated(ctx: RequestContext, countTokens: boolean): JsonObject {
  const body = jsonObjectBody(ctx, badJson);
  const { signatures, options } = ctx.state;
  validateMessagesRequest(body, {
    countTokens,
    betas: (ctx.recorded.headers['anthropic-beta'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    onSignature(sig) {
      signatures.receive(sig);
      return options.verifySignatures === false || signatures.verifiable(sig);
    },
    unmodified: (sig, thinking) => options.verifySignatures === false || signatures.unmodified(sig, thinking),
  });
  const models = options.models;
  if (models && !models.includes(String(body.model))) {
    throw new VendorRequestError(anthropicError(404, `model: ${String(body.model)}`));
  }
  return body;
}

async function messages(ctx: RequestContext): Promise<void> {
  const body = validated(ctx, false);
  const view = anthropicView(body);
  const model = String(body.model);
  const stream = body.stream === true;
  const answer = await decideAnswer(ctx, { api: 'messages', model, stream, body, view });
  if (answer.kind !== 'reply') return sendVerbatim(ctx, answer);
  const content = contentBlocks(answer.reply, body, ctx.state.signatures);
  const headers = { 'request-id': newId('req_') };
  if (stream) {
    await ctx.responder.stream(200, frameEvents('anthropic', messageEvents(answer.reply, view, model, content)), headers);
  } else {
    ctx.responder.json(200, messageObject(answer.reply, view, model, content), headers);
  }
}

function countTokens(ctx: RequestContext): void {
  const body = validated(ctx, true);
  ctx.responder.json(200, { input_tokens: anthropicView(body).inputTokens });
}

// ---------- what the brain sees ----------

function blocks(content: unknown): JsonObject[] {
  return Array.isArray(content) ? (content as JsonObject[]) : [];
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  return blocks(content).filter((b) => b.type === 'text').map((b) => String(b.text)).join('');
}

export function anthropicView(body: JsonObject): ConversationView {
  const msgs = ((body.messages as JsonObject[]) ?? []).filter((m) => m.role !== 'system');
  const last = msgs[msgs.length - 1];
  const lastUser = [...msgs].reverse().find((m) => m.role === 'user');
  const inLastTurn = last?.role === 'user' ? blocks(last.content) : [];
  const toolResults = inLastTurn.filter((b) => b.type === 'tool_result').map((b) => textOf(b.content));
  const texts = lastUser ? (typeof lastUser.content === 'string' ? [lastUser.content] : blocks(lastUser.content).filter((b) => b.type === 'text').map((b) => String(b.text))) : [];
  const image = inLastTurn.find((b) => b.type === 'image');
  const source = (image?.source as JsonObject | undefined) ?? {};
  const tools: OfferedTool[] = blocks(body.tools)
    .filter((t) => t.input_schema !== undefined)
    .map((t) => ({ name: String(t.name), parameters: t.input_schema as JsonObject }));
  return {
    lastUserText: texts[texts.length - 1] ?? '',
    toolResults: toolResults.length > 0 ? toolResults : undefined,
    imageMediaType: image ? (typeof source.media_type === 'string' ? source.media_type : mediaTypeOfUrl(String(source.url ?? ''))) : undefined,
    tools,
    wantsThinking: thinkingEnabled(body),
    inputTokens: estimateTokens({ system: body.system, messages: body.messages, tools: body.tools }),
  };
}

// ---------- answers ----------

const STOP = { stop: 'end_turn', tool: 'tool_use', length: 'max_tokens' } as const;

/** The reply's content blocks; thinking comes first and carries a signature this upstream can later verify. */
function contentBlocks(reply: BrainReply, body: JsonObject, signatures: Signatures): JsonObject[] {
  const out: JsonObject[] = [];
  if (reply.thinking !== undefined) {
    // display: "omitted" returns the signature with empty thinking text.
    const omitted = (body.thinking as JsonObject | undefined)?.display === 'omitted';
    const thinking = omitted ? '' : reply.thinking;
    out.push({ type: 'thinking', thinking, signature: signatures.issue(thinking) });
  }
  if (reply.text !== undefined || !reply.toolCalls?.length) out.push({ type: 'text', text: reply.text ?? '' });
  for (const c of reply.toolCalls ?? []) out.push({ type: 'tool_use', id: c.id ?? newId('toolu_'), name: c.name, input: c.arguments });
  return out;
}

function usage(reply: BrainReply, view: ConversationView, outputTokens?: number): JsonObject {
  const u = usageOf(reply, view);
  return {
    input_tokens: u.input,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens ?? u.output,
    service_tier: 'standard',
  };
}

function messageObject(reply: BrainReply, view: ConversationView, model: string, content: JsonObject[], id = newId('msg_')): JsonObject {
  return {
    id, type: 'message', role: 'assistant', model, content,
    stop_reason: STOP[finishOf(reply)], stop_sequence: null, usage: usage(reply, view),
  };
}

/** message_start, then per block start/deltas/stop (ping after the first start), message_delta, message_stop. */
function messageEvents(reply: BrainReply, view: ConversationView, model: string, content: JsonObject[]): JsonObject[] {
  const events: JsonObject[] = [
    { type: 'message_start', message: { ...messageObject(reply, view, model, [], newId('msg_')), stop_reason: null, usage: usage(reply, view, 1) } },
  ];
  content.forEach((block, index) => {
    const delta = (d: JsonObject) => events.push({ type: 'content_block_delta', index, delta: d });
    const start = (contentBlock: JsonObject) => {
      events.push({ type: 'content_block_start', index, content_block: contentBlock });
      if (index === 0) events.push({ type: 'ping' }); // the API pings right after the first block opens
    };
    switch (block.type) {
      case 'thinking':
        start({ type: 'thinking', thinking: '', signature: '' });
        for (const p of pieces(block.thinking as string)) if (p) delta({ type: 'thinking_delta', thinking: p });
        delta({ type: 'signature_delta', signature: block.signature });
        break;
      case 'text':
        start({ type: 'text', text: '' });
        for (const p of pieces(block.text as string)) if (p) delta({ type: 'text_delta', text: p });
        break;
      case 'tool_use':
        start({ ...block, input: {} });
        delta({ type: 'input_json_delta', partial_json: '' });
        for (const p of pieces(JSON.stringify(block.input), 4)) delta({ type: 'input_json_delta', partial_json: p });
        break;
    }
    events.push({ type: 'content_block_stop', index });
  });
  const u = usage(reply, view) as { input_tokens: number; output_tokens: number };
  events.push({
    type: 'message_delta',
    delta: { stop_reason: STOP[finishOf(reply)], stop_sequence: null },
    usage: { input_tokens: u.input_tokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: u.output_tokens },
  });
  events.push({ type: 'message_stop' });
  return events;
}

// ---------- models ----------

function modelObject(id: string): JsonObject {
  return { type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' };
}

function listModels(ctx: RequestContext): void {
  const ids = ctx.state.options.models ?? DEFAULT_MODELS;
  ctx.responder.json(200, { data: ids.map(modelObject), has_more: false, first_id: ids[0] ?? null, last_id: ids[ids.length - 1] ?? null });
}

function getModel(ctx: RequestContext, id: string): void {
  const ids = ctx.state.options.models ?? DEFAULT_MODELS;
  if (!ids.includes(id)) throw new VendorRequestError(anthropicError(404, `model: ${id}`));
  ctx.responder.json(200, modelObject(id));
}
