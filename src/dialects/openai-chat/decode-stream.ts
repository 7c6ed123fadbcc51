import { nowSeconds, randomId } from '../../canonical/ids.js';
import type { FinishReason, StreamEvent, Usage } from '../../canonical/types.js';
import type { SseEvent } from '../../util/sse.js';
import { asNumber, asString, isObject } from '../../util/json.js';
import type { JsonObject } from '../../util/json.js';
import type { StreamDecoder } from '../codec.js';
import { upstreamError } from './errors.js';
import { decodeFinishReason } from './map-finish-reason.js';
import { decodeUsage } from './map-usage.js';

// Upstream chat.completion.chunk stream (https://platform.openai.com/docs/api-reference/chat-streaming)
// → canonical events. What real servers do, per the recordings in test/fixtures/vendor-recordings:
// - OpenAI: role chunk, content deltas, a finish chunk, THEN a usage chunk with `choices: []`,
//   then `data: [DONE]`. Azure prepends a chunk with empty id/model and `choices: []`.
// - DeepSeek: usage inside the finish chunk; `reasoning_content` deltas before the content.
// - xAI: no `finish_reason: null` / `index` noise, whole tool calls in one delta, usage after finish.
// - OpenRouter / vLLM: `reasoning` instead of `reasoning_content`; tool call indexes need not start at 0.
// Because usage may follow the finish chunk, the `finish` event waits for usage, `[DONE]` or the end.

const ENDED_EARLY = 'upstream stream ended before the response was complete';

type OpenKind = 'text' | 'thinking' | 'tool';

interface ToolState {
  /** Canonical part index once started. */
  index?: number;
  id?: string;
  name?: string;
  /** Argument text received before the call could start (its name was not known yet). */
  pending: string;
  argsLength: number;
}

export function createStreamDecoder(): StreamDecoder {
  return new ChatStreamDecoder();
}

class ChatStreamDecoder implements StreamDecoder {
  private started = false;
  private done = false;
  private nextIndex = 0;
  /** The part deltas currently go to; parts are closed as soon as another one begins. */
  private open: { kind: OpenKind; index: number; tool?: ToolState } | undefined;
  private readonly tools = new Map<number | string, ToolState>();
  private toolCount = 0;
  private finish: FinishReason | undefined;
  private stopSequence: string | undefined;
  private usage: Usage | undefined;
  private refusal = false;

  push(event: SseEvent): StreamEvent[] {
    if (this.done) return [];
    const out: StreamEvent[] = [];
    const data = event.data.trim();
    if (data === '') return out;
    if (data === '[DONE]') {
      this.conclude(out);
      return out;
    }

    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return this.fail(out, 'upstream sent a stream chunk that is not valid JSON');
    }
    if (!isObject(chunk)) return out;
    if (isObject(chunk.error)) return this.upstreamFailure(out, chunk.error, chunk);

    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    if (!this.started) {
      // Azure's leading prompt-filter chunk has no id, model or choices: wait for a real one.
      if (choices.length === 0 && !asString(chunk.id) && !isObject(chunk.usage)) return out;
      this.started = true;
      out.push({
        type: 'start',
        id: asString(chunk.id) || randomId('chatcmpl-'),
        model: asString(chunk.model) ?? '',
        created: asNumber(chunk.created) ?? nowSeconds(),
      });
    }

    // Only choice 0 is translated (other dialects have no `n`).
    const choice = choices.find((c) => isObject(c) && (c.index === undefined || c.index === 0));
    if (isObject(choice)) this.choice(choice, out);

