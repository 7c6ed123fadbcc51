// OpenAI Chat Completions: what the brain sees in a request, and the exact response / chunk formats
// (compare test/fixtures/vendor-recordings/openai-chat/*).
import { estimateTokens, finishOf, pieces, usageOf } from './brain.js';
import { newId } from './ids.js';
import { frameEvents } from './sse.js';
import type { Responder } from './sse.js';
import type { BrainReply, ConversationView, JsonObject, OfferedTool } from './types.js';

export function chatView(body: JsonObject): ConversationView {
  const messages = (body.messages as JsonObject[]) ?? [];
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  // The last turn is what follows the last assistant message: tool results, or a user message.
  const lastAssistant = messages.map((m) => m.role).lastIndexOf('assistant');
  const trailing = messages.slice(lastAssistant + 1);
  const toolResults = trailing.filter((m) => m.role === 'tool').map((m) => textOf(m.content));
  return {
    lastUserText: lastUser ? lastText(lastUser.content) : '',
    toolResults: toolResults.length > 0 ? toolResults : undefined,
    imageMediaType: lastUser && trailing.includes(lastUser) ? imageOf(lastUser.content) : undefined,
    tools: chatTools(body.tools),
    wantsThinking: false, // Chat Completions never returns reasoning text
    inputTokens: estimateTokens({ messages, tools: body.tools }),
  };
}

function chatTools(tools: unknown): OfferedTool[] {
  if (!Array.isArray(tools)) return [];
  return (tools as JsonObject[])
    .filter((t) => t.type === 'function' && typeof t.function === 'object')
    .map((t) => {
      const fn = t.function as JsonObject;
      return { name: String(fn.name), parameters: fn.parameters as JsonObject | undefined };
    });
}

function parts(content: unknown): JsonObject[] {
  return Array.isArray(content) ? (content as JsonObject[]) : [];
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  return parts(content).filter((p) => p.type === 'text').map((p) => String(p.text)).join('');
}

function lastText(content: unknown): string {
  if (typeof content === 'string') return content;
  const texts = parts(content).filter((p) => p.type === 'text');
  return texts.length > 0 ? String(texts[texts.length - 1].text) : '';
}

function imageOf(content: unknown): string | undefined {
  const image = parts(content).find((p) => p.type === 'image_url');
  if (!image) return undefined;
  const url = String((image.image_url as JsonObject | undefined)?.url ?? '');
  return mediaTypeOfUrl(url);
}

/** `data:image/png;base64,...` → image/png; a plain URL → by extension. */
export function mediaTypeOfUrl(url: string): string {
  const data = /^data:([^;,]+)/.exec(url);
  if (data) return data[1];
  const ext = /\.(png|jpe?g|gif|webp)(?:\?|$)/i.exec(url)?.[1]?.toLowerCase();
  return ext ? `image/${ext === 'jpg' ? 'jpeg' : ext}` : 'image/unknown';
}

const FINISH = { stop: 'stop', tool: 'tool_calls', length: 'length' } as const;

interface ChatIds {
  id: string;
  created: number;
  callIds: string[];
}

function idsFor(reply: BrainReply): ChatIds {
  return {
    id: newId('chatcmpl-'),
    created: Math.floor(Date.now() / 1000),
    callIds: (reply.toolCalls ?? []).map((c) => c.id ?? newId('call_')),
  };
}

function usageBlock(reply: BrainReply, view: ConversationView): JsonObject {
  const u = usageOf(reply, view);
  return {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.input + u.output,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.thinking, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export function chatCompletion(reply: BrainReply, view: ConversationView, model: string): JsonObject {
  const ids = idsFor(reply);
  const message: JsonObject = { role: 'assistant', content: reply.text ?? null, refusal: null, annotations: [] };
  if (reply.toolCalls?.length) {
    message.tool_calls = reply.toolCalls.map((c, i) => ({
      id: ids.callIds[i], type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments) },
    }));
  }
  return {
    id: ids.id,
    object: 'chat.completion',
    created: ids.created,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH[finishOf(reply)] }],
    usage: usageBlock(reply, view),
    service_tier: 'default',
    system_fingerprint: 'fp_local',
  };
}

/** Chunks in the order the API sends them: role first, content deltas, tool_call deltas by index, finish, usage. */
export function chatChunks(reply: BrainReply, view: ConversationView, model: string, body: JsonObject): JsonObject[] {
  const ids = idsFor(reply);
  const opts = (body.stream_options as JsonObject | null | undefined) ?? {};
  const includeUsage = opts.include_usage === true;
  const chunk = (choices: unknown[], extra: JsonObject = {}): JsonObject => ({
    id: ids.id,
    object: 'chat.completion.chunk',
    created: ids.created,
    model,
    service_tier: 'default',
    system_fingerprint: 'fp_local',
    choices,
    ...(includeUsage ? { usage: null } : {}),
    ...extra,
    ...(opts.include_obfuscation === false ? {} : { obfuscation: 'x'.repeat(4 + (extra.usage ? 3 : 0)) }),
  });
  const delta = (d: JsonObject, finish: string | null = null) => chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);

  const out: JsonObject[] = [];
  const calls = reply.toolCalls ?? [];
  if (reply.text !== undefined || calls.length === 0) {
    out.push(delta({ role: 'assistant', content: '', refusal: null }));
    for (const p of pieces(reply.text ?? '')) if (p) out.push(delta({ content: p }));
  }
  calls.forEach((c, i) => {
    const head = { index: i, id: ids.callIds[i], type: 'function', function: { name: c.name, arguments: '' } };
    out.push(delta(out.length === 0 ? { role: 'assistant', content: null, tool_calls: [head], refusal: null } : { tool_calls: [head] }));
    for (const p of pieces(JSON.stringify(c.arguments), 4)) out.push(delta({ tool_calls: [{ index: i, function: { arguments: p } }] }));
  });
  out.push(delta({}, FINISH[finishOf(reply)]));
  if (includeUsage) out.push(chunk([], { usage: usageBlock(reply, view) }));
  return out;
}

export async function sendChat(responder: Responder, reply: BrainReply, view: ConversationView, model: string, body: JsonObject): Promise<void> {
  if (body.stream === true) {
    await responder.stream(200, frameEvents('openai-chat', chatChunks(reply, view, model, body)), { 'x-request-id': newId('req_') });
  } else {
    responder.json(200, chatCompletion(reply, view, model), { 'x-request-id': newId('req_') });
  }
}
