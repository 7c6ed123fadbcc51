import { errorInfo, kindForStatus } from '../../canonical/errors.js';
import { nowSeconds, randomId } from '../../canonical/ids.js';
import type { ErrorInfo, StreamEvent } from '../../canonical/types.js';
import type { SseEvent } from '../../util/sse.js';
import { asNumber, asString, isObject } from '../../util/json.js';
import type { JsonObject } from '../../util/json.js';
import type { StreamDecoder } from '../codec.js';
import { STATUS_BY_ERROR_TYPE } from './decode-response.js';
import { toCanonicalFinish } from './map-finish-reason.js';
import { absorbUsage, canonicalUsage } from './map-usage.js';
import type { AnthropicUsageState } from './map-usage.js';

// Anthropic Messages SSE stream (upstream -> Switchyard) -> canonical stream events.
// https://docs.anthropic.com/en/api/messages-streaming
// message_start, then per block content_block_start / _delta… / _stop, then message_delta (stop_reason,
// cumulative usage) and message_stop; `ping` anywhere; `error` may replace the rest.

interface BlockState {
  kind: 'text' | 'thinking' | 'tool';
  /** Canonical part index. */
  index: number;
  /** tool: whether a non-empty input_json_delta arrived. */
  argsSeen?: boolean;
  /** tool: `input` of content_block_start, used when no deltas follow. */
  startInput?: unknown;
}

const INCOMPLETE = 'upstream stream ended before the response was complete';

export class AnthropicStreamDecoder implements StreamDecoder {
  private messageId: string | undefined;
  private done = false;
  /** Open blocks by Anthropic index; `null` = a block deliberately ignored (server tools …). */
  private readonly blocks = new Map<number, BlockState | null>();
  private nextIndex = 0;
  private readonly usage: AnthropicUsageState = {};
  private stopReason: unknown;
  private stopSequence: string | undefined;

  push(ev: SseEvent): StreamEvent[] {
    if (this.done) return [];
    let data: unknown;
    try {
      data = JSON.parse(ev.data);
    } catch {
      return this.fail(`upstream sent a stream event that is not JSON: ${ev.data.slice(0, 200)}`);
    }
    if (!isObject(data)) return [];
    const type = typeof data.type === 'string' ? data.type : ev.event;
    switch (type) {
      case 'message_start':
        return this.messageStart(data);
      case 'content_block_start':
        return this.blockStart(data);
      case 'content_block_delta':
        return this.blockDelta(data);
      case 'content_block_stop':
        return this.blockStop(data);
      case 'message_delta':
        return this.messageDelta(data);
      case 'message_stop':
        return this.finish();
      case 'error':
        return this.upstreamError(data);
      default:
        return []; // ping and future event types
    }
  }

  end(): StreamEvent[] {
    if (this.done) return [];
    // message_delta already said why the model stopped: only message_stop went missing, and nothing
    // else follows it, so the response is complete.
    if (this.stopReason !== undefined) return this.finish();
    return this.fail(INCOMPLETE);
  }

  private fail(message: string, kind: ErrorInfo['kind'] = 'upstream_error', status = 502, code?: string): StreamEvent[] {
    this.done = true;
    return [{ type: 'error', error: errorInfo(kind, status, message, code) }];
  }

  private upstreamError(data: JsonObject): StreamEvent[] {
    const err = isObject(data.error) ? data.error : {};
    const type = asString(err.type) ?? '';
    const status = STATUS_BY_ERROR_TYPE[type] ?? 502;
    const message = asString(err.message) || `upstream stream failed (${type || 'unknown error'})`;
    return this.fail(message, kindForStatus(status), status, type);
  }

  private startEvent(msg: JsonObject, out: StreamEvent[]): void {
    this.messageId = asString(msg.id) ?? randomId('msg_');
    absorbUsage(this.usage, msg.usage);
    const start: StreamEvent = { type: 'start', id: this.messageId, model: asString(msg.model) ?? '', created: nowSeconds() };
    const usage = canonicalUsage(this.usage);
    if (Object.keys(usage).length > 0) start.usage = usage;
    out.push(start);
  }

  /** Events before message_start (non-conforming upstreams) get a synthesized start. */
  private ensureStarted(out: StreamEvent[]): void {
    if (this.messageId === undefined) this.startEvent({}, out);
  }

  private messageStart(data: JsonObject): StreamEvent[] {
    const msg = isObject(data.message) ? data.message : {};
    if (this.messageId !== undefined) {
      // A repeated message_start for the same message is harmless noise; one for a DIFFERENT message
      // means two responses were spliced into one stream (a proxy retry). Continuing would glue a
      // half-streamed tool call to another answer, so the stream fails instead.
      if (asString(msg.id) === this.messageId) return [];
      return this.fail(`upstream stream started a second message (${asString(msg.id) ?? 'no id'}) before finishing ${this.messageId}`);
    }
    const out: StreamEvent[] = [];
    this.startEvent(msg, out);
    return out;
  }