    // Moonshot/Kimi put the usage inside the choice instead of beside it.
    const usage = decodeUsage(chunk.usage) ?? (isObject(choice) ? decodeUsage(choice.usage) : undefined);
    if (usage) {
      this.usage = usage;
      out.push({ type: 'usage', usage });
      // Only usage reported with or after the finish_reason is final (some servers report it
      // cumulatively on every chunk).
      if (this.finish !== undefined) this.emitFinish(out);
    }
    return out;
  }

  end(): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (!this.done) this.conclude(out);
    return out;
  }

  private choice(choice: JsonObject, out: StreamEvent[]): void {
    const delta = isObject(choice.delta) ? choice.delta : undefined;
    if (delta) {
      // Servers that send both fields send the same text twice; prefer reasoning_content.
      const reasoning = asString(delta.reasoning_content) || asString(delta.reasoning);
      if (reasoning) this.delta('thinking', reasoning, out);
      const content = asString(delta.content);
      if (content) this.delta('text', content, out);
      const refusal = asString(delta.refusal);
      if (refusal) {
        this.refusal = true;
        this.delta('text', refusal, out);
      }
      if (Array.isArray(delta.tool_calls)) {
        for (let i = 0; i < delta.tool_calls.length; i++) {
          const tc = delta.tool_calls[i];
          if (isObject(tc)) this.toolDelta(tc, i, out);
        }
      } else if (isObject(delta.function_call)) {
        this.toolDelta({ index: 'legacy', function: delta.function_call }, 0, out);
      }
    }
    const stop = asString(choice.stop_reason); // vLLM: the stop string that matched
    if (stop) this.stopSequence = stop;
    if (typeof choice.finish_reason === 'string' && this.finish === undefined) {
      this.closeAll(out);
      this.finish = this.refusal ? 'refusal' : decodeFinishReason(choice.finish_reason, this.toolCount > 0);
    }
  }

  private delta(kind: 'text' | 'thinking', text: string, out: StreamEvent[]): void {
    if (this.open?.kind !== kind) {
      this.closeOpen(out);
      const index = this.nextIndex++;
      this.open = { kind, index };
      out.push({ type: 'part_start', index, part: { type: kind } });
    }
    const index = this.open.index;
    out.push(kind === 'text' ? { type: 'text_delta', index, text } : { type: 'thinking_delta', index, text });
  }

  private toolDelta(tc: JsonObject, position: number, out: StreamEvent[]): void {
    const id = asString(tc.id);
    // Calls are keyed by their `index`; servers that omit it send each call whole, keyed by id.
    const fn = isObject(tc.function) ? tc.function : undefined;
    const name = asString(fn?.name);
    const indexed = typeof tc.index === 'number' || typeof tc.index === 'string';
    const key: number | string = indexed ? (tc.index as number | string) : (id ?? `#${position}`);
    let state = this.tools.get(key);
    // A bare argument fragment with neither index, id nor name continues the open call.
    if (!state && !indexed && !id && !name && this.open?.tool) state = this.open.tool;
    if (!state) {
      state = { pending: '', argsLength: 0 };
      this.tools.set(key, state);
      this.toolCount++;
    }
    if (id && !state.id) state.id = id;
    if (name && !state.name) state.name = name;
    const args = asString(fn?.arguments) ?? '';

    if (state.index === undefined) {
      if (!state.name) {
        state.pending += args; // wait for the name before announcing the call
        return;
      }
      this.startTool(state, out);
    }
    if (args) this.args(state, args, out);
  }

  private startTool(state: ToolState, out: StreamEvent[]): void {
    this.closeOpen(out);
    const index = this.nextIndex++;
    state.index = index;
    state.id ??= randomId('call_');
    this.open = { kind: 'tool', index, tool: state };
    out.push({ type: 'part_start', index, part: { type: 'tool_call', id: state.id, name: state.name ?? '' } });
    if (state.pending) {
      const pending = state.pending;
      state.pending = '';
      this.args(state, pending, out);
    }
  }

  private args(state: ToolState, json: string, out: StreamEvent[]): void {
    // A fragment for a call that is no longer the open part (a server interleaving calls) is still
    // forwarded: dropping it would corrupt the arguments.
    state.argsLength += json.length;
    out.push({ type: 'tool_args_delta', index: state.index as number, json });
  }

  private closeOpen(out: StreamEvent[]): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    if (open.tool && open.tool.argsLength === 0) {
      out.push({ type: 'tool_args_delta', index: open.index, json: '{}' });
      open.tool.argsLength = 2;
    }
    out.push({ type: 'part_end', index: open.index });
  }

  /** Closes the open part and announces calls whose name never came (so no arguments are lost). */
  private closeAll(out: StreamEvent[]): void {
    this.closeOpen(out);
    for (const state of this.tools.values()) {
      if (state.index !== undefined) continue;
      this.startTool(state, out);
      this.closeOpen(out);
    }
  }

  /** `[DONE]` or the end of the stream: finish if the upstream said why it stopped, else fail. */
  private conclude(out: StreamEvent[]): void {
    if (this.finish === undefined) {
      this.fail(out, ENDED_EARLY);
      return;
    }
    this.emitFinish(out);
  }

  private emitFinish(out: StreamEvent[]): void {
    if (this.done || this.finish === undefined) return;
    this.done = true;
    const ev: Extract<StreamEvent, { type: 'finish' }> = { type: 'finish', reason: this.finish };
    if (this.stopSequence) ev.stopSequence = this.stopSequence;
    if (this.usage) ev.usage = this.usage;
    out.push(ev);
  }

  private fail(out: StreamEvent[], message: string): StreamEvent[] {
    this.done = true;
    out.push({ type: 'error', error: { kind: 'upstream_error', status: 502, message } });
    return out;
  }

  /** `{"error":{…}}` mid-stream (OpenAI, OpenRouter, vLLM do this instead of an HTTP status). */
  private upstreamFailure(out: StreamEvent[], e: JsonObject, body: unknown): StreamEvent[] {
    this.done = true;
    const message = asString(e.message) || 'upstream reported an error mid-stream';
    const code = asString(e.code) ?? asString(e.type);
    const status = asNumber(e.code) ?? asNumber(e.status) ?? statusForCode(code);
    out.push({ type: 'error', error: upstreamError(status, message, code, {}, body).info() });
    return out;
  }
}

/** In-stream errors carry no HTTP status; infer one from OpenAI's error type/code strings. */
function statusForCode(code: string | undefined): number {
  if (!code) return 502;
  if (code.includes('rate_limit')) return 429;
  if (code.includes('overloaded') || code === 'server_busy') return 503;
  if (code === 'invalid_request_error' || code === 'context_length_exceeded') return 400;
  if (code.includes('timeout')) return 504;
  return 502;
}
