import { LogRing } from '../store/log-ring.js';
import { LogWorkerGone, logWorkerScript, RequestLogThread } from '../store/request-log-thread.js';
import { entryRefused } from '../store/request-batch.js';
import type { LogEntry, SharedDatabase, Store } from '../store/types.js';
import type { Log } from '../util/log.js';

// The request log is written off the hot path: a finished request only hands its entry over, and the
// entries are written in batches (one transaction each). A failing store never fails a request: what
// could not be written is kept for the next try, and only when more than `maxQueue` entries wait are
// the oldest dropped (counted, and said once per minute in the log).
//
// Where they are written: when the store shares its database file (SQLite on disk), by a worker thread
// with its own connection (src/store/request-log-thread.ts), which also runs the WAL checkpoints — a
// 200-entry transaction costs ~2 ms and a checkpoint's fsync several, none of which should stall the
// event loop that relays requests. The entry is appended as JSON to a ring in shared memory
// (src/store/log-ring.ts) and the worker reads the ring every `intervalMs` on its own: nothing is posted
// and nothing answers per batch, so the event loop is neither held by a copy nor woken (posting batches
// as messages was a third of the slow requests at c=1). Entries the ring cannot take (it is full, or one
// is too large for it) wait in a queue, move into the ring at the next flush as far as it has room, and
// what still does not fit is posted in messages of POST_BATCH, each one transaction there; a flush asks
// the worker to drain the ring and writes the queue, and settles once both are committed. Otherwise —
// an in-memory database, no built worker script (running from the TypeScript sources without dist/),
// a worker that does not start — the queue is written with `store.writeRequests` on this thread,
// `batchSize` entries or `intervalMs` after the first waiting, said once in the log. A
// worker that dies is replaced (up to MAX_WORKER_RESTARTS times, then this thread writes, taking over
// what the ring holds), and what it had not committed is written again (the store ignores an id it
// already has, so nothing is logged or counted twice).

/** Workers started again after one died, before the log is written on the main thread for good. */
const MAX_WORKER_RESTARTS = 3;
/** Records per message to the worker thread (see writeAll). */
const POST_BATCH = 50;
/** Shared memory for entries on their way to the worker: ~6,000 entries without bodies, seconds of the heaviest load. */
const RING_BYTES = 4 * 1024 * 1024;

export interface LogWriterOptions {
  batchSize?: number;
  intervalMs?: number;
  maxQueue?: number;
  onDropped?(n: number): void;
  /** Write in a worker thread when the store can share its database (default true); false keeps writing on this thread. */
  worker?: boolean;
  /** Bytes of the ring shared with the worker (a power of two; tests make it small). */
  ringBytes?: number;
}

export class RequestLogWriter {
  private queue: LogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastDropWarning = 0;
  private closed = false;
  /** Entries written from the queue, and by the worker from rings no longer in use. */
  private writtenOther = 0;
  dropped = 0;
  /** Shared with the worker while one runs (kept for the next one when it dies). */
  private ring: LogRing<LogEntry> | undefined;
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

  /** Entries waiting to be written (in the ring and in the queue). */
  get queued(): number {
    return this.queue.length + (this.ring?.pending ?? 0);
  }

