import { GatewayError } from '../../canonical/errors.js';
import { nowSeconds, randomId } from '../../canonical/ids.js';
import type { ErrorInfo, FinishReason, PartStart, Signature, StreamEvent, Usage } from '../../canonical/types.js';
import { mergeUsage } from '../../canonical/usage.js';
import { sseFrame } from '../../util/sse.js';
import type { StreamEncoder, StreamEncoderContext } from '../codec.js';
import { encodeOpenAIError } from '../openai-chat/errors.js';
import { responseErrorCode } from './error-code.js';
import { outcomeFor } from './map-finish-reason.js';
import {
  carrierItem,
  functionCallItem,
  messageItem,
  outputText,
  reasoningItem,
  responseId,
  responseObject,
  type ResponseFields,
} from './response-object.js';
import type { WireOutputItem, WireResponse } from './wire.js';

// Canonical stream -> the Responses SSE stream a client (Codex, the openai SDK) expects:
// `event: <type>` + `data: {type, sequence_number, ...}` frames, sequence_number counting from 0.
// https://platform.openai.com/docs/api-reference/responses-streaming
//
//   response.created, response.in_progress
//   text:      output_item.added(message) content_part.added output_text.delta… output_text.done
//              content_part.done output_item.done
//   thinking:  output_item.added(reasoning) [reasoning_summary_part.added reasoning_summary_text.delta…
//              reasoning_summary_text.done reasoning_summary_part.done] output_item.done(+encrypted_content)
//   tool call: output_item.added(function_call) function_call_arguments.delta… function_call_arguments.done
//              output_item.done
//   response.completed | response.incomplete (length / content filter) with output and usage
//
// Each canonical part is its own output item, so parts may interleave; Codex acts on output_item.done
// items and ends the turn on response.completed (printing usage.total_tokens).

const TEXT = (): PartStart => ({ type: 'text' });
const THINKING = (): PartStart => ({ type: 'thinking' });
// Arguments for a call that never got its part_start: no id or name is known, so an id is made up.
const UNNAMED_CALL = (): PartStart => ({ type: 'tool_call', id: randomId('call_'), name: '' });

interface ItemState {
  kind: 'text' | 'thinking' | 'tool';
  outputIndex: number;
  itemId: string;
  /** Text, summary text or argument JSON so far. */
  text: string;
  summaryOpen: boolean;
  signature?: Signature;
  callId: string;
  name: string;
  closed: boolean;
}

/** An item event's fields: the item's ids first, as OpenAI orders them, then `fields`. */
function at(state: ItemState, fields: Record<string, unknown>): Record<string, unknown> {
  return { item_id: state.itemId, output_index: state.outputIndex, ...fields };
}

export class ResponsesStreamEncoder implements StreamEncoder {
  private readonly model: string;
  private seq = 0;
  private started = false;
  private done = false;
  private id = '';
  private created = 0;
  private usage: Partial<Usage> = {};
  private readonly parts = new Map<number, ItemState>();
  /** Finished output items by output_index, for the terminal response object. */
  private readonly output: (WireOutputItem | undefined)[] = [];

  constructor(ctx: StreamEncoderContext) {
    this.model = ctx.requestModel;
  }

  push(ev: StreamEvent): string {
    if (this.done) return '';
    let out = '';
    if (!this.started) out += this.start(ev.type === 'start' ? ev : undefined);
    switch (ev.type) {
      case 'start':
        if (ev.usage) this.usage = mergeUsage(this.usage, ev.usage);
        break;
      case 'part_start':
        if (!this.parts.has(ev.index)) out += this.open(ev.index, ev.part);
        break;
      case 'text_delta':
        out += this.textDelta(this.part(ev.index, TEXT), ev.text);
        break;
      case 'thinking_delta':
        out += this.thinkingDelta(this.part(ev.index, THINKING), ev.text);
        break;
      case 'tool_args_delta':
        out += this.argsDelta(this.part(ev.index, UNNAMED_CALL), ev.json);
        break;
      case 'signature':
        out += this.signature(ev.index, ev.signature);
        break;
      case 'part_end': {
        const state = this.parts.get(ev.index);
        if (state) out += this.close(state);
        break;
      }
      case 'usage':
        this.usage = mergeUsage(this.usage, ev.usage);
        break;
      case 'finish':
        out += this.finish(ev.reason, ev.usage);
        break;
      case 'error':
        out += this.error(ev.error);
        break;
    }
    return out;
  }

