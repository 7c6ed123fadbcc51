import { nowSeconds, randomId } from '../../canonical/ids.js';
import type { ErrorInfo, PartStart, StreamEvent, Usage } from '../../canonical/types.js';
import type { StreamDecoder } from '../codec.js';
import type { SseEvent } from '../../util/sse.js';
import { asNumber, asString, isObject, type JsonObject } from '../../util/json.js';
import { functionCallName, reasoningText } from './decode-output-item.js';
import { errorInfoForCode } from './error-code.js';
import { finishReasonFor } from './map-finish-reason.js';
import { decodeUsage } from './map-usage.js';
import { upstreamReasoningSignature } from './reasoning-signature.js';

// Upstream Responses SSE stream -> canonical stream events.
// https://platform.openai.com/docs/api-reference/responses-streaming
//
// State is keyed by `output_index`, never by `item_id`: GitHub Copilot's Responses endpoint sends a
// different item_id on every event of the same item (recording github-copilot-id-rotation).

interface TextSlot {
  part: number;
  /** Text sent so far, to reconcile with the `.done` events when deltas went missing. */
  sent: string;
  open: boolean;
}

interface ItemState {
  type: 'message' | 'reasoning' | 'function_call' | 'other';
  /** message: one canonical text part per content_index. */
  contents?: Map<number, TextSlot>;
  /** reasoning / function_call: the canonical part once started. */
  slot?: TextSlot;
  /** reasoning: last summary_index seen, to separate summary parts with a blank line. */
  summaryIndex?: number;
  done?: boolean;
}

const ENDED_EARLY = 'upstream stream ended before the response was complete';

export class ResponsesStreamDecoder implements StreamDecoder {
  private started = false;
  private finished = false;
  private nextPart = 0;
  private readonly items = new Map<number, ItemState>();
  private toolCalls = false;
  private refusal = false;

  push(sse: SseEvent): StreamEvent[] {
    if (this.finished) return [];
    let data: unknown;
    try {
      data = JSON.parse(sse.data);
    } catch {
      // Not JSON (a `[DONE]` some compatible servers add, or a broken line): nothing to translate. A
      // stream that never reaches its terminal event still ends in an error from end().
      return [];
    }
    if (!isObject(data)) return [];
    const type = asString(data.type) ?? sse.event;
    const out: StreamEvent[] = [];

    switch (type) {
      case 'response.created':
      case 'response.in_progress':
      case 'response.queued':
        this.ensureStarted(out, data.response);
        break;
      case 'response.output_item.added':
        this.ensureStarted(out);
        this.itemAdded(data, out);
        break;
      case 'response.content_part.added':
        this.ensureStarted(out);
        this.contentPartAdded(data);
        break;
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        this.ensureStarted(out);
        if (type === 'response.refusal.delta') this.refusal = true;
        this.textDelta(data, out);
        break;
      case 'response.output_text.done':
      case 'response.refusal.done':
        this.textDone(data, type === 'response.refusal.done' ? data.refusal : data.text, out);
        break;
      case 'response.content_part.done':
        this.contentPartDone(data, out);
        break;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        this.ensureStarted(out);
        this.reasoningDelta(data, type === 'response.reasoning_summary_text.delta' ? data.summary_index : data.content_index, out);
        break;
      case 'response.function_call_arguments.delta':
        this.ensureStarted(out);
        this.argumentsDelta(data, out);
        break;
      case 'response.output_item.done':
        this.ensureStarted(out);
        this.itemDone(data, out);
        break;
      case 'response.completed':
      case 'response.incomplete':
        this.ensureStarted(out, data.response);
        this.complete(data.response, out);
        break;
      case 'response.failed':
        this.ensureStarted(out, data.response);
        this.fail(isObject(data.response) && isObject(data.response.error) ? data.response.error : {}, out);
        break;
      case 'error':
        // OpenAI sends {type:'error', error:{code,message}} then response.failed; the documented shape
        // is flat {type:'error', code, message}. The first one seen wins.
        this.ensureStarted(out);
        this.fail(isObject(data.error) ? data.error : data, out);
        break;
      // reasoning_summary_part.added/done, function_call_arguments.done, annotation events, built-in
      // tool progress events: nothing canonical to say (the `.done` item carries the final values).
      default:
        break;
    }
    return out;
  }

  end(): StreamEvent[] {
    if (this.finished) return [];
    this.finished = true;
    return [{ type: 'error', error: { kind: 'upstream_error', status: 502, message: ENDED_EARLY } }];
  }

  // -------------------------------------------------------------------------------------------

  private ensureStarted(out: StreamEvent[], response?: unknown): void {
    if (this.started) return;
    this.started = true;
    const r = isObject(response) ? response : {};
    out.push({
      type: 'start',
      id: asString(r.id) ?? randomId('resp_'),
      model: asString(r.model) ?? '',
      created: asNumber(r.created_at) ?? nowSeconds(),
    });
  }

