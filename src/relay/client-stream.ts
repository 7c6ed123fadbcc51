import type { ServerResponse } from 'node:http';
import { SSE_KEEPALIVE } from '../util/sse.js';
import type { ClientAbort } from './client-abort.js';

// The client side of a streamed answer. It owns three promises the rest of the relay relies on:
// writes respect backpressure (a slow client slows the upstream read, never grows memory), a
// quiet stream gets `: ping` comments so proxies and load balancers keep it open (SSE clients
// ignore comment lines), and a client that goes away aborts the upstream request.

export class ClientStream {
  private lastWrite = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private readonly createdAt = Date.now();
  /** Milliseconds from creation to the first body byte written (undefined until then). */
  firstByteMs: number | undefined;

  constructor(
    private readonly raw: ServerResponse,
    private readonly abort: ClientAbort,
    private readonly keepaliveMs: number,
    /** False for non-SSE streams (Gemini's JSON array), where a comment would corrupt the body. */
    private readonly sse: boolean,
  ) {}

  get headersSent(): boolean {
    return this.started;
  }

  /**
   * Sends status and headers (once). `flush: false` lets them leave with the first body bytes, in
   * the same socket write (for answers whose body is already on its way); `'soon'` does the same
   * but sends them on their own after one turn of the event loop if no body byte came by then
   * (a relayed stream whose upstream is still thinking must show its 200 at once).
   */
  start(status: number, headers: Record<string, string>, flush: boolean | 'soon' = true): void {
    if (this.started) return;
    this.started = true;
    this.raw.writeHead(status, headers);
    if (flush === true) this.raw.flushHeaders();
    else if (flush === 'soon') {
      setImmediate(() => {
        // (`raw.headersSent` is already true after writeHead: whether a body byte left is ours to know.)
        if (this.firstByteMs === undefined && !this.raw.writableEnded && !this.raw.destroyed) this.raw.flushHeaders();
      });
    }
    this.lastWrite = Date.now();
  }

  /** Starts pinging after `keepaliveMs` of silence, also before the first upstream byte. */
  startKeepalive(beforeStart?: () => void): void {
    if (!this.sse || this.keepaliveMs <= 0) return;
    this.timer = setInterval(() => {
      if (Date.now() - this.lastWrite < this.keepaliveMs) return;
      if (!this.started) beforeStart?.();
      if (this.started && !this.raw.writableEnded) {
        this.raw.write(SSE_KEEPALIVE);
        this.lastWrite = Date.now();
      }
    }, Math.max(250, Math.min(this.keepaliveMs, 1000)));
    this.timer.unref();
  }

  /**
   * Writes a chunk. Returns a promise only when the client is slower than the upstream (wait for it
   * before writing more); undefined otherwise, so the usual chunk costs no promise and no microtask.
   */
  write(chunk: string | Uint8Array): Promise<unknown> | undefined {
    if (chunk.length === 0 || this.raw.writableEnded) return undefined;
    this.lastWrite = Date.now();
    this.firstByteMs ??= this.lastWrite - this.createdAt;
    return this.raw.write(chunk) ? undefined : this.drained();
  }

  /**
   * Settles when the client has taken what was written ('drain'); rejects when it goes away. Performance
   * (bench/README.md, finding 20): `once(raw, 'drain', { signal })` made an AbortSignal per request and
   * added and removed an EventTarget listener on it at every wait — ~2 % of a relayed stream's CPU when
   * the client reads slower than the upstream writes. The abort is an EventEmitter already.
   */
  private drained(): Promise<void> {
    const { raw, abort } = this;
    return new Promise((resolve, reject) => {
      if (abort.aborted) return reject(clientGone());
      const settle = (err?: Error) => {
        raw.off('drain', onDrain);
        raw.off('error', settle);
        abort.off('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => settle();
      const onAbort = () => settle(clientGone());
      raw.on('drain', onDrain);
      raw.on('error', settle);
      abort.on('abort', onAbort);
    });
  }

  end(final?: string): void {
    this.stopKeepalive();
    if (this.raw.writableEnded || this.raw.destroyed) return;
    if (final) this.firstByteMs ??= Date.now() - this.createdAt;
    if (final) this.raw.end(final);
    else this.raw.end();
  }

  stopKeepalive(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** What a wait for a client that went away rejects with (as Node's own abortable waits do). */
function clientGone(): Error {
  return Object.assign(new Error('The client closed the connection.'), { name: 'AbortError', code: 'ABORT_ERR' });
}

export const SSE_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};