  end(): string {
    // The relay ends after finish/error; a stream cut short must still end in a way Codex reports
    // instead of waiting for response.completed.
    if (this.done || !this.started) return '';
    return this.error({ kind: 'upstream_error', status: 502, message: 'upstream stream ended before the response was complete' });
  }

  // -------------------------------------------------------------------------------------------

  private frame(type: string, fields: Record<string, unknown>): string {
    return sseFrame(JSON.stringify({ type, sequence_number: this.seq++, ...fields }), type);
  }

  private response(status: WireResponse['status'], extra?: Partial<ResponseFields>): WireResponse {
    return responseObject({ id: this.id, created: this.created, model: this.model, status, output: [], ...extra });
  }

  private start(ev: Extract<StreamEvent, { type: 'start' }> | undefined): string {
    this.started = true;
    this.id = responseId(ev?.id);
    this.created = ev?.created ?? nowSeconds();
    const response = this.response('in_progress');
    return this.frame('response.created', { response }) + this.frame('response.in_progress', { response });
  }

  /** The part at `index`, started lazily when its part_start never came. */
  private part(index: number, lazy: () => PartStart): { state: ItemState; frames: string } {
    const existing = this.parts.get(index);
    if (existing) return { state: existing, frames: '' };
    const frames = this.open(index, lazy());
    return { state: this.parts.get(index) as ItemState, frames };
  }

  private open(index: number, part: PartStart): string {
    const outputIndex = this.output.length;
    this.output.push(undefined);
    const kind = part.type === 'text' ? 'text' : part.type === 'thinking' ? 'thinking' : 'tool';
    const state: ItemState = {
      kind,
      outputIndex,
      itemId: randomId(kind === 'text' ? 'msg_' : kind === 'thinking' ? 'rs_' : 'fc_'),
      text: '',
      summaryOpen: false,
      callId: part.type === 'tool_call' ? part.id : '',
      name: part.type === 'tool_call' ? part.name : '',
      closed: false,
    };
    this.parts.set(index, state);
    let item: WireOutputItem;
    if (kind === 'text') item = messageItem(state.itemId, [], 'in_progress');
    else if (kind === 'thinking') item = { id: state.itemId, type: 'reasoning', summary: [] };
    else item = functionCallItem(state.itemId, state.callId, state.name, '', 'in_progress');
    let out = this.frame('response.output_item.added', { output_index: outputIndex, item });
    if (kind === 'text') {
      out += this.frame('response.content_part.added', { item_id: state.itemId, output_index: outputIndex, content_index: 0, part: outputText('') });
    }
    return out;
  }

  private textDelta({ state, frames }: { state: ItemState; frames: string }, text: string): string {
    if (state.closed || state.kind !== 'text' || !text) return frames;
    state.text += text;
    return frames + this.frame('response.output_text.delta', { item_id: state.itemId, output_index: state.outputIndex, content_index: 0, delta: text, logprobs: [] });
  }

  private thinkingDelta({ state, frames }: { state: ItemState; frames: string }, text: string): string {
    if (state.closed || state.kind !== 'thinking' || !text) return frames;
    let out = frames;
    if (!state.summaryOpen) {
      state.summaryOpen = true;
      out += this.frame('response.reasoning_summary_part.added', at(state, { summary_index: 0, part: { type: 'summary_text', text: '' } }));
    }
    state.text += text;
    return out + this.frame('response.reasoning_summary_text.delta', at(state, { summary_index: 0, delta: text }));
  }

  private argsDelta({ state, frames }: { state: ItemState; frames: string }, json: string): string {
    if (state.closed || state.kind !== 'tool' || !json) return frames;
    state.text += json;
    return frames + this.frame('response.function_call_arguments.delta', { item_id: state.itemId, output_index: state.outputIndex, delta: json });
  }

  private signature(index: number, signature: Signature): string {
    const existing = this.parts.get(index);
    if (!existing) {
      // A signature with no part of its own is a thinking block that had only a signature.
      const { state, frames } = this.part(index, () => ({ type: 'thinking', redacted: true }));
      state.signature = signature;
      return frames;
    }
    if (existing.kind === 'text') return ''; // Gemini text-part signatures have no place in Responses.
    if (existing.kind === 'tool' && existing.closed) return this.emitCarrier(existing.callId, signature);
    // A thinking part already closed keeps what it had: its item is final once output_item.done went out.
    if (!existing.closed) existing.signature = signature;
    return '';
  }