  private item(data: JsonObject, fallback: ItemState['type']): ItemState | undefined {
    const index = asNumber(data.output_index);
    if (index === undefined) return undefined;
    let state = this.items.get(index);
    if (!state) {
      // An event for an item whose `output_item.added` never came: start it from what we see.
      state = { type: fallback };
      this.items.set(index, state);
    }
    return state;
  }

  private openSlot(out: StreamEvent[], start: PartStart): TextSlot {
    const slot: TextSlot = { part: this.nextPart++, sent: '', open: true };
    out.push({ type: 'part_start', index: slot.part, part: start });
    return slot;
  }

  private closeSlot(slot: TextSlot | undefined, out: StreamEvent[]): void {
    if (slot?.open) {
      slot.open = false;
      out.push({ type: 'part_end', index: slot.part });
    }
  }

  private itemAdded(data: JsonObject, out: StreamEvent[]): void {
    const index = asNumber(data.output_index);
    const item = data.item;
    if (index === undefined || !isObject(item)) return;
    const type = item.type === 'message' || item.type === 'reasoning' || item.type === 'function_call' ? item.type : 'other';
    const state: ItemState = { type };
    this.items.set(index, state);
    if (type === 'function_call') {
      this.toolCalls = true;
      state.slot = this.openSlot(out, { type: 'tool_call', id: asString(item.call_id) ?? asString(item.id) ?? '', name: functionCallName(item) });
      // Some servers send the whole arguments already here.
      const args = asString(item.arguments);
      if (args) this.sendArgs(state.slot, args, out);
    }
    // Message text parts start at their first text; reasoning at its first text (or at done, when it
    // carries only encrypted content).
  }

  /** The text part for a message content index; started at its first text so empty parts never appear. */
  private textSlot(data: JsonObject, out: StreamEvent[], create: boolean): TextSlot | undefined {
    const state = this.item(data, 'message');
    if (!state || state.type !== 'message') return undefined;
    const contentIndex = asNumber(data.content_index) ?? 0;
    state.contents ??= new Map();
    let slot = state.contents.get(contentIndex);
    if (!slot && create) {
      slot = this.openSlot(out, { type: 'text' });
      state.contents.set(contentIndex, slot);
    }
    return slot;
  }

  private contentPartAdded(data: JsonObject): void {
    if (isObject(data.part) && data.part.type === 'refusal') this.refusal = true;
  }

  private textDelta(data: JsonObject, out: StreamEvent[]): void {
    const delta = asString(data.delta);
    if (!delta) return;
    const slot = this.textSlot(data, out, true);
    if (!slot?.open) return;
    slot.sent += delta;
    out.push({ type: 'text_delta', index: slot.part, text: delta });
  }

  /** Sends what a `.done` text has beyond the deltas (some servers send only the `.done`). */
  private catchUp(slot: TextSlot, full: string, kind: 'text_delta' | 'thinking_delta', out: StreamEvent[]): void {
    if (full.length > slot.sent.length && full.startsWith(slot.sent)) {
      const rest = full.slice(slot.sent.length);
      slot.sent = full;
      out.push({ type: kind, index: slot.part, text: rest });
    }
  }

  private textDone(data: JsonObject, text: unknown, out: StreamEvent[]): void {
    if (typeof text !== 'string' || text === '') return;
    const slot = this.textSlot(data, out, true);
    if (slot?.open) this.catchUp(slot, text, 'text_delta', out);
  }

  private contentPartDone(data: JsonObject, out: StreamEvent[]): void {
    const part = data.part;
    const full = isObject(part) ? (part.type === 'refusal' ? part.refusal : part.text) : undefined;
    const slot = this.textSlot(data, out, typeof full === 'string' && full !== '');
    if (!slot) return;
    if (typeof full === 'string' && slot.open) this.catchUp(slot, full, 'text_delta', out);
    this.closeSlot(slot, out);
  }

  private reasoningDelta(data: JsonObject, subIndex: unknown, out: StreamEvent[]): void {
    const delta = asString(data.delta);
    const state = this.item(data, 'reasoning');
    if (!delta || !state || state.type !== 'reasoning') return;
    state.slot ??= this.openSlot(out, { type: 'thinking' });
    if (!state.slot.open) return;
    const index = asNumber(subIndex) ?? 0;
    let text = delta;
    // A new summary part is a new paragraph, as joinReasoningTexts joins them.
    if (state.summaryIndex !== undefined && index !== state.summaryIndex && state.slot.sent !== '') text = `\n\n${delta}`;
    state.summaryIndex = index;
    state.slot.sent += text;
    out.push({ type: 'thinking_delta', index: state.slot.part, text });
  }

  private sendArgs(slot: TextSlot, json: string, out: StreamEvent[]): void {
    slot.sent += json;
    out.push({ type: 'tool_args_delta', index: slot.part, json });
  }

