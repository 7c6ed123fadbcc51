import type { Log } from '../util/log.js';
import type { LogEntry, Store } from '../store/types.js';

// The request log is written off the hot path: a finished request only appends its entry to a
// queue; the queue is written in batches (one transaction each, 200 entries at most) when it reaches
// `batchSize` or `intervalMs` after the first entry waiting. A failing store never fails a request: the batch is
// kept for the next try, and only when the queue exceeds `maxQueue` are the oldest entries dropped
// (counted, and said once per minute in the log).

export interface LogWriterOptions {
  batchSize?: number;
  intervalMs?: number;
  maxQueue?: number;
  onWritten?(n: number): void;
  onDropped?(n: number): void;
}

export class RequestLogWriter {
  private queue: LogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastDropWarning = 0;
  private closed = false;
  written = 0;
  dropped = 0;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly maxQueue: number;

  constructor(
    private readonly store: Store,
    private readonly log: Log,
    private readonly opts: LogWriterOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 200;
    this.intervalMs = opts.intervalMs ?? 200;
    this.maxQueue = opts.maxQueue ?? 100_000;
  }

  get queued(): number {
    return this.queue.length;
  }

  push(entry: LogEntry): void {
    this.queue.push(entry);
    if (this.queue.length > this.maxQueue) this.drop(this.queue.length - this.maxQueue);
    if (this.closed) return;
    if (this.queue.length >= this.batchSize) this.schedule(0);
    else this.schedule(this.intervalMs);
  }

  private drop(n: number): void {
    this.queue.splice(0, n);
    this.dropped += n;
    this.opts.onDropped?.(n);
    const now = Date.now();
    if (now - this.lastDropWarning > 60_000) {
      this.lastDropWarning = now;
      this.log.warn({ dropped: this.dropped }, 'request log: the store cannot keep up; oldest entries dropped');
    }
  }

  private schedule(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
    this.timer.unref();
  }

  /** Writes everything queued so far (waits for a write already running). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.queue.length === 0) return;
    this.running = this.writeAll().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  private async writeAll(): Promise<void> {
    let first = true;
    while (this.queue.length > 0) {
      // SQLite writes run on the event loop: one small transaction at a time (a 200-record batch takes
      // a few ms), letting requests in between.
      if (!first) await new Promise((r) => setImmediate(r));
      first = false;
      const batch = this.queue.splice(0, this.batchSize);
      try {
        await this.store.writeRequests(batch);
        this.written += batch.length;
        this.opts.onWritten?.(batch.length);
      } catch (err) {
        // Keep them for the next try; the queue bound decides what is lost if the store stays down.
        this.queue.unshift(...batch);
        if (this.queue.length > this.maxQueue) this.drop(this.queue.length - this.maxQueue);
        this.log.warn({ err: (err as Error).message, queued: this.queue.length }, 'request log: write failed; will retry');
        if (!this.closed) this.schedule(Math.max(this.intervalMs, 1000));
        return;
      }
    }
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