  private emitCarrier(callId: string, signature: Signature): string {
    const outputIndex = this.output.length;
    const item = carrierItem(callId, signature);
    this.output.push(item);
    return (
      this.frame('response.output_item.added', { output_index: outputIndex, item: { id: item.id, type: 'reasoning', summary: [] } }) +
      this.frame('response.output_item.done', { output_index: outputIndex, item })
    );
  }

  private close(state: ItemState): string {
    if (state.closed) return '';
    state.closed = true;
    let out = '';
    let item: WireOutputItem;
    if (state.kind === 'text') {
      const part = outputText(state.text);
      out += this.frame('response.output_text.done', at(state, { content_index: 0, text: state.text, logprobs: [] }));
      out += this.frame('response.content_part.done', at(state, { content_index: 0, part }));
      item = messageItem(state.itemId, [part], 'completed');
    } else if (state.kind === 'thinking') {
      if (state.summaryOpen) {
        out += this.frame('response.reasoning_summary_text.done', at(state, { summary_index: 0, text: state.text }));
        out += this.frame('response.reasoning_summary_part.done', at(state, { summary_index: 0, part: { type: 'summary_text', text: state.text } }));
      }
      item = reasoningItem(state.itemId, state.text, state.signature);
    } else {
      // Deltas must concatenate to the final arguments; a call without arguments sends `{}`.
      if (state.text === '') {
        out += this.frame('response.function_call_arguments.delta', at(state, { delta: '{}' }));
        state.text = '{}';
      }
      const call = functionCallItem(state.itemId, state.callId, state.name, state.text, 'completed');
      out += this.frame('response.function_call_arguments.done', at(state, { name: call.name, arguments: state.text }));
      item = call;
    }
    this.output[state.outputIndex] = item;
    out += this.frame('response.output_item.done', { output_index: state.outputIndex, item });
    if (state.kind === 'tool' && state.signature) out += this.emitCarrier(state.callId, state.signature);
    return out;
  }

  private closeAll(): string {
    let out = '';
    const open = [...this.parts.values()].filter((s) => !s.closed).sort((a, b) => a.outputIndex - b.outputIndex);
    for (const state of open) out += this.close(state);
    return out;
  }

  private finish(reason: FinishReason, usage: Usage | undefined): string {
    let out = this.closeAll();
    if (usage) this.usage = mergeUsage(this.usage, usage);
    const outcome = outcomeFor(reason);
    const response = this.response(outcome.status, {
      output: this.output.filter((o): o is WireOutputItem => o !== undefined),
      usage: this.usage,
      incompleteReason: outcome.incompleteReason,
      error: outcome.status === 'failed' ? { code: 'server_error', message: 'The upstream model ended the response with an error.' } : undefined,
    });
    const type = outcome.status === 'completed' ? 'response.completed' : outcome.status === 'incomplete' ? 'response.incomplete' : 'response.failed';
    out += this.frame(type, { response });
    this.done = true;
    return out;
  }

  /**
   * OpenAI reports a failure twice: an `error` event, then `response.failed` (recording openai-error).
   * Both are kept: the openai SDK throws an APIError on the `error` event, while Codex ignores it and
   * reads response.failed's error code (context_length_exceeded, insufficient_quota, rate limit retry
   * hints in the message). Open items are left as they are; the failed response lists finished ones.
   */
  private error(info: ErrorInfo): string {
    const code = responseErrorCode(info);
    const body = encodeOpenAIError(new GatewayError(info.kind, info.message, { status: info.status })).body as { error: Record<string, unknown> };
    let out = this.frame('error', { code, message: info.message, param: null, error: Object.assign({}, body.error, { code }) });
    const response = this.response('failed', {
      output: this.output.filter((o): o is WireOutputItem => o !== undefined),
      usage: Object.keys(this.usage).length > 0 ? this.usage : undefined,
      error: { code, message: info.message },
    });
    out += this.frame('response.failed', { response });
    this.done = true;
    return out;
  }
}
