import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { LogRing } from './log-ring.js';
import { appendRequests, entryRefused, writeRequestBatch } from './request-batch.js';
import type { LogEntry } from './types.js';
import { lowerThisThreadPriority } from '../util/thread-priority.js';

// The request log worker: a thread with its own connection to the store's database file. It reads
// the entries the main thread appends to a shared ring (log-ring.ts) every `intervalMs`, on its own
// timer — the main thread never posts or waits for anything per batch — and writes them, along with
// the WAL checkpoints that follow, so neither the inserts nor the checkpoints' fsyncs run on the main
// event loop. Entries are released from the ring only once committed: a failed transaction or a crash
// leaves them for the next try or the next worker. Batches the main thread does post (entries that did
// not fit the ring) are written as they come. It never migrates or creates anything: the main thread's
// store opened (and migrated) the file first.

export interface LogWorkerData {
  file: string;
  /** LogRing.buffer, shared with the main thread. */
  ring: SharedArrayBuffer;
  intervalMs: number;
}

/** Main thread → worker. `drain`: write everything in the ring now and say so. */
export type ToLogWorker = { type: 'write'; id: number; entries: LogEntry[] } | { type: 'drain'; id: number } | { type: 'close' };

/** Worker → main thread. */
export type FromLogWorker =
  /** `tid`: the worker's OS thread id when its priority was lowered (Linux; util/thread-priority.ts). */
  | { type: 'ready'; tid?: number }
  /** `dropped`: entries of a posted batch left out because the store refuses them (also told by a 'dropped' message). */
  | { type: 'written'; id: number; dropped: number }
  | { type: 'failed'; id: number; message: string }
  /** A timed write of the ring failed (said once per distinct message; the entries stay in the ring). */
  | { type: 'retrying'; message: string }
  /** Entries the store refuses (a value SQLite will never take) were left out; the rest of their batch is written. */
  | { type: 'dropped'; n: number; message: string };

/** Entries per transaction when reading the ring (one commit for up to this many). */
const RING_BATCH = 500;
/** Entries parsed and written at a time within a transaction; between two such slices the worker may step aside. */
const SLICE = 8;
/** The longest the worker works without stepping aside, and how long it then sleeps (ms). */
const BURST_MS = 0.1;
const PAUSE_MS = 0.05;

const port = parentPort;
if (!port) throw new Error('request-log-worker runs in a worker thread (see request-log-thread.ts)');

const { file, ring: ringBuffer, intervalMs } = workerData as LogWorkerData;
const ring = new LogRing<LogEntry>(ringBuffer);
const db = new Database(file, { fileMustExist: true });
try {
  // Per-connection settings, the same as the main connection's (sqlite-store.ts).
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Two writers without WAL would block the main connection's readers: refuse (the caller falls back).
  const mode = String(db.pragma('journal_mode', { simple: true }));
  if (mode !== 'wal') throw new Error(`${file}: journal mode is ${mode}, not wal`);
  // This connection checkpoints after its commits (SQLite's default threshold, said here on purpose).
  db.pragma('wal_autocheckpoint = 1000');
} catch (err) {
  db.close();
  throw err;
}

const reply = (m: FromLogWorker) => port.postMessage(m);

/**
 * Every BURST_MS of work, the worker sleeps PAUSE_MS. Why: a thread woken while this one runs is
 * often queued on this one's CPU (Linux wakes a task near its waker), and the scheduler lets a running
 * thread finish its time slice first, whatever its priority — so a 3 ms transaction could hold up a
 * request's hand-off for 3 ms. A thread that sleeps gives its CPU up at once. (A lower priority,
 * util/thread-priority.ts, decides who gets a busy CPU; this decides how long anyone waits for it.)
 */
const napping = new Int32Array(new SharedArrayBuffer(4));
let burstStart = 0;
function stepAsideIfDue(): void {
  if (performance.now() - burstStart < BURST_MS) return;
  Atomics.wait(napping, 0, 0, PAUSE_MS);
  burstStart = performance.now();
}

/** One transaction (request-batch.ts), `fill` adding entries SLICE at a time, stepping aside between slices when due. */
function inTransaction(fill: (add: (slice: LogEntry[]) => void) => void): void {
  appendRequests(db, (add) =>
    fill((slice) => {
      add(slice);
      stepAsideIfDue();
    }),
  );
}

/** What one read of the ring took: entries written, frames passed over, and where they end in the ring. */
interface RingTake {
  n: number;
  unreadable: number;
  end: number;
}

