import { signatureFor } from '../../canonical/signature.js';
import { stringifyArguments } from '../../canonical/tool-arguments.js';
import type {
  CanonicalRequest,
  Message,
  ReasoningConfig,
  ResponseFormat,
  ThinkingPart,
  ToolChoice,
  ToolResultPart,
} from '../../canonical/types.js';
import type { JsonObject } from '../../util/json.js';
import type { EncodeRequestContext } from '../codec.js';
import { encodeInputFile, encodeInputImage } from './media.js';
import { unpackReasoning } from './reasoning-signature.js';
import { DIALECT } from './wire.js';

// Canonical -> upstream POST /v1/responses body (providers configured with `responses: true`).
// https://platform.openai.com/docs/api-reference/responses/create
//
// Switchyard is stateless towards the upstream: the whole history goes in `input` and `store` is always
// false, so nothing depends on, or accumulates in, OpenAI's response store. Reasoning is replayed with
// its `encrypted_content` and original `rs_` id (see reasoning-signature.ts); function calls and
// messages go without item ids: canonical keeps none, and under store:false an id names nothing stored.

/** OpenAI rejects max_output_tokens below 16 (OpenAPI minimum); Anthropic clients send 1 for probes. */
const MIN_OUTPUT_TOKENS = 16;

export function encodeRequest(req: CanonicalRequest, ctx: EncodeRequestContext): Record<string, unknown> {
  const extras = req.extras[DIALECT];
  const input: JsonObject[] = [];
  let replaysReasoning = false;
  for (const m of req.messages) replaysReasoning = encodeMessage(m, input) || replaysReasoning;

  const body: Record<string, unknown> = { model: ctx.upstreamModel };
  const instructions = req.system.map((p) => p.text).join('\n\n');
  if (instructions) body.instructions = instructions;
  body.input = input;
  if (req.tools.length > 0) {
    body.tools = req.tools.map((t) => ({
      type: 'function',
      name: t.name,
      description: t.description ?? null,
      parameters: t.parameters,
      strict: t.strict ?? false,
    }));
  }
  if (req.toolChoice) body.tool_choice = encodeToolChoice(req.toolChoice);
  if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  if (req.maxTokens !== undefined) body.max_output_tokens = Math.max(MIN_OUTPUT_TOKENS, Math.round(req.maxTokens));
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;

  const reasoning = req.reasoning ? encodeReasoning(req.reasoning) : undefined;
  if (reasoning) body.reasoning = reasoning;
  const text = encodeText(req.responseFormat, extras?.verbosity);
  if (text) body.text = text;

  body.stream = req.stream;
  body.store = false;
  // Without store the reasoning survives only as encrypted content we must ask for. Non-reasoning
  // models reject this include, so it is only sent when reasoning is on or being replayed.
  if (replaysReasoning || (req.reasoning && req.reasoning.enabled)) body.include = ['reasoning.encrypted_content'];

  if (extras) {
    for (const field of ['prompt_cache_key', 'safety_identifier', 'metadata', 'service_tier', 'prompt_cache_retention'] as const) {
      if (extras[field] != null) body[field] = extras[field];
    }
  }
  // An end-user id from another dialect (Anthropic metadata.user_id can exceed safety_identifier's 64
  // characters) buckets the prompt cache per user, which is what the deprecated `user` field did.
  if (body.prompt_cache_key === undefined && body.safety_identifier === undefined && req.user) body.prompt_cache_key = req.user;
  return body;
}

/** Appends the message's input items; returns whether it replayed a reasoning item. */
function encodeMessage(m: Message, input: JsonObject[]): boolean {
  if (m.role === 'system') {
    // A system message mid-conversation stays in place as a developer message.
    const text = m.parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
    if (text) input.push({ type: 'message', role: 'developer', content: text });
    return false;
  }
  if (m.role === 'assistant') return encodeAssistant(m, input);

  let content: JsonObject[] = [];
  const flush = (): void => {
    if (content.length > 0) input.push({ type: 'message', role: 'user', content });
    content = [];
  };
  for (const p of m.parts) {
    if (p.type === 'text') content.push({ type: 'input_text', text: p.text });
    else if (p.type === 'image') content.push(encodeInputImage(p));
    else if (p.type === 'document') content.push(encodeInputFile(p));
    else if (p.type === 'tool_result') {
      flush();
      input.push(encodeToolResult(p));
    }
    // thinking / tool_call parts in a user message have no meaning and are dropped.
  }
  flush();
  return false;
}

