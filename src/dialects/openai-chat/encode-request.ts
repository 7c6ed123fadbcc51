import type {
  CanonicalRequest,
  DocumentPart,
  ImagePart,
  Message,
  Part,
  ReasoningConfig,
  ResponseFormat,
  ToolChoice,
  ToolResultPart,
} from '../../canonical/types.js';
import { toDataUrl } from '../../canonical/data-url.js';
import { stringifyArguments } from '../../canonical/tool-arguments.js';
import { isObject } from '../../util/json.js';
import type { JsonObject } from '../../util/json.js';
import type { EncodeRequestContext } from '../codec.js';
import type {
  ChatAssistantMessage,
  ChatMessage,
  ChatTool,
  ChatToolCall,
  ChatToolChoice,
  ChatUserContentPart,
} from './wire.js';

// Canonical → Chat Completions request for an upstream (https://platform.openai.com/docs/api-reference/chat/create).
// The upstream may be OpenAI or any "OpenAI-compatible" server (DeepSeek, Kimi, vLLM, xAI,
// OpenRouter, …), so this sends only what the spec defines and every such server understands:
// plain-string content where possible, `system` (not `developer`) messages, no vendor extensions
// except `reasoning_content` on assistant turns that had thinking.

/**
 * OpenAI's own model names. Reasoning models (o1/o3/o4, gpt-5*) reject `max_tokens` and require
 * `max_completion_tokens`; every other current OpenAI chat model (gpt-4.1, gpt-4o, …) accepts it
 * too, so we send it to all OpenAI names. Compatible servers (older vLLM, many proxies) only know
 * `max_tokens`, which is therefore the default. An optional `openai/` prefix covers OpenRouter.
 */
const OPENAI_MODEL = /^(?:openai\/)?(?:o\d|gpt-[45]|chatgpt-|codex)/i;

/** OpenAI reasoning models (o-series, gpt-5 family; not gpt-5-chat, a chat model). */
const OPENAI_REASONING_MODEL = /^(?:openai\/)?(?:o\d|gpt-5(?!-chat))/i;

/** Whether `model` is an OpenAI reasoning model (no `max_tokens`, no sampling parameters). */
export function isOpenAIReasoningModel(model: string): boolean {
  return OPENAI_REASONING_MODEL.test(model);
}

export function isOpenAIModel(model: string): boolean {
  return OPENAI_MODEL.test(model) && !/gpt-oss/i.test(model); // gpt-oss runs on vLLM/Groq/… servers
}

/** OpenAI-only request fields from an openai-chat client, forwarded only to OpenAI models. */
const OPENAI_EXTRAS = [
  'logit_bias',
  'service_tier',
  'store',
  'metadata',
  'prediction',
  'web_search_options',
  'verbosity',
  'prompt_cache_key',
  'prompt_cache_retention',
  'safety_identifier',
] as const;
/** Compatible servers' own knobs, forwarded only to non-OpenAI models (OpenAI rejects unknown fields). */
const COMPATIBLE_EXTRAS = ['thinking', 'enable_thinking', 'chat_template_kwargs', 'min_p', 'repetition_penalty'] as const;