  private blockStart(data: JsonObject): StreamEvent[] {
    const at = asNumber(data.index);
    const cb = data.content_block;
    if (at === undefined || !isObject(cb)) return [];
    const out: StreamEvent[] = [];
    this.ensureStarted(out);
    switch (cb.type) {
      case 'text': {
        const index = this.nextIndex++;
        this.blocks.set(at, { kind: 'text', index });
        out.push({ type: 'part_start', index, part: { type: 'text' } });
        const text = asString(cb.text);
        if (text) out.push({ type: 'text_delta', index, text });
        break;
      }
      case 'thinking': {
        const index = this.nextIndex++;
        this.blocks.set(at, { kind: 'thinking', index });
        out.push({ type: 'part_start', index, part: { type: 'thinking' } });
        const text = asString(cb.thinking);
        if (text) out.push({ type: 'thinking_delta', index, text });
        const sig = asString(cb.signature);
        if (sig) out.push({ type: 'signature', index, signature: { origin: 'anthropic', value: sig } });
        break;
      }
      case 'redacted_thinking': {
        const index = this.nextIndex++;
        this.blocks.set(at, { kind: 'thinking', index });
        out.push({ type: 'part_start', index, part: { type: 'thinking', redacted: true } });
        const data64 = asString(cb.data);
        if (data64) out.push({ type: 'signature', index, signature: { origin: 'anthropic', value: data64 } });
        break;
      }
      case 'tool_use': {
        const index = this.nextIndex++;
        this.blocks.set(at, { kind: 'tool', index, argsSeen: false, startInput: cb.input });
        out.push({
          type: 'part_start',
          index,
          part: { type: 'tool_call', id: asString(cb.id) ?? randomId('toolu_'), name: asString(cb.name) ?? '' },
        });
        break;
      }
      default:
        // server_tool_use, *_tool_result, mcp_*, compaction, fallback …: Anthropic-side bookkeeping with
        // no canonical counterpart (see decode-response.ts); its deltas are skipped too.
        this.blocks.set(at, null);
    }
    return out;
  }

  private blockDelta(data: JsonObject): StreamEvent[] {
    const at = asNumber(data.index);
    const delta = data.delta;
    if (at === undefined || !isObject(delta)) return [];
    const block = this.blocks.get(at);
    if (!block) return [];
    const { index } = block;
    switch (delta.type) {
      case 'text_delta': {
        const text = asString(delta.text);
        return text && block.kind === 'text' ? [{ type: 'text_delta', index, text }] : [];
      }
      case 'thinking_delta': {
        const text = asString(delta.thinking);
        return text && block.kind === 'thinking' ? [{ type: 'thinking_delta', index, text }] : [];
      }
      case 'signature_delta': {
        const sig = asString(delta.signature);
        return sig && block.kind === 'thinking' ? [{ type: 'signature', index, signature: { origin: 'anthropic', value: sig } }] : [];
      }
      case 'input_json_delta': {
        const json = asString(delta.partial_json);
        if (!json || block.kind !== 'tool') return [];
        block.argsSeen = true;
        return [{ type: 'tool_args_delta', index, json }];
      }
      default:
        return []; // citations_delta: no canonical place for citations
    }
  }

  private blockStop(data: JsonObject): StreamEvent[] {
    const at = asNumber(data.index);
    if (at === undefined) return [];
    const block = this.blocks.get(at);
    this.blocks.delete(at);
    if (!block) return [];
    const out: StreamEvent[] = [];
    this.closeBlock(block, out);
    return out;
  }

  private closeBlock(block: BlockState, out: StreamEvent[]): void {
    if (block.kind === 'tool' && !block.argsSeen) {
      // No input_json_delta (or only empty ones): the arguments are whatever content_block_start held.
      const input = block.startInput;
      const json = isObject(input) && Object.keys(input).length > 0 ? JSON.stringify(input) : '{}';
      out.push({ type: 'tool_args_delta', index: block.index, json });
    }
    out.push({ type: 'part_end', index: block.index });
  }

  private messageDelta(data: JsonObject): StreamEvent[] {
    const out: StreamEvent[] = [];
    this.ensureStarted(out);
    if (isObject(data.delta)) {
      if (data.delta.stop_reason !== undefined && data.delta.stop_reason !== null) this.stopReason = data.delta.stop_reason;
      const seq = asString(data.delta.stop_sequence);
      if (seq !== undefined) this.stopSequence = seq;
    }
    if (isObject(data.usage)) {
      absorbUsage(this.usage, data.usage);
      out.push({ type: 'usage', usage: canonicalUsage(this.usage) });
    }
    return out;
  }

  private finish(): StreamEvent[] {
    const out: StreamEvent[] = [];
    this.ensureStarted(out);
    for (const block of this.blocks.values()) {
      if (block) this.closeBlock(block, out);
    }
    this.blocks.clear();
    this.done = true;
    const finish: StreamEvent = {
      type: 'finish',
      reason: toCanonicalFinish(this.stopReason),
      usage: { inputTokens: 0, outputTokens: 0, ...canonicalUsage(this.usage) },
    };
    if (this.stopSequence !== undefined) finish.stopSequence = this.stopSequence;
    out.push(finish);
    return out;
  }
}