function encodeAssistant(m: Message, input: JsonObject[]): boolean {
  let replayed = false;
  for (const p of m.parts) {
    switch (p.type) {
      case 'text':
        if (p.text) input.push({ type: 'message', role: 'assistant', content: p.text });
        break;
      case 'tool_call':
        input.push({ type: 'function_call', call_id: p.id, name: p.name, arguments: stringifyArguments(p.arguments) });
        break;
      case 'thinking': {
        const item = encodeReasoningItem(p);
        if (item) {
          input.push(item);
          replayed = true;
        }
        break;
      }
      // Images/documents in an assistant turn cannot be sent back as assistant content.
      default:
        break;
    }
  }
  return replayed;
}

/**
 * Only reasoning this dialect produced can be replayed: its encrypted content. Thinking from other
 * upstreams, or plain text without encrypted content, is dropped (input reasoning may not carry
 * plaintext content).
 */
function encodeReasoningItem(p: ThinkingPart): JsonObject | undefined {
  const value = signatureFor(p.signature, DIALECT);
  if (value === undefined) return undefined;
  const { id, encrypted } = unpackReasoning(value);
  const item: JsonObject = { type: 'reasoning' };
  if (id) item.id = id;
  item.summary = p.text && !p.redacted ? [{ type: 'summary_text', text: p.text }] : [];
  item.encrypted_content = encrypted;
  return item;
}

function encodeToolResult(p: ToolResultPart): JsonObject {
  // Responses has no error flag on tool output; the text says what went wrong.
  const textOnly = p.content.every((c) => c.type === 'text');
  const output = textOnly
    ? p.content.map((c) => (c.type === 'text' ? c.text : '')).join('')
    : p.content.map((c) => (c.type === 'text' ? { type: 'input_text', text: c.text } : c.type === 'image' ? encodeInputImage(c) : encodeInputFile(c)));
  return { type: 'function_call_output', call_id: p.callId, output };
}

function encodeToolChoice(choice: ToolChoice): unknown {
  return choice.type === 'tool' ? { type: 'function', name: choice.name } : choice.type;
}

function encodeReasoning(r: ReasoningConfig): JsonObject | undefined {
  if (!r.enabled) {
    // "No thinking": only an explicit effort is forwarded. Guessing one (`none` / `minimal`) fails on
    // the models that do not know it, and non-reasoning models reject the parameter altogether.
    return r.effort ? { effort: r.effort } : undefined;
  }
  const out: JsonObject = {};
  const effort = r.effort ?? effortForBudget(r.budgetTokens);
  if (effort) out.effort = effort;
  if (r.includeThoughts) out.summary = 'auto';
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A thinking budget (Anthropic budget_tokens, Gemini thinkingBudget) -> the nearest effort level. */
function effortForBudget(budget: number | undefined): string | undefined {
  if (budget === undefined) return undefined;
  if (budget <= 0) return 'minimal';
  if (budget < 4096) return 'low';
  if (budget < 16384) return 'medium';
  return 'high';
}

function encodeText(format: ResponseFormat | undefined, verbosity: unknown): JsonObject | undefined {
  const text: JsonObject = {};
  if (format?.type === 'text') text.format = { type: 'text' };
  else if (format?.type === 'json') text.format = { type: 'json_object' };
  else if (format?.type === 'json_schema') {
    const f: JsonObject = { type: 'json_schema', name: format.name ?? 'response', schema: format.schema };
    if (format.description) f.description = format.description;
    if (format.strict !== undefined) f.strict = format.strict;
    text.format = f;
  }
  if (typeof verbosity === 'string') text.verbosity = verbosity;
  return Object.keys(text).length > 0 ? text : undefined;
}