export function encodeRequest(req: CanonicalRequest, ctx: EncodeRequestContext): Record<string, unknown> {
  const model = ctx.upstreamModel;
  const openai = isOpenAIModel(model);
  const body: Record<string, unknown> = { model, messages: encodeMessages(req) };

  if (req.tools.length > 0) {
    body.tools = req.tools.map(
      (t): ChatTool => ({
        type: 'function',
        function: {
          name: t.name,
          ...(t.description !== undefined ? { description: t.description } : {}),
          parameters: t.parameters,
          // Only `true` is sent: `strict` is ignored or rejected by several compatible servers.
          ...(t.strict === true ? { strict: true } : {}),
        },
      }),
    );
    // tool_choice and parallel_tool_calls are rejected by OpenAI when no tools are given.
    if (req.toolChoice) body.tool_choice = encodeToolChoice(req.toolChoice);
    if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  }

  if (req.maxTokens !== undefined) body[openai ? 'max_completion_tokens' : 'max_tokens'] = req.maxTokens;
  // OpenAI's reasoning models take only the default sampling: any other top_p is "Unsupported parameter:
  // 'top_p' is not supported with this model", any other temperature a 400 too. Gemini CLI always sends
  // topP 0.95, so for them a translated client's sampling hints are dropped.
  const sampling = !isOpenAIReasoningModel(model);
  if (req.temperature !== undefined && sampling) body.temperature = req.temperature;
  if (req.topP !== undefined && sampling) body.top_p = req.topP;
  // topK: not in the Chat Completions spec (OpenAI rejects it); dropped deliberately.
  if (req.stop && req.stop.length > 0) body.stop = req.stop;
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.n !== undefined) body.n = req.n;
  if (req.presencePenalty !== undefined) body.presence_penalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) body.frequency_penalty = req.frequencyPenalty;
  if (req.responseFormat && req.responseFormat.type !== 'text') body.response_format = encodeResponseFormat(req.responseFormat);

  const extras = req.extras['openai-chat'];
  const effort = encodeReasoningEffort(req.reasoning) ?? (openai ? extras?.reasoning_effort : undefined);
  if (effort !== undefined) body.reasoning_effort = effort;

  if (req.stream) {
    body.stream = true;
    // Always ask for the usage chunk: stats and non-chat clients need token counts.
    body.stream_options = { include_usage: true };
  }
  if (req.user) body.user = req.user;

  if (extras) {
    for (const key of openai ? OPENAI_EXTRAS : COMPATIBLE_EXTRAS) {
      if (extras[key] !== undefined) body[key] = extras[key];
    }
    // An allowed_tools restriction (kept verbatim by our decoder) only means something to OpenAI.
    if (openai && body.tools && isAllowedTools(extras.tool_choice)) body.tool_choice = extras.tool_choice;
  }
  return body;
}

function isAllowedTools(v: unknown): boolean {
  return isObject(v) && v.type === 'allowed_tools';
}

// ---------------------------------------------------------------------------------------------
// Messages

function encodeMessages(req: CanonicalRequest): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (req.system.length > 0) {
    out.push({ role: 'system', content: joinText(req.system) });
  }
  for (const m of req.messages) {
    if (m.role === 'system') out.push({ role: 'system', content: joinText(m.parts) });
    else if (m.role === 'assistant') out.push(encodeAssistant(m));
    else encodeUser(m, out);
  }
  return out;
}

/**
 * System text blocks (Anthropic sends several) become one string: compatible servers' chat
 * templates often accept only string content for system messages.
 */
function joinText(parts: Part[]): string {
  let s = '';
  let first = true;
  for (const p of parts) {
    if (p.type !== 'text') continue;
    s += first ? p.text : `\n\n${p.text}`;
    first = false;
  }
  return s;
}

function encodeAssistant(m: Message): ChatAssistantMessage {
  let text = '';
  let reasoning: string | undefined;
  const calls: ChatToolCall[] = [];
  for (const p of m.parts) {
    if (p.type === 'text') text += p.text;
    else if (p.type === 'thinking') {
      // DeepSeek / Kimi in thinking mode reject a history whose assistant turns lack
      // `reasoning_content`; it is sent whenever the turn had thinking (redacted thinking has no
      // readable text, but the field must still be there).
      reasoning = (reasoning ?? '') + (p.redacted ? '' : p.text);
    } else if (p.type === 'tool_call') {
      calls.push({ id: p.id, type: 'function', function: { name: p.name, arguments: stringifyArguments(p.arguments) } });
    }
    // Images / documents in an assistant turn have no place in chat; dropped.
  }
  const msg: ChatAssistantMessage = { role: 'assistant', content: text || (calls.length > 0 ? null : '') };
  if (reasoning !== undefined) msg.reasoning_content = reasoning;
  if (calls.length > 0) msg.tool_calls = calls;
  return msg;
}

/**
 * A canonical user message may hold tool results and ordinary content. Chat wants each result as a
 * `tool` message right after the assistant turn, before any user message, and tool messages carry
 * text only; so: all `tool` messages first, then one user message with the results' images/documents
 * (each introduced by a note naming its call) followed by the rest of the user content.
 */
function encodeUser(m: Message, out: ChatMessage[]): void {
  const user: ChatUserContentPart[] = [];
  let onlyText = true;
  const push = (p: ChatUserContentPart): void => {
    if (p.type !== 'text') onlyText = false;
    user.push(p);
  };
  const rest: Part[] = [];
  for (const p of m.parts) {
    if (p.type === 'tool_result') encodeToolResult(p, out, push);
    else rest.push(p);
  }
  for (const p of rest) {
    if (p.type === 'text') push({ type: 'text', text: p.text });
    else if (p.type === 'image') push(encodeImage(p));
    else if (p.type === 'document') push(encodeDocument(p));
    // thinking / tool_call parts in a user turn are meaningless here; dropped.
  }
  if (user.length === 0) return;
  // Plain-text turns go out as a string, the form every compatible server accepts.
  out.push({ role: 'user', content: onlyText ? user.map((p) => (p as { text: string }).text).join('\n') : user });
}

