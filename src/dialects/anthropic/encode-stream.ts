import { randomId } from '../../canonical/ids.js';
import { wrapSignature } from '../../canonical/signature.js';
import { mergeUsage } from '../../canonical/usage.js';
import type { StreamEvent, Usage } from '../../canonical/types.js';
import { sseFrame } from '../../util/sse.js';
import type { JsonObject } from '../../util/json.js';
import type { StreamEncoder, StreamEncoderContext } from '../codec.js';
import { anthropicErrorObject } from './errors.js';
import { toAnthropicStopReason } from './map-finish-reason.js';
import { usageToAnthropic } from './map-usage.js';

// Canonical stream events -> Anthropic Messages SSE, exactly as Anthropic sends it and as
// @anthropic-ai/sdk's MessageStream accumulates it (https://docs.anthropic.com/en/api/messages-streaming):
//   message_start, ping, (content_block_start, content_block_delta…, content_block_stop)*, message_delta,
//   message_stop.
// Anthropic blocks never interleave and their indexes count 0, 1, 2… in the order they start (the SDK
// appends on content_block_start and addresses deltas by index). Canonical parts may interleave, so:
// - a text or thinking block is simply closed when another part needs to write; if more of it arrives
//   later, it continues in a new block;
// - a tool_use (or redacted_thinking) block cannot be split, so while one is open, events of other
//   parts are buffered and replayed, in order, once it closes.

type Kind = 'text' | 'thinking' | 'redacted' | 'tool';

interface PartState {
  kind: Kind;
  id: string;
  name: string;
  /** An Anthropic block for this part is open now, at `block`. */
  open: boolean;
  block: number;
  /** tool / redacted: the (only) block was started. */
  started: boolean;
  /** Events waiting for a non-splittable block of another part to close. */
  pending: PartEvent[];
  queued: boolean;
}

type PartEvent = Extract<StreamEvent, { index: number }>;

export class AnthropicStreamEncoder implements StreamEncoder {
  private out = '';
  private started = false;
  private closed = false;
  private nextBlock = 0;
  private sawToolUse = false;
  private usage: Partial<Usage> = {};
  private readonly parts = new Map<number, PartState>();
  private active: PartState | undefined;
  private readonly waiting: PartState[] = [];

  constructor(private readonly ctx: StreamEncoderContext) {}

  push(event: StreamEvent): string {
    if (this.closed) return '';
    switch (event.type) {
      case 'start':
        if (!this.started) this.messageStart(event.id, event.usage);
        break;
      case 'usage':
        this.usage = mergeUsage(this.usage, event.usage);
        break;
      case 'finish':
        this.finish(event);
        break;
      case 'error':
        // Anthropic's in-stream error: `event: error` with the same body as an HTTP error.
        this.emit('error', anthropicErrorObject(event.error));
        this.closed = true;
        break;
      default:
        this.partEvent(event);
    }
    const text = this.out;
    this.out = '';
    return text;
  }

  end(): string {
    return '';
  }

  // ---------------------------------------------------------------------------------------------

  private emit(type: string, payload: unknown): void {
    this.out += sseFrame(JSON.stringify(payload), type);
  }

  private messageStart(id: string, usage: Partial<Usage> | undefined): void {
    this.started = true;
    if (usage) this.usage = mergeUsage(this.usage, usage);
    const known = this.usage.inputTokens !== undefined ? this.usage : undefined;
    this.emit('message_start', {
      type: 'message_start',
      message: {
        id: id || randomId('msg_'),
        type: 'message',
        role: 'assistant',
        model: this.ctx.requestModel,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // Anthropic reports the input side here and output_tokens 1; message_delta has the totals.
        usage: known ? Object.assign(usageToAnthropic(known), { output_tokens: usage?.outputTokens ?? 1 }) : { input_tokens: 0, output_tokens: 0 },
      },
    });
    this.emit('ping', { type: 'ping' });
  }

  private ensureStarted(): void {
    if (!this.started) this.messageStart('', undefined);
  }

  private partEvent(ev: PartEvent): void {
    this.ensureStarted();
    const p = this.partFor(ev);
    if (!p) return;
    if (p.queued || (this.active && this.active !== p && !splittable(this.active))) {
      p.pending.push(ev);
      if (!p.queued) {
        p.queued = true;
        this.waiting.push(p);
      }
      return;
    }
    this.apply(p, ev);
    this.drain();
  }

  /** The part an event belongs to; parts that never got a part_start are created from the event. */
  private partFor(ev: PartEvent): PartState | undefined {
    let p = this.parts.get(ev.index);
    if (p) return p;
    let kind: Kind;
    let id = '';
    let name = '';
    switch (ev.type) {
      case 'part_start':
        if (ev.part.type === 'tool_call') {
          kind = 'tool';
          id = ev.part.id;
          name = ev.part.name;
        } else if (ev.part.type === 'thinking') {
          kind = ev.part.redacted ? 'redacted' : 'thinking';
        } else {
          kind = 'text';
        }
        break;
      case 'text_delta':
        kind = 'text';
        break;
      case 'thinking_delta':
      case 'signature':
        kind = 'thinking';
        break;
      case 'tool_args_delta':
        kind = 'tool';
        break;
      default:
        return undefined; // part_end of a part never seen: nothing to close
    }
    if (kind === 'tool' && id === '') id = randomId('toolu_');
    p = { kind, id, name, open: false, block: -1, started: false, pending: [], queued: false };
    this.parts.set(ev.index, p);
    return p;
  }

