import type { Usage } from '../canonical/types.js';
import { mergeUsage } from '../canonical/usage.js';
import type { DialectCodec, StreamDecoder } from '../dialects/codec.js';
import { lastMember, UNDECIDED } from '../util/json-tail.js';
import { SseParser, type SseEvent } from '../util/sse.js';

// Reads token usage from an answer that is relayed byte for byte, on the side: the bytes go to the
// client first, then a copy is parsed. Usage is what the upstream reported — never invented.

const MAX_JSON_BYTES = 8 * 1024 * 1024;
const MAX_PARTIAL_BYTES = 1024 * 1024;
const USAGE = Buffer.from('usage');

// SSE events end with a blank line: "\n\n", "\r\n\r\n" or "\r\r" (mixed endings are rare; the
// framing below then just waits for a later boundary, and the parser still reads every line end).

/** Where the last complete SSE event ends (just past its blank line), or -1 when none has ended. */
function completeEventsEnd(buf: Buffer): number {
  return eventStart(buf, buf.length) || -1;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Where the event holding byte `at` starts: just past the blank line before it (0 when none). Byte by
 * byte backwards, stopping at the nearest blank line — usually a few bytes away. (Three lastIndexOf
 * calls, one per line ending, each scanned the whole chunk for the endings a stream never uses.)
 */
function eventStart(buf: Buffer, at: number): number {
  for (let i = Math.min(at, buf.length) - 1; i >= 1; i -= 1) {
    const c = buf[i];
    if (c === LF) {
      const p = buf[i - 1];
      if (p === LF || (p === CR && i >= 3 && buf[i - 2] === LF && buf[i - 3] === CR)) return i + 1; // \n\n, \r\n\r\n
    } else if (c === CR && buf[i - 1] === CR) return i + 1; // \r\r
  }
  return 0;
}

/** Where the event holding byte `at` ends: just past its blank line (the buffer's end when none). */
function eventEnd(buf: Buffer, at: number): number {
  for (let i = at; i < buf.length - 1; i += 1) {
    const c = buf[i];
    if (c === LF) {
      if (buf[i + 1] === LF) return i + 2; // \n\n
    } else if (c === CR) {
      const n = buf[i + 1];
      if (n === CR) return i + 2; // \r\r
      if (n === LF && buf[i + 2] === CR && buf[i + 3] === LF) return i + 4; // \r\n\r\n
    }
  }
  return buf.length;
}

export class UsageTap {
  private parser: SseParser | undefined;
  /** SSE bytes after the last complete event, waiting for the rest of it. */
  private partial: Buffer | undefined;
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
      if (this.parser) this.pushSse(chunk);
      else if (this.size + chunk.length <= MAX_JSON_BYTES) {
        this.chunks.push(chunk);
        this.size += chunk.length;
      } else this.failed = true;
    } catch {
      this.failed = true; // a tap must never break the relay
    }
  }

  /**
   * Performance (bench/README.md, scenario 2): only events that mention usage are parsed and decoded.
   * In every dialect usage rides on a few events (Anthropic message_start/message_delta, OpenAI's
   * last chunk, Gemini's usageMetadata, Responses' response.completed), and each decoder reports it
   * from that event alone. The bytes are cut at the last complete event (a blank line) and the
   * complete part goes to the SSE parser only when the bytes "usage" occur in it — one native search
   * per chunk instead of decoding and splitting every text delta (the tap was 12% of a relayed
   * 200-chunk stream's CPU). The parser always starts at an event boundary, so skipping is exact.
   */
  private pushSse(chunk: Buffer): void {
    const parser = this.parser as SseParser;
    const buf = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    const end = completeEventsEnd(buf);
    if (end < 0) {
      this.partial = buf;
      // No blank line in a long run of bytes (line ends this framing does not know): parse it all.
      if (buf.length > MAX_PARTIAL_BYTES) this.parseEvents(parser.push(this.takePartial()));
      return;
    }
    this.partial = end < buf.length ? buf.subarray(end) : undefined;
    const complete = end < buf.length ? buf.subarray(0, end) : buf;
    // Only the events around each mention of usage: a fast upstream sends many events per chunk.
    let from = 0;
    for (;;) {
      const at = complete.indexOf(USAGE, from);
      if (at < 0) break;
      const start = eventStart(complete, at);
      const stop = eventEnd(complete, at);
      this.parseEvents(parser.push(complete.subarray(start, stop)));
      from = stop;
    }
  }

  private takePartial(): Buffer {
    const b = this.partial ?? Buffer.alloc(0);
    this.partial = undefined;
    return b;
  }

  private parseEvents(events: SseEvent[]): void {
    for (const ev of events) if (ev.data.includes('usage')) this.absorb((this.decoder as StreamDecoder).push(ev));
  }

  /** The usage the upstream reported, or undefined when it reported none. */
  end(): Usage | undefined {
    if (this.failed) return undefined;
    try {
      if (this.parser) {
        if (this.partial) this.parseEvents(this.parser.push(this.takePartial()));
        this.parseEvents(this.parser.end());
      } else if (this.size > 0) {
        const bytes = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
        // Only the usage member, read from the end (util/json-tail.ts); the whole answer parsed only when
        // that cannot settle it. Parsing it whole held the event loop in proportion to the answer: a
        // recorded 67 KB answer 157–189 µs, against 2 µs from the end (bench/README.md, finding 18).
        const member = this.codec.usageMember;
        const found = lastMember(bytes, member);
        let last: unknown;
        if (found !== UNDECIDED) last = found === undefined ? undefined : { [member]: found };
        else {
          const body: unknown = JSON.parse(bytes.toString('utf8'));
          last = Array.isArray(body) ? body[body.length - 1] : body;
        }
        this.usage = this.codec.decodeUsage(last);
      }
    } catch {
      return undefined;
    }
    return this.usage && (this.usage.inputTokens || this.usage.outputTokens) ? mergeUsage(undefined, this.usage) : undefined;
  }

  private absorb(events: ReturnType<StreamDecoder['push']>): void {
    for (const ev of events) {
      if (ev.type === 'usage') this.usage = Object.assign({}, this.usage, ev.usage);
      else if (ev.type === 'finish' && ev.usage) this.usage = Object.assign({}, this.usage, ev.usage);
      else if (ev.type === 'start' && ev.usage) this.usage = Object.assign({}, ev.usage, this.usage);
    }
  }
}
