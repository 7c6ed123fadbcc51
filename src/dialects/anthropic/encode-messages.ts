import type { Message } from '../../canonical/types.js';
import { encodePart, textBlock } from './encode-content.js';
import type { EncodeContentOptions } from './encode-content.js';
import type { AnthropicContentBlock, AnthropicMessageParam, AnthropicRole, AnthropicToolResultBlock } from './wire.js';

// Canonical conversation -> Anthropic `messages`, shaped the way the API insists on:
// - strict user/assistant alternation, first turn from the user;
// - every tool_use answered by a tool_result in the very next user turn, tool_results first in it;
// - tool_use ids unique across the conversation.
// https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#handling-tool-use-and-tool-result-content-blocks

/** Builds the message list. Thinking-dependent clean-up of the final turn is `tidyFinalAssistant`. */
export function encodeMessages(messages: Message[], opts: EncodeContentOptions): AnthropicMessageParam[] {
  const merged = convertAndMerge(messages, opts);
  const placed = placeToolResults(merged);
  if (placed.length > 0 && placed[0].role === 'assistant') {
    // The API requires the conversation to open with a user turn.
    placed.unshift({ role: 'user', content: [{ type: 'text', text: '(continued)' }] });
  }
  return placed;
}

function pushMerged(out: AnthropicMessageParam[], role: AnthropicRole, content: AnthropicContentBlock[]): void {
  const last = out[out.length - 1];
  if (last && last.role === role) {
    for (const b of content) last.content.push(b);
  } else {
    out.push({ role, content });
  }
}

/**
 * Parts -> blocks, dropping what Anthropic cannot take, and merging consecutive same-role turns.
 * A mid-conversation system message is folded into the adjacent user turn as plain text: Anthropic's
 * instructions live in the top-level `system`, and older models answer `role: "system"` inside
 * `messages` with 400 "Unexpected role", while user text is accepted by every model. Moving it into
 * the top-level system instead would reorder it before the whole conversation and break caching.
 */
function convertAndMerge(messages: Message[], opts: EncodeContentOptions): AnthropicMessageParam[] {
  const out: AnthropicMessageParam[] = [];
  for (const m of messages) {
    const role: AnthropicRole = m.role === 'assistant' ? 'assistant' : 'user';
    const content: AnthropicContentBlock[] = [];
    for (const part of m.parts) {
      // Tool results belong to user turns and thinking to assistant turns; anywhere else is invalid.
      if (role === 'assistant' && part.type === 'tool_result') continue;
      if (role === 'user' && part.type === 'thinking') continue;
      const block = encodePart(part, opts);
      if (block) content.push(block);
    }
    if (content.length > 0) pushMerged(out, role, content);
  }
  return out;
}

interface ResultLoc {
  msg: number;
  block: AnthropicToolResultBlock;
}

/**
 * Moves each tool_result right after the assistant turn holding its tool_use (first in that user turn),
 * answers tool_uses that never got a result with an error result, renames duplicate tool_use ids, and
 * turns results with no matching tool_use into text (Anthropic rejects both orphans and gaps).
 */
function placeToolResults(msgs: AnthropicMessageParam[]): AnthropicMessageParam[] {
  const locs = new Map<string, ResultLoc[]>();
  let toolUses = 0;
  for (let i = 0; i < msgs.length; i++) {
    for (const b of msgs[i].content) {
      if (b.type === 'tool_result') {
        let list = locs.get(b.tool_use_id);
        if (!list) locs.set(b.tool_use_id, (list = []));
        list.push({ msg: i, block: b });
      } else if (b.type === 'tool_use') {
        toolUses++;
      }
    }
  }
  if (locs.size === 0 && toolUses === 0) return msgs;

  const consumed = new Set<AnthropicToolResultBlock>();
  const front = new Map<number, AnthropicToolResultBlock[]>();
  const usedIds = new Set<string>();
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (m.role !== 'assistant') continue;
    const answers: AnthropicToolResultBlock[] = [];
    for (const b of m.content) {
      if (b.type !== 'tool_use') continue;
      const original = b.id;
      let id = original;
      for (let n = 2; usedIds.has(id); n++) id = `${original}_${n}`;
      usedIds.add(id);
      b.id = id;
      const loc = locs.get(original)?.find((l) => l.msg > i && !consumed.has(l.block));
      if (loc) {
        consumed.add(loc.block);
        loc.block.tool_use_id = id;
        answers.push(loc.block);
      } else if (i + 1 < msgs.length) {
        answers.push({
          type: 'tool_result',
          tool_use_id: id,
          content: [{ type: 'text', text: 'No result was recorded for this tool call.' }],
          is_error: true,
        });
      }
    }
    if (answers.length > 0) front.set(i + 1, answers);
  }

  const out: AnthropicMessageParam[] = [];
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (m.role === 'assistant') {
      pushMerged(out, 'assistant', m.content);
      continue;
    }
    const content: AnthropicContentBlock[] = front.get(i) ?? [];
    for (const b of m.content) {
      if (b.type !== 'tool_result') content.push(b);
      else if (!consumed.has(b)) orphanToText(b, content);
    }
    if (content.length > 0) pushMerged(out, 'user', content);
  }
  return out;
}

function orphanToText(block: AnthropicToolResultBlock, out: AnthropicContentBlock[]): void {
  const texts = [`Result of tool call ${block.tool_use_id}${block.is_error ? ' (error)' : ''}:`];
  const media: AnthropicContentBlock[] = [];
  for (const c of block.content ?? []) {
    if (c.type === 'text') texts.push(c.text);
    else media.push(c);
  }
  out.push({ type: 'text', text: texts.join('\n') });
  for (const b of media) out.push(b);
}

/**
 * A final assistant turn is a prefill the model continues. Anthropic rejects it when it contains
 * thinking while thinking is off, when it ends with a thinking block, or when its text ends with
 * whitespace; an emptied turn is dropped.
 */
export function tidyFinalAssistant(msgs: AnthropicMessageParam[], thinkingOn: boolean): void {
  const last = msgs[msgs.length - 1];
  if (!last || last.role !== 'assistant') return;
  let content = thinkingOn
    ? last.content
    : last.content.filter((b) => b.type !== 'thinking' && b.type !== 'redacted_thinking');
  let end = content.length;
  while (end > 0 && (content[end - 1].type === 'thinking' || content[end - 1].type === 'redacted_thinking')) end--;
  if (end < content.length) content = content.slice(0, end);
  const tail = content[content.length - 1];
  if (tail && tail.type === 'text') {
    const trimmed = textBlock(tail.text.trimEnd(), tail.cache_control);
    content = trimmed ? [...content.slice(0, -1), trimmed] : content.slice(0, -1);
  }
  if (content.length === 0) msgs.pop();
  else last.content = content;
}
