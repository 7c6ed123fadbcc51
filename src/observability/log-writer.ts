import { LogWorkerGone, logWorkerScript, RequestLogThread } from '../store/request-log-thread.js';
import type { LogEntry, SharedDatabase, Store } from '../store/types.js';
import type { Log } from '../util/log.js';

// The request log is written off the hot path: a finished request only appends its entry to a
// queue; the queue is written in batches (one transaction each, 200 entries at most) when it reaches
// `batchSize` or `intervalMs` after the first entry waiting. A failing store never fails a request: the batch is
// kept for the next try, and only when the queue exceeds `maxQueue` are the oldest entries dropped
// (counted, and said once per minute in the log).
//
// Where the batches are written: when the store shares its database file (SQLite on disk), in a
// worker thread with its own connection (src/store/request-log-thread.ts), which also runs the WAL
// checkpoints — a 200-entry transaction costs ~2 ms and a checkpoint's fsync several, none of which
// should stall the event loop that relays requests. The main thread only posts the batches (messages
// of POST_BATCH entries, each one transaction there) and counts one written when the worker says it is
// committed; a flush takes what was queued when it began, later entries wait for their own timer. Otherwise — an in-memory
// database, no built worker script (running from the TypeScript sources without dist/), a worker that
// does not start — `store.writeRequests` on this thread, said once in the log. A worker that dies is
// replaced (up to MAX_WORKER_RESTARTS times, then this thread writes), and the batch it had is sent again
// (the store ignores an id it already has, so nothing is logged or counted twice).

/** Workers started again after one died, before the log is written on the main thread for good. */
const MAX_WORKER_RESTARTS = 3;
/** Records per message to the worker thread (see writeAll). */
const POST_BATCH = 50;

export interface LogWriterOptions {
  batchSize?: number;
  intervalMs?: number;
  maxQueue?: number;
  onWritten?(n: number): void;
  onDropped?(n: number): void;
  /** Write in a worker thread when the store can share its database (default true); false keeps writing on this thread. */
  worker?: boolean;
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
  private thread: RequestLogThread | undefined;
  /** The worker being started (or started again); settles (never rejects) once it is known where batches go. */
  private starting: Promise<void> | undefined;
  private shared: SharedDatabase | undefined;
  private restarts = 0;
  private cloneWarned = false;

  constructor(
    private readonly store: Store,
    private readonly log: Log,
    private readonly opts: LogWriterOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 200;
    this.intervalMs = opts.intervalMs ?? 200;
    this.maxQueue = opts.maxQueue ?? 100_000;
    if (opts.worker !== false) this.starting = this.startWorker();
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Where batches are written now: by the worker thread, or on this thread (also while a worker starts). */
  get mode(): 'worker' | 'main' {
    return this.thread ? 'worker' : 'main';
  }

  private async startWorker(): Promise<void> {
    try {
      const shared = this.store.sharedDatabase?.();
      if (!shared) {
        this.log.info('request log: written on the main thread (the store has no database file a worker could share, e.g. in-memory)');
        return;
      }
      const script = logWorkerScript();
      if (!script) {
        this.log.info('request log: written on the main thread (no built worker script: running from the TypeScript sources without dist/)');
        return;
      }
      this.thread = await RequestLogThread.start(script, shared.file, (t, err) => this.lost(t, err));
      this.shared = shared;
      shared.handOverCheckpoints(true);
      this.log.debug({ file: shared.file }, 'request log: written by a worker thread');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'request log: the worker thread did not start; written on the main thread');
    }
  }

  /** The worker ended on its own (its batch in flight is rejected right after, and sent again by writeAll). */
  private lost(t: RequestLogThread, err: Error): void {
    if (this.thread !== t) return;
    this.thread = undefined;
    this.shared?.handOverCheckpoints(false);
    if (!this.closed && this.restarts < MAX_WORKER_RESTARTS) {
      this.restarts += 1;
      this.log.warn({ err: err.message, restart: this.restarts, queued: this.queue.length }, 'request log: the worker thread stopped; starting another');
      this.starting = this.startWorker();
    } else {
      this.log.warn({ err: err.message, queued: this.queue.length }, 'request log: the worker thread stopped; written on the main thread from now on');
    }
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
    // Only what was queued when this write began: entries arriving while a batch is with the worker
    // wait for their own timer. (Looping until the queue is empty made one tiny transaction per
    // round trip under load — ~5 records each, ten times the commits.)
    let left = this.queue.length;
    while (left > 0 && this.queue.length > 0) {
      // On this thread, SQLite writes run on the event loop: one small transaction at a time (a
      // 200-record batch takes a few ms), letting requests in between.
      if (!first) await new Promise((r) => setImmediate(r));
      first = false;
      await this.starting;
      const thread = this.thread;
      // To the worker in messages of POST_BATCH at most: copying a message to the other thread
      // blocks this one (~2.5 µs a record, measured), so a 200-record message held every request
      // arriving meanwhile for ~0.5 ms; 50 records hold them ~0.13 ms.
      const batch = this.queue.splice(0, Math.min(thread ? POST_BATCH : this.batchSize, left));
      try {
        await this.writeBatch(batch, thread);
        left -= batch.length;
        this.written += batch.length;
        this.opts.onWritten?.(batch.length);
      } catch (err) {
        // Keep them for the next try; the queue bound decides what is lost if the store stays down.
        this.queue.unshift(...batch);
        if (this.queue.length > this.maxQueue) this.drop(this.queue.length - this.maxQueue);
        // The worker died with the batch: lost() has started another or turned to this thread; write it there now.
        if (err instanceof LogWorkerGone && this.thread !== thread) continue;
        this.log.warn({ err: (err as Error).message, queued: this.queue.length }, 'request log: write failed; will retry');
        if (!this.closed) this.schedule(Math.max(this.intervalMs, 1000));
        return;
      }
    }
  }

  private async writeBatch(batch: LogEntry[], thread: RequestLogThread | undefined): Promise<void> {
    if (!thread) return this.store.writeRequests(batch);
    try {
      await thread.write(batch);
    } catch (err) {
      if ((err as Error).name !== 'DataCloneError') throw err;
      // An entry holds something that cannot be posted to another thread (a function, say): this batch is written here.
      if (!this.cloneWarned) this.log.warn({ err: (err as Error).message }, 'request log: an entry could not be posted to the worker; such batches are written on the main thread');
      this.cloneWarned = true;
      await this.store.writeRequests(batch);
    }
  }

  /** Stops the timer, writes what is left and stops the worker thread. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    await this.starting;
    const thread = this.thread;
    if (!thread) return;
    this.thread = undefined;
    await thread.close();
    this.shared?.handOverCheckpoints(false);
  }
}
