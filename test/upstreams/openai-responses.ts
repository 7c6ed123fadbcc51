// OpenAI Responses: what the brain sees, the response object, and the typed event stream with
// sequence_number (compare test/fixtures/vendor-recordings/openai-responses/*).
import { estimateTokens, finishOf, pieces, usageOf } from './brain.js';
import { newId } from './ids.js';
import { mediaTypeOfUrl } from './openai-chat.js';
import { isReasoningModel } from './openai-validate.js';
import type { Signatures } from './signatures.js';
import type { BrainReply, ConversationView, JsonObject, OfferedTool } from './types.js';

const ASSISTANT_ITEMS = new Set(['function_call', 'custom_tool_call', 'reasoning']);

export function responsesView(body: JsonObject): ConversationView {
  const items: JsonObject[] = typeof body.input === 'string'
    ? [{ role: 'user', content: body.input }]
    : Array.isArray(body.input) ? (body.input as JsonObject[]) : [];
  const isAssistant = (i: JsonObject) => i.role === 'assistant' || (typeof i.type === 'string' && ASSISTANT_ITEMS.has(i.type));
  const lastAssistant = items.map(isAssistant).lastIndexOf(true);
  const trailing = items.slice(lastAssistant + 1);
  const toolResults = trailing
    .filter((i) => i.type === 'function_call_output' || i.type === 'custom_tool_call_output')
    .map((i) => outputText(i.output));
  const lastUser = [...items].reverse().find((i) => i.role === 'user');
  const reasoning = body.reasoning as JsonObject | null | undefined;
  return {
    lastUserText: lastUser ? lastText(lastUser.content) : '',
    toolResults: toolResults.length > 0 ? toolResults : undefined,
    imageMediaType: lastUser && trailing.includes(lastUser) ? imageOf(lastUser.content) : undefined,
    tools: responsesTools(body.tools),
    // Reasoning summaries come back only when asked for (and reasoning is not switched off).
    wantsThinking: !!reasoning && reasoning.summary != null && reasoning.effort !== 'none',
    inputTokens: estimateTokens({ instructions: body.instructions, input: body.input, tools: body.tools }),
  };
}

function responsesTools(tools: unknown): OfferedTool[] {
  if (!Array.isArray(tools)) return [];
  return (tools as JsonObject[])
    .filter((t) => t.type === 'function')
    .map((t) => ({ name: String(t.name), parameters: t.parameters as JsonObject | undefined }));
}

function contentParts(content: unknown): JsonObject[] {
  return Array.isArray(content) ? (content as JsonObject[]) : [];
}

function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  return contentParts(output).filter((p) => p.type === 'input_text').map((p) => String(p.text)).join('');
}

function lastText(content: unknown): string {
  if (typeof content === 'string') return content;
  const texts = contentParts(content).filter((p) => p.type === 'input_text');
  return texts.length > 0 ? String(texts[texts.length - 1].text) : '';
}

function imageOf(content: unknown): string | undefined {
  const image = contentParts(content).find((p) => p.type === 'input_image');
  if (!image) return undefined;
  return typeof image.image_url === 'string' ? mediaTypeOfUrl(image.image_url) : 'image/unknown';
}

/** Builds the output items of a reply (ids, signatures) once, for both the JSON and the streamed form. */
export function outputItems(reply: BrainReply, body: JsonObject, signatures: Signatures): JsonObject[] {
  const items: JsonObject[] = [];
  // Reasoning models reason whenever an effort is set; without a summary request the item's summary is empty.
  const reasoning = body.reasoning as JsonObject | null | undefined;
  const silentReasoning = isReasoningModel(String(body.model)) && typeof reasoning?.effort === 'string' && reasoning.effort !== 'none';
  if (reply.thinking !== undefined || silentReasoning) {
    const summary = reply.thinking !== undefined ? [{ type: 'summary_text', text: reply.thinking }] : [];
    const item: JsonObject = { id: newId('rs_'), type: 'reasoning', summary };
    // Like the API: encrypted reasoning is returned only when the request includes it.
    const include = Array.isArray(body.include) ? body.include : [];
    if (include.includes('reasoning.encrypted_content')) item.encrypted_content = signatures.issue();
    items.push(item);
  }
  if (reply.text !== undefined || !reply.toolCalls?.length) {
    items.push({
      id: newId('msg_'), type: 'message', status: 'completed', role: 'assistant',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text: reply.text ?? '' }],
    });
  }
  for (const c of reply.toolCalls ?? []) {
    items.push({
      id: newId('fc_'), type: 'function_call', status: 'completed',
      arguments: JSON.stringify(c.arguments), call_id: c.id ?? newId('call_'), name: c.name,
    });
  }
  return items;
}

