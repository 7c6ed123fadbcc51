import type { Usage } from '../canonical/types.js';
import { mergeUsage } from '../canonical/usage.js';
import type { DialectCodec, StreamDecoder } from '../dialects/codec.js';
import { SseParser } from '../util/sse.js';

// Reads token usage from an answer that is relayed byte for byte, on the side: the bytes go to the
// client first, then a copy is parsed. Usage is what the upstream reported — never invented.

const MAX_JSON_BYTES = 8 * 1024 * 1024;

export class UsageTap {
  private parser: SseParser | undefined;
  private decoder: StreamDecoder | undefined;
  private chunks: Buffer[] = [];
  private size = 0;
  private usage: Partial<Usage> | undefined;
  private failed = false;

  constructor(
    private readonly codec: DialectCodec,
    /** 'sse' for event streams; 'json' for a JSON body (or Gemini's streamed JSON array). */
    private readonly mode: 'sse' | 'json',
  ) {
    if (mode === 'sse') {
      this.parser = new SseParser();
      this.decoder = codec.createStreamDecoder();
    }
  }

  push(chunk: Buffer): void {
    if (this.failed) return;
    try {
      if (this.parser && this.decoder) {
        for (const ev of this.parser.push(chunk)) {
          // Performance (bench/README.md, scenario 2): only events that mention usage are decoded.
          // In every dialect usage rides on a few events (Anthropic message_start/message_delta,
          // OpenAI's last chunk, Gemini's usageMetadata, Responses' response.completed), and each
          // decoder reports it from that event alone; decoding every text delta (JSON.parse per
          // event) was a fifth of the CPU of a relayed stream.
          if (ev.data.includes('usage')) this.absorb(this.decoder.push(ev));
        }
      } else if (this.size + chunk.length <= MAX_JSON_BYTES) {
        this.chunks.push(chunk);
        this.size += chunk.length;
      } else this.failed = true;
    } catch {
      this.failed = true; // a tap must never break the relay
    }
  }

  /** The usage the upstream reported, or undefined when it reported none. */
  end(): Usage | undefined {
    if (this.failed) return undefined;
    try {
      if (this.parser && this.decoder) {
        for (const ev of this.parser.end()) if (ev.data.includes('usage')) this.absorb(this.decoder.push(ev));
      } else if (this.size > 0) {
        const body: unknown = JSON.parse(Buffer.concat(this.chunks, this.size).toString('utf8'));
        const last = Array.isArray(body) ? body[body.length - 1] : body;
        // Only the usage object is read, not the whole answer decoded (it was ~5% of a relayed request's CPU).
        this.usage = this.codec.decodeUsage(last);
      }
    } catch {
      return undefined;
    }
    return this.usage && (this.usage.inputTokens || this.usage.outputTokens) ? mergeUsage(undefined, this.usage) : undefined;
  }

  private absorb(events: ReturnType<StreamDecoder['push']>): void {
    for (const ev of events) {
      if (ev.type === 'usage') this.usage = { ...this.usage, ...ev.usage };
      else if (ev.type === 'finish' && ev.usage) this.usage = { ...this.usage, ...ev.usage };
      else if (ev.type === 'start' && ev.usage) this.usage = { ...ev.usage, ...this.usage };
    }
  }
}
