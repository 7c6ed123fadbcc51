import type { IncomingHttpHeaders } from 'node:http';
import { errors as undiciErrors, type Dispatcher } from 'undici';
import type { ClientAbort } from './client-abort.js';

// One upstream request on undici's handler interface (`dispatcher.dispatch`), and its answer's body
// handed to the relay chunk by chunk. Performance (bench/README.md, finding 21): undici's `request()`
// wraps every response in an AsyncResource and a Readable stream, and relaying that body with
// `for await` adds an async iterator and a promise per chunk — about 10 µs of CPU per small JSON
// exchange in process, more on a busy machine. Here each chunk is a plain call, backpressure is
// undici's pause/resume, and the client's disconnect aborts the request without an event listener.

export interface UpstreamRequestOptions {
  origin: string;
  path: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Wait for the response headers (undici's per-request headers timeout). */
  headersTimeout?: number;
}

export interface UpstreamResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: UpstreamBody;
}

/** What the relay does with each body chunk. A returned promise pauses the upstream until it settles. */
export type ChunkSink = (chunk: Buffer) => Promise<unknown> | undefined | void;

/** The body of an upstream answer, read once: by `forEach`, `text` or `json`, or thrown away by `discard`. */
export interface UpstreamBody {
  /** Hands every chunk to `sink` in order; settles when the body has ended, rejects when it broke. */
  forEach(sink: ChunkSink): Promise<void>;
  text(): Promise<string>;
  json(): Promise<unknown>;
  /** Stops reading a body nobody will read (the connection is closed, not left paused). */
  discard(): void;
}

/** Sends one request; settles with status and headers, before the body is read. */
export function requestUpstream(dispatcher: Dispatcher, opts: UpstreamRequestOptions, abort: ClientAbort): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    const exchange = new UpstreamExchange(abort, resolve, reject);
    try {
      dispatcher.dispatch(opts, exchange);
    } catch (err) {
      exchange.onResponseError(undefined, err as Error);
    }
  });
}

/** The empty queue, shared (never pushed to: the first chunk makes a queue of its own). */
const NOTHING_QUEUED: Buffer[] = [];

/** What may arrive before the relay reads (as much as undici's own body stream buffers). */
const QUEUE_BYTES = 64 * 1024;

class UpstreamExchange implements Dispatcher.DispatchHandler, UpstreamBody {
  private controller: Dispatcher.DispatchController | undefined;
  private reason: Error | undefined;
  private responded = false;
  /** Chunks that arrived while nobody was reading, or while the reader was busy. */
  private queue: Buffer[] = NOTHING_QUEUED;
  private queuedBytes = 0;
  private sink: ChunkSink | undefined;
  private settle: ((err?: Error) => void) | undefined;
  /** The reader returned a promise: nothing is handed over until it settles. */
  private waiting = false;
  private ended = false;
  private failure: Error | undefined;
  private claimed = false;
  /** A flush is queued as a microtask (see onResponseData). */
  private scheduled = false;
  private readonly flushScheduled = () => {
    this.scheduled = false;
    if (this.sink !== undefined && !this.waiting) this.flush();
  };
  private readonly onClientAbort = () => this.cancel(new undiciErrors.RequestAbortedError());
  // Let go of once used (see `release`).
  private abort: ClientAbort | undefined;
  private resolve: ((res: UpstreamResponse) => void) | undefined;
  private reject: ((err: Error) => void) | undefined;

  constructor(abort: ClientAbort, resolve: (res: UpstreamResponse) => void, reject: (err: Error) => void) {
    this.abort = abort;
    this.resolve = resolve;
    this.reject = reject;
    abort.upstream = this.onClientAbort;
  }

  private cancel(reason: Error): void {
    this.reason ??= reason;
    this.controller?.abort(reason);
  }

  /**
   * The upstream exchange is over: nothing more to pause, resume or cancel. Everything it pointed to
   * is let go, so a finished exchange that a scavenge finds in old space (V8 pretenures allocation
   * sites whose objects tend to survive) keeps none of the request's young objects alive: such
   * nepotism, once started, promoted ~0.7 MB per scavenge at c=32 (bench/README.md, finding 21).
   */
  private release(): void {
    const abort = this.abort;
    if (abort !== undefined && abort.upstream === this.onClientAbort) abort.upstream = undefined;
    this.abort = undefined;
    this.controller = undefined;
    this.resolve = undefined;
    this.reject = undefined;
  }

