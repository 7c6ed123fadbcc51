import { errorInfo, kindForStatus } from '../../canonical/errors.js';
import { randomId } from '../../canonical/ids.js';
import type { ErrorKind, FinishReason, Signature, StreamEvent, Usage } from '../../canonical/types.js';
import type { SseEvent } from '../../util/sse.js';
import { isObject, type JsonObject } from '../../util/json.js';
import type { StreamDecoder } from '../codec.js';
import { randomSalt, responseCallId } from './call-ids.js';
import { createdOf, upstreamSignature } from './decode-response.js';
import { fromGeminiFinishReason } from './map-finish-reason.js';
import { fromGeminiUsage } from './map-usage.js';
import { PartialArgsWriter } from './partial-args.js';

// Upstream streamGenerateContent?alt=sse -> canonical stream events.
// Every SSE `data:` is a whole GenerateContentResponse chunk. Text and thought parts arrive as
// pieces of one growing part; functionCall parts arrive whole (args at once) or, with Vertex
// `streamFunctionCallArguments`, as a start chunk {name, willContinue} followed by `partialArgs`
// chunks and a chunk without willContinue. finishReason comes on the last chunk, with final usage.

const ENDED_EARLY = 'upstream stream ended before the response was complete';

export function createStreamDecoder(): StreamDecoder {
  return new GeminiStreamDecoder();
}

interface OpenCall {
  index: number;
  writer: PartialArgsWriter;
}

class GeminiStreamDecoder implements StreamDecoder {
  private started = false;
  private done = false;
  private nextIndex = 0;
  private open: { index: number; kind: 'text' | 'thinking' } | undefined;
  /** Signature of the open text part, emitted on an empty thinking part when the text ends. */
  private textSignature: Signature | undefined;
  private call: OpenCall | undefined;
  private calls = 0;
  private salt = '';
  private usage: Usage | undefined;
  private usageKey = '';