  private apply(p: PartState, ev: PartEvent): void {
    switch (ev.type) {
      case 'part_start':
        return; // blocks open lazily, on their first content
      case 'text_delta':
        if (p.kind !== 'text' || ev.text === '') return;
        this.open(p);
        this.emit('content_block_delta', { type: 'content_block_delta', index: p.block, delta: { type: 'text_delta', text: ev.text } });
        return;
      case 'thinking_delta':
        if (p.kind !== 'thinking' || ev.text === '') return;
        this.open(p);
        this.emit('content_block_delta', {
          type: 'content_block_delta',
          index: p.block,
          delta: { type: 'thinking_delta', thinking: ev.text },
        });
        return;
      case 'signature':
        return this.signature(p, wrapSignature(ev.signature, 'anthropic'));
      case 'tool_args_delta':
        if (p.kind !== 'tool') return;
        this.open(p);
        if (ev.json !== '') {
          this.emit('content_block_delta', {
            type: 'content_block_delta',
            index: p.block,
            delta: { type: 'input_json_delta', partial_json: ev.json },
          });
        }
        return;
      case 'part_end':
        // A tool call without argument deltas still needs its tool_use block.
        if (p.kind === 'tool' && !p.started) this.open(p);
        this.close(p);
        return;
    }
  }

  private signature(p: PartState, sig: string): void {
    switch (p.kind) {
      case 'thinking':
        this.open(p);
        this.emit('content_block_delta', { type: 'content_block_delta', index: p.block, delta: { type: 'signature_delta', signature: sig } });
        return;
      case 'redacted':
        // redacted_thinking carries its data in content_block_start; it waited for it.
        if (!p.started) this.open(p, sig);
        return;
      case 'tool':
        // A Gemini thought signature on a function call: an empty thinking block right before the
        // tool_use (see encode-response.ts). Once the tool_use has started there is no "before" left,
        // and placing it after would attach it to the next call, so a late signature is dropped.
        if (p.started) return;
        this.interrupt();
        this.emitBlock({ type: 'thinking', thinking: '', signature: '' }, { type: 'signature_delta', signature: sig });
        return;
      case 'text':
        // Gemini may sign text parts; Anthropic text blocks cannot carry a signature and Gemini does
        // not require it back, so it is dropped.
        return;
    }
  }

  /** Closes the open splittable block (text / thinking) so another block can start. */
  private interrupt(): void {
    if (this.active) this.close(this.active);
  }

  private open(p: PartState, redactedData?: string): void {
    if (p.open) return;
    if (this.active && this.active !== p) this.close(this.active);
    let block: JsonObject;
    switch (p.kind) {
      case 'text':
        block = { type: 'text', text: '' };
        break;
      case 'thinking':
        block = { type: 'thinking', thinking: '', signature: '' };
        break;
      case 'redacted':
        block = { type: 'redacted_thinking', data: redactedData ?? '' };
        break;
      case 'tool':
        block = { type: 'tool_use', id: p.id, name: p.name, input: {} };
        this.sawToolUse = true;
        break;
    }
    p.open = true;
    p.started = true;
    p.block = this.nextBlock++;
    this.active = p;
    this.emit('content_block_start', { type: 'content_block_start', index: p.block, content_block: block });
  }

  private close(p: PartState): void {
    if (!p.open) return;
    p.open = false;
    this.emit('content_block_stop', { type: 'content_block_stop', index: p.block });
    if (this.active === p) this.active = undefined;
  }

  /** A complete stand-alone block (start, one delta, stop). */
  private emitBlock(block: JsonObject, delta: JsonObject): void {
    const index = this.nextBlock++;
    this.emit('content_block_start', { type: 'content_block_start', index, content_block: block });
    this.emit('content_block_delta', { type: 'content_block_delta', index, delta });
    this.emit('content_block_stop', { type: 'content_block_stop', index });
  }

  /** Replays buffered events once nothing unsplittable is open. */
  private drain(): void {
    while (this.waiting.length > 0) {
      const p = this.waiting[0];
      while (p.pending.length > 0) {
        if (this.active && this.active !== p && !splittable(this.active)) return;
        this.apply(p, p.pending.shift() as PartEvent);
      }
      this.waiting.shift();
      p.queued = false;
    }
  }

  private finish(ev: Extract<StreamEvent, { type: 'finish' }>): void {
    this.ensureStarted();
    // No more events will come: close what is open and flush every buffered part in order.
    for (;;) {
      if (this.active) this.close(this.active);
      const p = this.waiting.shift();
      if (!p) break;
      p.queued = false;
      for (const pe of p.pending) this.apply(p, pe);
      p.pending = [];
    }
    if (this.active) this.close(this.active);
    // Tool calls that started but never sent arguments or part_end still exist.
    for (const p of this.parts.values()) {
      if (p.kind === 'tool' && !p.started) {
        this.open(p);
        this.close(p);
      }
    }
    const usage = ev.usage ? mergeUsage(this.usage, ev.usage) : this.usage;
    const stopReason = toAnthropicStopReason(ev.reason, ev.stopSequence, this.sawToolUse);
    this.emit('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: stopReason === 'stop_sequence' ? (ev.stopSequence ?? null) : null },
      usage: deltaUsage(usage),
    });
    this.emit('message_stop', { type: 'message_stop' });
    this.closed = true;
  }
}

function splittable(p: PartState): boolean {
  return p.kind === 'text' || p.kind === 'thinking';
}

/** message_delta usage: cumulative totals; input counters only when the upstream reported them. */
function deltaUsage(usage: Partial<Usage>): JsonObject {
  if (usage.inputTokens === undefined) {
    const out: JsonObject = { output_tokens: usage.outputTokens ?? 0 };
    if (usage.reasoningTokens !== undefined) out.output_tokens_details = { thinking_tokens: usage.reasoningTokens };
    return out;
  }
  return { ...usageToAnthropic(usage) };
}
