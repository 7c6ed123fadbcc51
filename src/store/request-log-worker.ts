import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { writeRequestBatch } from './request-batch.js';
import type { LogEntry } from './types.js';

// The request log worker: a thread with its own connection to the store's database file, appending
// the batches the main thread posts (request-log-thread.ts) and running the WAL checkpoints that
// follow them, so neither the inserts nor the checkpoints' fsyncs run on the main event loop. It
// never migrates or creates anything: the main thread's store opened (and migrated) the file first.

export interface LogWorkerData {
  file: string;
}

/** Main thread → worker. */
export type ToLogWorker = { type: 'write'; id: number; entries: LogEntry[] } | { type: 'close' };

/** Worker → main thread. */
export type FromLogWorker = { type: 'ready' } | { type: 'written'; id: number } | { type: 'failed'; id: number; message: string };

const port = parentPort;
if (!port) throw new Error('request-log-worker runs in a worker thread (see request-log-thread.ts)');

const { file } = workerData as LogWorkerData;
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

port.on('message', (m: ToLogWorker) => {
  if (m.type === 'write') {
    try {
      writeRequestBatch(db, m.entries);
      reply({ type: 'written', id: m.id });
    } catch (err) {
      // Rolled back; the main thread keeps the batch and tries again later.
      reply({ type: 'failed', id: m.id, message: (err as Error).message });
    }
  } else if (m.type === 'close') {
    db.close();
    // Nothing else keeps this thread alive: it ends, and the main thread sees 'exit'.
    port.close();
  }
});

reply({ type: 'ready' });