function encodeToolResult(p: ToolResultPart, out: ChatMessage[], push: (p: ChatUserContentPart) => void): void {
  let text = '';
  let attachments = 0;
  for (const c of p.content) {
    if (c.type === 'text') text += text ? `\n${c.text}` : c.text;
    else attachments++;
  }
  out.push({ role: 'tool', tool_call_id: p.callId, content: text });
  if (attachments === 0) return;
  push({ type: 'text', text: `[Attachments returned by tool call ${p.callId}${p.name ? ` (${p.name})` : ''}]` });
  for (const c of p.content) {
    if (c.type === 'image') push(encodeImage(c));
    else if (c.type === 'document') push(encodeDocument(c));
  }
}

function encodeImage(p: ImagePart): ChatUserContentPart {
  const s = p.source;
  if (s.kind === 'file') return { type: 'file', file: { file_id: s.fileId } };
  const url = s.kind === 'base64' ? toDataUrl(s.mediaType, s.data) : s.url;
  return { type: 'image_url', image_url: p.detail ? { url, detail: p.detail } : { url } };
}

const EXT: Record<string, string> = { 'application/pdf': 'pdf', 'text/plain': 'txt', 'text/markdown': 'md', 'text/html': 'html', 'text/csv': 'csv' };

/**
 * Chat accepts files as base64 data (`file_data`, a data URL, with a filename) or an uploaded
 * `file_id`; it has no URL form, so a URL document is referenced in text. Plain-text documents
 * (Anthropic `text` sources) go in as text, which every model reads.
 */
function encodeDocument(p: DocumentPart): ChatUserContentPart {
  const s = p.source;
  const label = p.title ?? p.filename;
  if (s.kind === 'file') return { type: 'file', file: { file_id: s.fileId } };
  if (s.kind === 'url') return { type: 'text', text: `[Document${label ? ` "${label}"` : ''}: ${s.url}]` };
  if (s.mediaType.startsWith('text/')) {
    const text = Buffer.from(s.data, 'base64').toString('utf8');
    return { type: 'text', text: label ? `<document title="${label}">\n${text}\n</document>` : text };
  }
  const filename = p.filename ?? `${p.title ?? 'document'}.${EXT[s.mediaType] ?? 'bin'}`;
  return { type: 'file', file: { filename, file_data: toDataUrl(s.mediaType, s.data) } };
}

// ---------------------------------------------------------------------------------------------
// Parameters

function encodeToolChoice(c: ToolChoice): ChatToolChoice {
  return c.type === 'tool' ? { type: 'function', function: { name: c.name } } : c.type;
}

function encodeResponseFormat(rf: Exclude<ResponseFormat, { type: 'text' }>): JsonObject {
  if (rf.type === 'json') return { type: 'json_object' };
  const js: JsonObject = { name: rf.name ?? 'response', schema: rf.schema };
  if (rf.description !== undefined) js.description = rf.description;
  if (rf.strict !== undefined) js.strict = rf.strict;
  return { type: 'json_schema', json_schema: js };
}

/**
 * https://platform.openai.com/docs/api-reference/chat/create#chat-create-reasoning_effort
 * The spec now lists none/minimal/low/medium/high/xhigh/max, but only the newest OpenAI models take
 * xhigh and compatible servers (DeepSeek, xAI, vLLM) know low/medium/high at most: xhigh → high.
 * none/minimal pass as the spec spells them. A bare token budget (Anthropic/Gemini clients) maps by
 * thresholds. `enabled: false` without an effort sends nothing: which "off" value a model accepts
 * differs (gpt-5: minimal; gpt-5.1+: none; compatible servers: neither).
 */
export function encodeReasoningEffort(r: ReasoningConfig | undefined): string | undefined {
  if (!r) return undefined;
  if (r.effort) return r.effort === 'xhigh' ? 'high' : r.effort;
  if (!r.enabled || r.budgetTokens === undefined) return undefined;
  if (r.budgetTokens <= 2048) return 'low';
  if (r.budgetTokens <= 8192) return 'medium';
  return 'high';
}