export function responseObject(
  reply: BrainReply, view: ConversationView, body: JsonObject, id: string, createdAt: number, output: JsonObject[], done: boolean,
): JsonObject {
  const u = usageOf(reply, view);
  const reasoning = (body.reasoning as JsonObject | null | undefined) ?? {};
  const truncated = finishOf(reply) === 'length';
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: done ? (truncated ? 'incomplete' : 'completed') : 'in_progress',
    background: false,
    error: null,
    incomplete_details: done && truncated ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: body.max_tool_calls ?? null,
    model: body.model,
    output: done ? output : [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    safety_identifier: body.safety_identifier ?? null,
    service_tier: 'default',
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_logprobs: 0,
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: done
      ? {
          input_tokens: u.input,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: u.output,
          output_tokens_details: { reasoning_tokens: u.thinking },
          total_tokens: u.input + u.output,
        }
      : null,
    user: null,
    metadata: body.metadata ?? {},
  };
}

/** The typed event sequence: created, in_progress, per-item added/deltas/done, then completed (or incomplete). */
export function responseEvents(reply: BrainReply, view: ConversationView, body: JsonObject, id: string, createdAt: number, output: JsonObject[]): JsonObject[] {
  const events: JsonObject[] = [];
  const emit = (e: JsonObject) => events.push({ ...e, sequence_number: events.length });
  emit({ type: 'response.created', response: responseObject(reply, view, body, id, createdAt, output, false) });
  emit({ type: 'response.in_progress', response: responseObject(reply, view, body, id, createdAt, output, false) });
  output.forEach((item, outputIndex) => {
    const itemId = item.id as string;
    switch (item.type) {
      case 'reasoning': {
        emit({ type: 'response.output_item.added', output_index: outputIndex, item: { ...item, summary: [] } });
        const summary = item.summary as JsonObject[];
        if (summary.length === 0) break;
        const text = summary[0].text as string;
        emit({ type: 'response.reasoning_summary_part.added', item_id: itemId, output_index: outputIndex, summary_index: 0, part: { type: 'summary_text', text: '' } });
        for (const p of pieces(text)) emit({ type: 'response.reasoning_summary_text.delta', item_id: itemId, output_index: outputIndex, summary_index: 0, delta: p });
        emit({ type: 'response.reasoning_summary_text.done', item_id: itemId, output_index: outputIndex, summary_index: 0, text });
        emit({ type: 'response.reasoning_summary_part.done', item_id: itemId, output_index: outputIndex, summary_index: 0, part: { type: 'summary_text', text } });
        break;
      }
      case 'message': {
        const part = (item.content as JsonObject[])[0];
        const text = part.text as string;
        emit({ type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress', content: [] } });
        emit({ type: 'response.content_part.added', item_id: itemId, output_index: outputIndex, content_index: 0, part: { ...part, text: '' } });
        for (const p of pieces(text)) if (p) emit({ type: 'response.output_text.delta', item_id: itemId, output_index: outputIndex, content_index: 0, delta: p, logprobs: [] });
        emit({ type: 'response.output_text.done', item_id: itemId, output_index: outputIndex, content_index: 0, text, logprobs: [] });
        emit({ type: 'response.content_part.done', item_id: itemId, output_index: outputIndex, content_index: 0, part });
        break;
      }
      case 'function_call': {
        const args = item.arguments as string;
        emit({ type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress', arguments: '' } });
        for (const p of pieces(args, 4)) emit({ type: 'response.function_call_arguments.delta', item_id: itemId, output_index: outputIndex, delta: p });
        emit({ type: 'response.function_call_arguments.done', item_id: itemId, output_index: outputIndex, arguments: args });
        break;
      }
    }
    emit({ type: 'response.output_item.done', output_index: outputIndex, item });
  });
  const final = responseObject(reply, view, body, id, createdAt, output, true);
  emit({ type: final.status === 'incomplete' ? 'response.incomplete' : 'response.completed', response: final });
  return events;
}