/** One transaction of up to RING_BATCH entries from the ring, parsed and written SLICE at a time. */
function writeFromRing(): RingTake {
  const took: RingTake = { n: 0, unreadable: 0, end: 0 };
  let from: number | undefined; // undefined: from the oldest unreleased entry
  inTransaction((add) => {
    while (took.n + took.unreadable < RING_BATCH) {
      const slice = ring.read(Math.min(SLICE, RING_BATCH - took.n - took.unreadable), from);
      from = took.end = slice.end; // past a wrap marker even when nothing follows it yet
      took.unreadable += slice.unreadable;
      if (slice.entries.length === 0 && slice.unreadable === 0) break;
      add(slice.entries);
      took.n += slice.entries.length;
    }
  });
  return took;
}

/** A posted batch in one transaction, SLICE at a time like the ring's. */
function writeInSlices(entries: LogEntry[]): void {
  inTransaction((add) => {
    for (let i = 0; i < entries.length; i += SLICE) add(entries.slice(i, i + SLICE));
  });
}

/**
 * Writes entries one at a time, leaving out those the store refuses (a value SQLite will never take):
 * one such entry would otherwise hold up everything behind it for good. Throws when the database itself
 * fails midway (the caller keeps the entries; those already written are ignored when they come again).
 */
function writeOneByOne(entries: LogEntry[]): number {
  let dropped = 0;
  let message = '';
  for (const e of entries) {
    try {
      writeRequestBatch(db, [e]);
    } catch (one) {
      if (!entryRefused(one)) throw one;
      dropped += 1;
      message = (one as Error).message;
    }
    stepAsideIfDue();
  }
  if (dropped > 0) reply({ type: 'dropped', n: dropped, message });
  return dropped;
}

/** Frames of the ring that held no record: said like a refused entry (counted as dropped by the main thread). */
function sayUnreadable(n: number): void {
  if (n > 0) reply({ type: 'dropped', n, message: `${n} frame(s) of the request log's shared ring did not hold a JSON record (a bug)` });
}

/** Writes what the ring holds, a transaction per RING_BATCH entries; throws (leaving the rest) when the database fails. */
function drainRing(): void {
  burstStart = performance.now();
  while (!ring.empty) {
    let took: RingTake;
    try {
      took = writeFromRing();
    } catch (err) {
      if (!entryRefused(err)) throw err;
      const { entries, end, unreadable } = ring.read(RING_BATCH);
      const dropped = writeOneByOne(entries);
      sayUnreadable(unreadable);
      ring.release(end, entries.length + unreadable, dropped + unreadable);
      continue;
    }
    sayUnreadable(took.unreadable);
    ring.release(took.end, took.n + took.unreadable, took.unreadable);
  }
}

/** A posted batch, in one transaction, or one entry at a time when the store refuses one of them; returns how many were left out. */
function writePosted(entries: LogEntry[]): number {
  burstStart = performance.now();
  try {
    writeInSlices(entries);
    return 0;
  } catch (err) {
    if (!entryRefused(err)) throw err;
    return writeOneByOne(entries);
  }
}

let lastFailure = '';
const timer = setInterval(() => {
  try {
    drainRing();
    lastFailure = '';
  } catch (err) {
    // Rolled back and still in the ring: the next tick tries again. Said once per distinct failure.
    const message = (err as Error).message;
    if (message !== lastFailure) reply({ type: 'retrying', message });
    lastFailure = message;
  }
}, intervalMs);

port.on('message', (m: ToLogWorker) => {
  if (m.type === 'write' || m.type === 'drain') {
    try {
      let dropped = 0;
      if (m.type === 'write') dropped = writePosted(m.entries);
      else drainRing();
      reply({ type: 'written', id: m.id, dropped });
    } catch (err) {
      // Rolled back; the main thread keeps the batch (or the ring keeps the entries) and tries again later.
      reply({ type: 'failed', id: m.id, message: (err as Error).message });
    }
  } else if (m.type === 'close') {
    clearInterval(timer);
    try {
      drainRing();
    } catch {
      // What is left stays in the ring: the main thread writes it once this thread has ended.
    }
    db.close();
    // Nothing else keeps this thread alive: it ends, and the main thread sees 'exit'.
    port.close();
  }
});

// Below the event loop's priority, so its bursts of SQLite work never hold a request back.
reply({ type: 'ready', tid: lowerThisThreadPriority() });