  /** Entries written so far. */
  get written(): number {
    return this.writtenOther + (this.ring?.written ?? 0);
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
      const ring = this.ring ?? new LogRing<LogEntry>(this.opts.ringBytes ?? RING_BYTES);
      this.thread = await RequestLogThread.start(
        script,
        { file: shared.file, ring: ring.buffer, intervalMs: this.intervalMs },
        { onLost: (t, err) => this.lost(t, err), onRetrying: (message) => this.retrying(message), onDropped: (n, message) => this.refused(n, message) },
      );
      this.ring = ring;
      this.shared = shared;
      shared.handOverCheckpoints(true);
      this.log.debug({ file: shared.file, lowPriorityThread: this.thread.lowPriorityThreadId }, 'request log: written by a worker thread');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'request log: the worker thread did not start; written on the main thread');
      this.takeRing();
    }
  }

  /** This thread becomes the ring's reader for good: what it holds moves to the front of the queue. */
  private takeRing(): void {
    const ring = this.ring;
    if (!ring) return;
    this.ring = undefined;
    this.writtenOther += ring.written;
    const { entries, unreadable } = ring.read(Infinity);
    if (unreadable > 0) this.refused(unreadable, `${unreadable} frame(s) of the shared ring did not hold a JSON record (a bug)`);
    if (entries.length === 0) return;
    this.queue.unshift(...entries);
    if (this.queue.length > this.maxQueue) this.drop(this.queue.length - this.maxQueue);
    if (!this.closed) this.schedule(0);
  }

  private retrying(message: string): void {
    this.log.warn({ err: message, queued: this.queued }, 'request log: write failed; will retry');
  }

  /** Entries left out because they cannot be stored (counted as dropped; the rest of their batch was written). */
  private refused(n: number, message: string): void {
    this.dropped += n;
    this.opts.onDropped?.(n);
    this.log.warn({ err: message, dropped: n }, 'request log: an entry cannot be stored; left out, the others written');
  }

  /** The worker ended on its own (its batch in flight is rejected right after, and sent again by writeAll). */
  private lost(t: RequestLogThread, err: Error): void {
    if (this.thread !== t) return;
    this.thread = undefined;
    this.shared?.handOverCheckpoints(false);
    if (!this.closed && this.restarts < MAX_WORKER_RESTARTS) {
      this.restarts += 1;
      this.log.warn({ err: err.message, restart: this.restarts, queued: this.queued }, 'request log: the worker thread stopped; starting another');
      this.starting = this.startWorker();
    } else {
      this.log.warn({ err: err.message, queued: this.queued }, 'request log: the worker thread stopped; written on the main thread from now on');
      this.takeRing();
    }
  }

  push(entry: LogEntry): void {
    // Into the ring unless entries already wait in the queue (they go first) or it cannot take this one.
    if (this.ring && this.queue.length === 0 && this.ring.offer(entry)) return;
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

  /** Writes everything handed over so far (waits for a write already running). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.queued === 0) return;
    this.running = this.writeQueued().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  private async writeQueued(): Promise<void> {
    await this.starting;
    this.refillRing();
    await this.drainRing();
    await this.writeAll();
  }

  /**
   * What waits in the queue moves into the ring (oldest first) as far as the ring takes it. Without
   * this, entries queued once (before the worker was ready, or while the ring was full) kept every later
   * one queued behind them for as long as requests kept coming, and the log went by messages for good.
   */
  private refillRing(): void {
    const ring = this.ring;
    if (!ring || !this.thread) return;
    let n = 0;
    while (n < this.queue.length && ring.offer(this.queue[n])) n += 1;
    if (n > 0) this.queue.splice(0, n);
  }

  /** Has the worker write what the ring holds now (it would at its next tick), through restarts. */
  private async drainRing(): Promise<void> {
    for (;;) {
      await this.starting;
      const thread = this.thread;
      if (!this.ring || this.ring.pending === 0 || !thread) return;
      try {
        await thread.drain();
        return;
      } catch (err) {
        // The worker died draining: lost() has started another (same ring) or moved the ring to the queue.
        if (err instanceof LogWorkerGone && this.thread !== thread) continue;
        // Still in the ring; the worker tries again at its next tick.
        this.retrying((err as Error).message);
        return;
      }
    }
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
        const refused = await this.writeBatch(batch, thread);
        left -= batch.length;
        this.writtenOther += batch.length - refused;
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

  /** Writes a batch (by the worker, or here); resolves with how many of its entries the store refused and left out. */
  private async writeBatch(batch: LogEntry[], thread: RequestLogThread | undefined): Promise<number> {
    if (!thread) return this.writeHere(batch);
    try {
      return await thread.write(batch);
    } catch (err) {
      if ((err as Error).name !== 'DataCloneError') throw err;
      // An entry holds something that cannot be posted to another thread (a function, say): this batch is written here.
      if (!this.cloneWarned) this.log.warn({ err: (err as Error).message }, 'request log: an entry could not be posted to the worker; such batches are written on the main thread');
      this.cloneWarned = true;
      return this.writeHere(batch);
    }
  }

  /**
   * A batch written on this thread, in one transaction; when the store refuses one of its entries, one
   * entry at a time, that one left out (as the worker does): kept and tried again, it would hold up every
   * later entry until the queue bound dropped them. Throws when the store itself fails (kept for a retry;
   * entries already written are ignored when they come again).
   */
  private async writeHere(batch: LogEntry[]): Promise<number> {
    try {
      await this.store.writeRequests(batch);
      return 0;
    } catch (err) {
      if (!entryRefused(err)) throw err;
    }
    let refused = 0;
    let message = '';
    for (const e of batch) {
      try {
        await this.store.writeRequests([e]);
      } catch (one) {
        if (!entryRefused(one)) throw one;
        refused += 1;
        message = (one as Error).message;
      }
    }
    if (refused > 0) this.refused(refused, message);
    return refused;
  }

  /** Stops the timer, writes what is left and stops the worker thread. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    await this.starting;
    const thread = this.thread;
    if (thread) {
      this.thread = undefined;
      await thread.close();
      this.shared?.handOverCheckpoints(false);
    }
    // What the worker could not write before it ended (or what came meanwhile): written here.
    this.takeRing();
    if (this.queue.length > 0) await this.flush();
  }
}
