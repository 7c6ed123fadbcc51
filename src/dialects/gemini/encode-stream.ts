import { randomId } from '../../canonical/ids.js';
import { wrapSignature } from '../../canonical/signature.js';
import { mergeUsage } from '../../canonical/usage.js';
import type { PartStart, Signature, StreamEvent, Usage } from '../../canonical/types.js';
import type { StreamEncoder, StreamEncoderContext } from '../codec.js';
import { geminiErrorObject } from './errors.js';
import { toArgsObject } from './function-args.js';
import { toGeminiFinishReason } from './map-finish-reason.js';
import { toGeminiUsage } from './map-usage.js';
import type { GeminiPart, GeminiResponse } from './wire.js';

// Canonical stream -> what Google sends for streamGenerateContent:
//  - `?alt=sse`: one `data: {GenerateContentResponse}` frame per chunk, frames ended by \r\n\r\n as
//    Google does (the @google/genai SDK splits on \r\n\r\n or \n\n);
//  - without it: one JSON array streamed element by element, `[{…}\n,{…}\n]`.
// A chunk per text/thought delta; a function call goes out whole when its arguments are complete
// (part_end), as Gemini itself sends calls; the last chunk carries finishReason and usageMetadata.

interface EncPart {
  kind: PartStart['type'];
  id: string;
  name: string;
  args: string;
  hadText: boolean;
  signature?: Signature;
  closed: boolean;
}

export function createStreamEncoder(ctx: StreamEncoderContext): StreamEncoder {
  return new GeminiStreamEncoder(ctx);
}

class GeminiStreamEncoder implements StreamEncoder {
  private readonly sse: boolean;
  private readonly parts = new Map<number, EncPart>();
  private responseId: string | undefined;
  private usage: Usage | undefined;
  private wrote = false;
  private finished = false;

  constructor(private readonly ctx: StreamEncoderContext) {
    this.sse = ctx.geminiSse === true;
  }

  push(ev: StreamEvent): string {
    if (this.finished) return '';
    switch (ev.type) {
      case 'start':
        this.responseId = ev.id;
        if (ev.usage) this.usage = mergeUsage(this.usage, ev.usage);
        return '';
      case 'part_start':
        this.partFor(ev.index, ev.part);
        return '';
      case 'text_delta':
      case 'thinking_delta': {
        const p = this.partFor(ev.index, { type: ev.type === 'text_delta' ? 'text' : 'thinking' });
        if (ev.text === '' || p.closed) return '';
        p.hadText = true;
        return this.chunk([p.kind === 'thinking' ? { text: ev.text, thought: true } : { text: ev.text }]);
      }
      case 'signature':
        this.partFor(ev.index, { type: 'thinking' }).signature = ev.signature;
        return '';
      case 'tool_args_delta': {
        const p = this.partFor(ev.index, { type: 'tool_call', id: randomId('call_'), name: '' });
        p.args += ev.json;
        return '';
      }
      case 'part_end':
        return this.close(ev.index);
      case 'usage':
        this.usage = mergeUsage(this.usage, ev.usage);
        return '';
      case 'finish': {
        let out = this.closeAll();
        if (ev.usage) this.usage = ev.usage;
        out += this.chunk([{ text: '' }], toGeminiFinishReason(ev.reason));
        this.finished = true;
        return out;
      }
      case 'error':
        this.finished = true;
        return this.frame(JSON.stringify(geminiErrorObject(ev.error)));
    }
  }

  end(): string {
    if (this.sse) return '';
    return this.wrote ? ']' : '[]';
  }

  /** The part at `index`, started lazily when its part_start never came. */
  private partFor(index: number, start: PartStart): EncPart {
    let p = this.parts.get(index);
    if (!p) {
      p = {
        kind: start.type,
        id: start.type === 'tool_call' ? start.id : '',
        name: start.type === 'tool_call' ? start.name : '',
        args: '',
        hadText: false,
        closed: false,
      };
      this.parts.set(index, p);
    }
    return p;
  }

  private close(index: number): string {
    const p = this.parts.get(index);
    if (!p || p.closed) return '';
    p.closed = true;
    const sig = p.signature ? wrapSignature(p.signature, 'gemini') : undefined;
    switch (p.kind) {
      case 'tool_call': {
        let args: unknown = {};
        if (p.args.trim() !== '') {
          try {
            args = JSON.parse(p.args);
          } catch {
            args = p.args; // not JSON: toArgsObject keeps the text
          }
        }
        return this.chunk([
          { functionCall: { id: p.id, name: p.name, args: toArgsObject(args) }, ...(sig !== undefined && { thoughtSignature: sig }) },
        ]);
      }
      case 'thinking':
        if (sig === undefined) return '';
        // A thinking part without text only carries the signature of the text before it, which
        // Google sends as an empty non-thought text part.
        return this.chunk([p.hadText ? { text: '', thought: true, thoughtSignature: sig } : { text: '', thoughtSignature: sig }]);
      case 'text':
        return sig === undefined ? '' : this.chunk([{ text: '', thoughtSignature: sig }]);
    }
  }

  private closeAll(): string {
    let out = '';
    for (const index of [...this.parts.keys()].sort((a, b) => a - b)) out += this.close(index);
    return out;
  }

  private chunk(parts: GeminiPart[], finishReason?: string): string {
    const body: GeminiResponse = {
      candidates: [{ content: { parts, role: 'model' }, ...(finishReason !== undefined && { finishReason }), index: 0 }],
    };
    if (finishReason !== undefined && this.usage) body.usageMetadata = toGeminiUsage(this.usage);
    body.modelVersion = this.ctx.requestModel;
    body.responseId = this.responseId ??= randomId('gen-');
    return this.frame(JSON.stringify(body));
  }

  private frame(json: string): string {
    if (this.sse) return `data: ${json}\r\n\r\n`;
    const prefix = this.wrote ? ',' : '[';
    this.wrote = true;
    return `${prefix}${json}\n`;
  }
}