  // undici's side

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.reason) controller.abort(this.reason);
    else if (this.abort?.aborted) this.cancel(new undiciErrors.RequestAbortedError());
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: the answer is still to come
    this.responded = true;
    const resolve = this.resolve;
    this.resolve = undefined;
    this.reject = undefined;
    resolve?.({ statusCode, headers, body: this });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.queue === NOTHING_QUEUED) this.queue = [chunk];
    else this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    // A busy reader holds the upstream at once. Before anyone reads (an answer's first bytes usually
    // come with its headers), up to QUEUE_BYTES wait: pausing undici's parser only to resume it a
    // microtask later costs more than it saves.
    if (this.waiting || this.queuedBytes > QUEUE_BYTES) controller.pause();
    else if (this.sink !== undefined && !this.scheduled) {
      // undici hands over every HTTP chunk (a stream's every event) on its own; what one socket read
      // brought goes to the reader at once, after undici has parsed all of it, as one chunk: one
      // write to the client instead of one per event.
      this.scheduled = true;
      queueMicrotask(this.flushScheduled);
    }
  }

  onResponseEnd(): void {
    this.ended = true;
    this.release();
    if (!this.waiting && !this.scheduled && this.queue.length === 0) this.finish();
  }

  onResponseError(_c: Dispatcher.DispatchController | undefined, err: Error): void {
    const reject = this.reject;
    this.release();
    if (!this.responded) {
      this.responded = true;
      reject?.(err);
      return;
    }
    this.failure ??= err;
    this.dropQueue(); // what follows a failure is not relayed
    if (!this.waiting) this.finish();
  }

  // the relay's side

  forEach(sink: ChunkSink): Promise<void> {
    if (this.claimed) return Promise.reject(new Error('An upstream body can be read only once.'));
    this.claimed = true;
    return new Promise((resolve, reject) => {
      this.sink = sink;
      this.settle = (err) => (err ? reject(err) : resolve());
      this.flush();
    });
  }

  async text(): Promise<string> {
    const chunks: Buffer[] = [];
    await this.forEach((chunk) => void chunks.push(chunk));
    return chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  discard(): void {
    this.claimed = true;
    this.dropQueue();
    if (!this.ended && !this.failure) this.cancel(new undiciErrors.RequestAbortedError('The answer was not read.'));
  }

  /** Hands one chunk to the reader; a reader that throws or rejects ends the exchange. */
  private deliver(chunk: Buffer): void {
    let slow: Promise<unknown> | undefined | void;
    try {
      slow = (this.sink as ChunkSink)(chunk);
    } catch (err) {
      this.readerFailed(err as Error);
      return;
    }
    if (!slow) return;
    this.waiting = true;
    slow.then(
      () => {
        this.waiting = false;
        this.flush();
      },
      (err: Error) => {
        this.waiting = false;
        this.readerFailed(err);
      },
    );
  }

  /** Hands over what queued up, as one chunk, then lets undici go on (or settles, when the body is over). */
  private flush(): void {
    const { queue } = this;
    if (queue.length > 0 && this.failure === undefined) {
      const chunk = queue.length === 1 ? queue[0] : Buffer.concat(queue, this.queuedBytes);
      this.dropQueue();
      this.deliver(chunk);
    }
    if (this.waiting) return;
    if (this.failure !== undefined || this.ended) this.finish();
    else this.controller?.resume();
  }

  private readerFailed(err: Error): void {
    this.failure ??= err;
    this.dropQueue();
    if (!this.ended) this.cancel(err);
    this.finish();
  }

  private dropQueue(): void {
    this.queue = NOTHING_QUEUED;
    this.queuedBytes = 0;
  }

  private finish(): void {
    const settle = this.settle;
    if (settle === undefined) return; // nobody reads yet: forEach settles on its own
    this.settle = undefined;
    this.sink = undefined;
    settle(this.failure);
  }
}