  push(event: SseEvent): StreamEvent[] {
    if (this.done) return [];
    const data = event.data.trim();
    if (data === '' || data === '[DONE]') return [];
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return this.fail('upstream_error', 502, `Gemini sent a stream event that is not JSON: ${data.slice(0, 200)}`);
    }
    const out: StreamEvent[] = [];
    // Without alt=sse Google streams a JSON array of chunks; accept either.
    for (const c of Array.isArray(chunk) ? chunk : [chunk]) if (!this.done) this.chunk(c, out);
    return out;
  }

  end(): StreamEvent[] {
    if (this.done) return [];
    return this.fail('upstream_error', 502, ENDED_EARLY);
  }

  private fail(kind: ErrorKind, status: number, message: string, code?: string): StreamEvent[] {
    this.done = true;
    return [{ type: 'error', error: errorInfo(kind, status, message, code) }];
  }

  private chunk(c: unknown, out: StreamEvent[]): void {
    if (!isObject(c)) return;
    if (isObject(c.error)) {
      // Google's error object: `code` is the HTTP status, `status` the canonical code name.
      const httpStatus = typeof c.error.code === 'number' ? c.error.code : 502;
      const message = typeof c.error.message === 'string' && c.error.message ? c.error.message : `Gemini stream error ${httpStatus}`;
      const code = typeof c.error.status === 'string' ? c.error.status : undefined; // RESOURCE_EXHAUSTED, UNAVAILABLE, …
      out.push(...this.fail(kindForStatus(httpStatus), httpStatus, message, code));
      return;
    }
    if (!this.started) {
      this.started = true;
      const responseId = typeof c.responseId === 'string' && c.responseId ? c.responseId : undefined;
      this.salt = responseId ?? randomSalt();
      out.push({
        type: 'start',
        id: responseId ?? randomId('gen-'),
        model: typeof c.modelVersion === 'string' ? c.modelVersion : '',
        created: createdOf(c),
      });
    }
    const candidate = Array.isArray(c.candidates) && isObject(c.candidates[0]) ? c.candidates[0] : undefined;
    const content = candidate && isObject(candidate.content) ? candidate.content : undefined;
    if (content && Array.isArray(content.parts)) for (const p of content.parts) if (isObject(p)) this.part(p, out);

    const usage = fromGeminiUsage(c.usageMetadata);
    if (usage) {
      this.usage = usage;
      const key = JSON.stringify(usage);
      if (key !== this.usageKey) {
        this.usageKey = key;
        out.push({ type: 'usage', usage });
      }
    }

    const feedback = isObject(c.promptFeedback) ? c.promptFeedback : undefined;
    if (typeof candidate?.finishReason === 'string') {
      this.finish(fromGeminiFinishReason(candidate.finishReason, this.calls > 0), out);
    } else if (!candidate && typeof feedback?.blockReason === 'string') {
      this.finish('content_filter', out); // the prompt itself was blocked
    }
  }

  private finish(reason: FinishReason, out: StreamEvent[]): void {
    this.closeOpen(out);
    this.closeCall(out);
    out.push({ type: 'finish', reason, usage: this.usage ?? { inputTokens: 0, outputTokens: 0 } });
    this.done = true;
  }

  private part(p: JsonObject, out: StreamEvent[]): void {
    const signature = upstreamSignature(p);
    if (isObject(p.functionCall)) {
      this.functionCall(p.functionCall, signature, out);
      return;
    }
    const text = typeof p.text === 'string' ? p.text : undefined;
    if (p.thought === true) {
      if (!text && !signature) return;
      this.closeCall(out);
      if (this.open?.kind !== 'thinking') {
        this.closeOpen(out);
        this.openPart('thinking', out);
      }
      const index = this.open!.index;
      if (text) out.push({ type: 'thinking_delta', index, text });
      if (signature) out.push({ type: 'signature', index, signature });
      return;
    }
    if (text === undefined) return; // inlineData, executableCode, …: nothing the canonical stream carries
    if (text === '' && !signature) return; // Gemini's empty text parts on final chunks
    this.closeCall(out);
    if (text !== '') {
      // A signature ends a part in Gemini: text after one starts a new part.
      if (this.open?.kind !== 'text' || this.textSignature) {
        this.closeOpen(out);
        this.openPart('text', out);
      }
      out.push({ type: 'text_delta', index: this.open!.index, text });
    }
    if (signature) {
      if (this.open?.kind === 'text') this.textSignature = signature;
      else {
        this.closeOpen(out);
        this.signatureCarrier(signature, out);
      }
    }
  }

  private functionCall(fc: JsonObject, signature: Signature | undefined, out: StreamEvent[]): void {
    const name = typeof fc.name === 'string' && fc.name ? fc.name : undefined;
    const more = fc.willContinue === true;
    const partial = Array.isArray(fc.partialArgs) ? fc.partialArgs : undefined;
    if (name) {
      this.closeOpen(out);
      this.closeCall(out);
      const index = this.nextIndex++;
      const id = typeof fc.id === 'string' && fc.id ? fc.id : responseCallId(this.salt, name, this.calls);
      this.calls++;
      out.push({ type: 'part_start', index, part: { type: 'tool_call', id, name } });
      if (signature) out.push({ type: 'signature', index, signature });
      if (!more && !partial) {
        // The usual case: the whole call in one part.
        out.push({ type: 'tool_args_delta', index, json: JSON.stringify(isObject(fc.args) ? fc.args : {}) });
        out.push({ type: 'part_end', index });
        return;
      }
      this.call = { index, writer: new PartialArgsWriter() };
    } else if (!this.call) {
      return; // a stray continuation (`{}`) with no call open
    } else if (signature) {
      out.push({ type: 'signature', index: this.call.index, signature });
    }
    const call = this.call!;
    if (partial) {
      for (const arg of partial) {
        if (!isObject(arg)) continue;
        const json = call.writer.push(arg);
        if (json) out.push({ type: 'tool_args_delta', index: call.index, json });
      }
    }
    if (!more) this.closeCall(out);
  }

  private openPart(kind: 'text' | 'thinking', out: StreamEvent[]): void {
    const index = this.nextIndex++;
    this.open = { index, kind };
    out.push({ type: 'part_start', index, part: { type: kind } });
  }

  private closeOpen(out: StreamEvent[]): void {
    if (!this.open) return;
    out.push({ type: 'part_end', index: this.open.index });
    this.open = undefined;
    if (this.textSignature) {
      const sig = this.textSignature;
      this.textSignature = undefined;
      this.signatureCarrier(sig, out);
    }
  }

  /** The signature of a text part travels on an empty thinking part (as in decodeResponse). */
  private signatureCarrier(signature: Signature, out: StreamEvent[]): void {
    const index = this.nextIndex++;
    out.push({ type: 'part_start', index, part: { type: 'thinking' } });
    out.push({ type: 'signature', index, signature });
    out.push({ type: 'part_end', index });
  }

  private closeCall(out: StreamEvent[]): void {
    if (!this.call) return;
    const { index, writer } = this.call;
    this.call = undefined;
    out.push({ type: 'tool_args_delta', index, json: writer.end() });
    out.push({ type: 'part_end', index });
  }
}
