import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromLogWorker, LogWorkerData, ToLogWorker } from './request-log-worker.js';
import type { LogEntry } from './types.js';

// The main thread's handle on the request log worker (request-log-worker.ts). The worker reads the
// shared ring on its own; through this handle the main thread asks it to drain the ring now (a flush)
// or posts a batch that did not fit the ring, and each such request's promise settles when the worker
// says it is committed (so it is visible to the main connection's next read). The worker is unref'd
// while nothing is in flight, so it never keeps the process alive on its own, and ref'd while a
// request or the close is pending, so a shutdown still drains.

const START_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 10_000;

/** The worker ended (crashed, was terminated, or is not running): the batch was maybe not written. */
export class LogWorkerGone extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogWorkerGone';
  }
}

/**
 * The worker script: the compiled `request-log-worker.js` beside this module. Node 20 cannot start a
 * worker from a .ts file, so when this module runs from the TypeScript sources (vitest) the built
 * copy in dist/ stands in (as fresh as the last `npm run build`); undefined when there is none.
 */
export function logWorkerScript(): URL | undefined {
  const beside = new URL('./request-log-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  if (!import.meta.url.endsWith('.ts')) return undefined;
  const built = new URL('../../dist/store/request-log-worker.js', import.meta.url);
  return existsSync(fileURLToPath(built)) ? built : undefined;
}

export interface ThreadEvents {
  /** The worker ended other than through close() — told once, before the requests in flight are rejected (with LogWorkerGone). */
  onLost(thread: RequestLogThread, err: Error): void;
  /** A timed write of the ring failed; the worker tries again at its next tick. */
  onRetrying(message: string): void;
  /** Entries the store refuses were left out of a batch, read from the ring or posted (the rest was written). */
  onDropped(n: number, message: string): void;
}

interface Pending {
  resolve(dropped: number): void;
  reject(err: Error): void;
}

export class RequestLogThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private state: 'starting' | 'ready' | 'closing' | 'exited' = 'starting';
  private lastError: Error | undefined;
  private tid: number | undefined;
  private readonly started: Promise<void>;
  private readonly exited: Promise<void>;

  /** Starts the worker on `data.file` (an existing WAL database) and the ring; resolves once it has opened it. */
  static async start(script: URL, data: LogWorkerData, events: ThreadEvents): Promise<RequestLogThread> {
    const thread = new RequestLogThread(script, data, events);
    await thread.started;
    return thread;
  }

  private constructor(script: URL, data: LogWorkerData, events: ThreadEvents) {
    // execArgv: none of the parent's flags (a loader, --input-type, ...): the worker is plain compiled JS.
    this.worker = new Worker(script, { workerData: data, execArgv: [] });
    let ready!: () => void;
    let failed!: (err: Error) => void;
    this.started = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    const startTimer = setTimeout(() => {
      this.lastError = new Error(`the worker did not start within ${START_TIMEOUT_MS / 1000} s`);
      void this.worker.terminate();
    }, START_TIMEOUT_MS);

    this.worker.on('message', (m: FromLogWorker) => {
      if (m.type === 'ready') {
        clearTimeout(startTimer);
        this.tid = m.tid;
        this.state = 'ready';
        this.idle();
        ready();
        return;
      }
      if (m.type === 'retrying') {
        events.onRetrying(m.message);
        return;
      }
      if (m.type === 'dropped') {
        events.onDropped(m.n, m.message);
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.idle();
      if (m.type === 'written') p.resolve(m.dropped);
      else p.reject(new Error(m.message));
    });
    this.worker.on('error', (err) => {
      this.lastError = err;
    });
    this.exited = new Promise<void>((resolve) => {
      this.worker.once('exit', (code) => {
        clearTimeout(startTimer);
        const was = this.state;
        this.state = 'exited';
        const err = new LogWorkerGone(`request log worker exited (code ${code})${this.lastError ? `: ${this.lastError.message}` : ''}`);
        if (was === 'starting') failed(err);
        else if (was === 'ready') events.onLost(this, err);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        resolve();
      });
    });
  }

  /**
   * Posts one batch; resolves when it is committed, with how many of its entries the store refused (left
   * out). Throws (synchronously rejected) a DataCloneError for entries that cannot cross threads.
   */
  write(entries: LogEntry[]): Promise<number> {
    return this.ask((id) => ({ type: 'write', id, entries }));
  }

  /** Has the worker write everything in the ring now; resolves when it is committed. */
  async drain(): Promise<void> {
    await this.ask((id) => ({ type: 'drain', id }));
  }

  private ask(message: (id: number) => ToLogWorker): Promise<number> {
    if (this.state !== 'ready') return Promise.reject(new LogWorkerGone('request log worker is not running'));
    const id = ++this.nextId;
    const done = new Promise<number>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    try {
      this.worker.postMessage(message(id));
    } catch (err) {
      this.pending.delete(id);
      return Promise.reject(err as Error);
    }
    if (this.pending.size === 1) this.worker.ref();
    return done;
  }

  /** The worker's OS thread id, when it runs at a lower priority than the event loop (Linux); else undefined. */
  get lowPriorityThreadId(): number | undefined {
    return this.tid;
  }

  /** Batches posted and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  private idle(): void {
    if (this.state === 'ready' && this.pending.size === 0) this.worker.unref();
  }

  /** Lets the batches already posted finish, closes the worker's connection and waits for the thread to end. */
  async close(): Promise<void> {
    if (this.state === 'exited') return;
    if (this.state === 'starting') await this.started.catch(() => undefined);
    if (this.state === 'ready') {
      this.state = 'closing';
      this.worker.ref();
      this.worker.postMessage({ type: 'close' } satisfies ToLogWorker);
    }
    const timer = setTimeout(() => void this.worker.terminate(), CLOSE_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** Stops the thread at once, as a crash would (batches in flight are rejected; `onLost` is told). */
  async terminate(): Promise<void> {
    await this.worker.terminate();
    await this.exited;
  }
}