  private argumentsDelta(data: JsonObject, out: StreamEvent[]): void {
    const delta = asString(data.delta);
    const state = this.item(data, 'function_call');
    if (!delta || !state || state.type !== 'function_call') return;
    if (!state.slot) {
      // Arguments for a call whose output_item.added went missing: name and id arrive only at done.
      this.toolCalls = true;
      state.slot = this.openSlot(out, { type: 'tool_call', id: asString(data.call_id) ?? asString(data.item_id) ?? '', name: '' });
    }
    if (state.slot.open) this.sendArgs(state.slot, delta, out);
  }

  private itemDone(data: JsonObject, out: StreamEvent[]): void {
    const index = asNumber(data.output_index);
    const item = data.item;
    if (index === undefined || !isObject(item)) return;
    let state = this.items.get(index);
    if (!state) {
      state = { type: item.type === 'message' || item.type === 'reasoning' || item.type === 'function_call' ? item.type : 'other' };
      this.items.set(index, state);
    }
    if (state.done) return;
    state.done = true;

    if (item.type === 'message') {
      const content = Array.isArray(item.content) ? item.content : [];
      for (let i = 0; i < content.length; i++) {
        const c: unknown = content[i];
        if (!isObject(c)) continue;
        const text = c.type === 'output_text' ? c.text : c.type === 'refusal' ? c.refusal : undefined;
        if (typeof text !== 'string') continue;
        if (c.type === 'refusal') this.refusal = true;
        const slot = this.textSlot({ output_index: index, content_index: i }, out, text !== '');
        if (slot?.open) this.catchUp(slot, text, 'text_delta', out);
      }
      for (const slot of state.contents?.values() ?? []) this.closeSlot(slot, out);
    } else if (item.type === 'reasoning') {
      const text = reasoningText(item);
      const encrypted = asString(item.encrypted_content);
      if (!state.slot && (text || encrypted)) state.slot = this.openSlot(out, text ? { type: 'thinking' } : { type: 'thinking', redacted: true });
      if (!state.slot) return;
      if (state.slot.open) {
        if (text) this.catchUp(state.slot, text, 'thinking_delta', out);
        // The done item carries the final encrypted content (it differs from the one in `.added`).
        if (encrypted) out.push({ type: 'signature', index: state.slot.part, signature: upstreamReasoningSignature(asString(item.id), encrypted) });
      }
      this.closeSlot(state.slot, out);
    } else if (item.type === 'function_call') {
      this.toolCalls = true;
      state.slot ??= this.openSlot(out, { type: 'tool_call', id: asString(item.call_id) ?? asString(item.id) ?? '', name: functionCallName(item) });
      if (state.slot.open) {
        const args = asString(item.arguments) ?? '';
        if (state.slot.sent === '') this.sendArgs(state.slot, args || '{}', out);
        else if (args.length > state.slot.sent.length && args.startsWith(state.slot.sent)) this.sendArgs(state.slot, args.slice(state.slot.sent.length), out);
      }
      this.closeSlot(state.slot, out);
    }
    // Other item types (built-in tool calls, compaction...) are skipped.
  }

  private closeAll(out: StreamEvent[]): void {
    const open: TextSlot[] = [];
    for (const state of this.items.values()) {
      if (state.slot?.open) open.push(state.slot);
      for (const slot of state.contents?.values() ?? []) if (slot.open) open.push(slot);
    }
    open.sort((a, b) => a.part - b.part);
    for (const slot of open) this.closeSlot(slot, out);
  }

  private complete(response: unknown, out: StreamEvent[]): void {
    const r = isObject(response) ? response : {};
    // A server that sent no item events at all still lists the items in the final output. (output_index
    // is not the position in that array - recording openai-phase skips index 1 - so the two cannot be
    // merged item by item.)
    if (this.items.size === 0 && Array.isArray(r.output)) {
      for (let i = 0; i < r.output.length; i++) this.itemDone({ output_index: i, item: r.output[i] }, out);
    }
    this.closeAll(out);
    const usage: Usage | undefined = decodeUsage(r.usage);
    if (usage) out.push({ type: 'usage', usage });
    const incomplete = isObject(r.incomplete_details) ? r.incomplete_details.reason : undefined;
    const reason = finishReasonFor(r.status ?? 'completed', incomplete, { toolCalls: this.toolCalls, refusal: this.refusal });
    out.push(usage ? { type: 'finish', reason, usage } : { type: 'finish', reason });
    this.finished = true;
  }

  private fail(error: JsonObject, out: StreamEvent[]): void {
    const code = asString(error.code) ?? asString(error.type);
    const message = asString(error.message) ?? 'The upstream failed to generate the response.';
    const info: ErrorInfo = errorInfoForCode(code, message);
    out.push({ type: 'error', error: info });
    this.finished = true;
  }
}
