// Response writing: JSON bodies and incremental streams, with chunk spacing and mid-stream drops.
import type { ServerResponse } from 'node:http';
import type { Dialect } from './types.js';

/** One SSE frame. Gemini uses CRLF line endings on the wire; the others use LF. */
export function sseFrame(data: unknown, event?: string, eol = '\n'): string {
  const head = event ? `event: ${event}${eol}` : '';
  return `${head}data: ${typeof data === 'string' ? data : JSON.stringify(data)}${eol}${eol}`;
}

export interface FramedStream {
  contentType: string;
  chunks: string[];
}

/**
 * Frames vendor event objects the way `dialect` streams them:
 * Anthropic and OpenAI Responses name each SSE event after the JSON's `type`; OpenAI chat sends data only
 * and ends with `data: [DONE]`; Gemini sends `data:` frames with CRLF under `?alt=sse`, and otherwise a
 * JSON array whose elements arrive one by one.
 */
export function frameEvents(dialect: Dialect, events: unknown[], geminiSse = true): FramedStream {
  const sse = 'text/event-stream; charset=utf-8';
  switch (dialect) {
    case 'anthropic':
    case 'openai-responses':
      return { contentType: sse, chunks: events.map((e) => sseFrame(e, eventType(e))) };
    case 'openai-chat':
      return { contentType: 'text/event-stream; charset=utf-8', chunks: [...events.map((e) => sseFrame(e)), 'data: [DONE]\n\n'] };
    case 'gemini':
      if (geminiSse) return { contentType: 'text/event-stream', chunks: events.map((e) => sseFrame(e, undefined, '\r\n')) };
      return {
        contentType: 'application/json; charset=UTF-8',
        chunks: events.length === 0 ? ['[]'] : events.map((e, i) => `${i === 0 ? '[' : ',\r\n'}${JSON.stringify(e)}${i === events.length - 1 ? ']' : ''}`),
      };
  }
}

function eventType(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string') return (e as { type: string }).type;
  return undefined;
}

export interface ResponderOptions {
  /** Pause between chunks; the first chunk is written immediately. */
  delayMs: number;
  /** Destroy the socket after this many chunks (a fault). */
  dropAfterChunks?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Responder {
  constructor(private readonly res: ServerResponse, private readonly opts: ResponderOptions) {}

  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    this.res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    if (this.opts.dropAfterChunks !== undefined) {
      // A non-streamed body is one chunk: cut it in half so the client sees a truncated body.
      this.res.write(text.slice(0, Math.floor(text.length / 2)), () => this.res.socket?.destroy());
      return;
    }
    this.res.end(text);
  }

  /** Resolves once the chunk is handed to the socket, so a later destroy() cannot swallow it. */
  private write(chunk: string): Promise<void> {
    return new Promise((resolve) => this.res.write(chunk, () => resolve()));
  }

  async stream(status: number, framed: FramedStream, headers: Record<string, string> = {}): Promise<void> {
    const { res } = this;
    res.writeHead(status, { 'content-type': framed.contentType, 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
    res.socket?.setNoDelay(true);
    res.flushHeaders();
    for (let i = 0; i < framed.chunks.length; i++) {
      if (i > 0 && this.opts.delayMs > 0) await sleep(this.opts.delayMs);
      if (res.destroyed || res.writableEnded) return; // the client went away
      if (this.opts.dropAfterChunks !== undefined && i >= this.opts.dropAfterChunks) {
        res.socket?.destroy();
        return;
      }
      await this.write(framed.chunks[i]);
    }
    if (this.opts.dropAfterChunks !== undefined && this.opts.dropAfterChunks >= framed.chunks.length) {
      res.socket?.destroy(); // dropped before the clean end of the stream
      return;
    }
    res.end();
  }
}
