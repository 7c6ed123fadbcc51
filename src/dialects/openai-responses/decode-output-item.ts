import type { Part, ThinkingPart, ToolCallPart } from '../../canonical/types.js';
import { asString, isObject, type JsonObject } from '../../util/json.js';
import type { OutputFacts } from './map-finish-reason.js';
import { parseArguments } from './parse-arguments.js';
import { upstreamReasoningSignature } from './reasoning-signature.js';
import { flattenToolName } from './tool-names.js';

// One upstream output item -> canonical parts. Shared by the JSON decoder and the stream decoder
// (which uses it for items that arrive only as a finished `response.output_item.done`).
// https://platform.openai.com/docs/api-reference/responses/object#responses/object-output

/** Joins summary_text / reasoning_text parts; summary parts are separate paragraphs. */
export function joinReasoningTexts(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  let out = '';
  for (const p of parts) {
    if (isObject(p) && typeof p.text === 'string' && p.text !== '') out = out ? `${out}\n\n${p.text}` : p.text;
  }
  return out;
}

/**
 * The reasoning text of an item: its summary, or the raw reasoning_text content that open-weight
 * servers (gpt-oss behind vLLM and the like) put in `content` instead.
 */
export function reasoningText(item: JsonObject): string {
  return joinReasoningTexts(item.summary) || joinReasoningTexts(item.content);
}

export function reasoningPart(item: JsonObject): ThinkingPart | undefined {
  const text = reasoningText(item);
  const encrypted = asString(item.encrypted_content);
  if (!text && !encrypted) return undefined;
  const part: ThinkingPart = { type: 'thinking', text };
  if (encrypted) {
    part.signature = upstreamReasoningSignature(asString(item.id), encrypted);
    if (!text) part.redacted = true;
  }
  return part;
}

/** The canonical tool name of a function_call item (namespaced calls are flattened). */
export function functionCallName(item: JsonObject): string {
  const name = asString(item.name) ?? '';
  const namespace = asString(item.namespace);
  return namespace ? flattenToolName(namespace, name) : name;
}

export function functionCallPart(item: JsonObject): ToolCallPart {
  return {
    type: 'tool_call',
    id: asString(item.call_id) ?? asString(item.id) ?? '',
    name: functionCallName(item),
    arguments: parseArguments(asString(item.arguments) ?? ''),
  };
}

/** Appends the item's parts; other item types (built-in tool calls, compaction...) are skipped. */
export function decodeOutputItem(item: unknown, parts: Part[], facts: OutputFacts): void {
  if (!isObject(item)) return;
  switch (item.type) {
    case 'message': {
      if (!Array.isArray(item.content)) return;
      for (const c of item.content) {
        if (!isObject(c)) continue;
        if (c.type === 'output_text' && typeof c.text === 'string' && c.text !== '') parts.push({ type: 'text', text: c.text });
        else if (c.type === 'refusal' && typeof c.refusal === 'string') {
          facts.refusal = true;
          if (c.refusal !== '') parts.push({ type: 'text', text: c.refusal });
        }
      }
      return;
    }
    case 'function_call':
      facts.toolCalls = true;
      parts.push(functionCallPart(item));
      return;
    case 'reasoning': {
      const part = reasoningPart(item);
      if (part) parts.push(part);
      return;
    }
    // web_search_call, file_search_call, code_interpreter_call, image_generation_call, mcp_*, shell/apply
    // patch/custom tool calls, compaction, program...: results of tools we never offer, or OpenAI-side
    // state with no canonical form.
    default:
      return;
  }
}
