import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretBox } from '../store/crypto.js';
import { logWorkerScript, type RequestLogThread } from '../store/request-log-thread.js';
import { DAY_MS, SqliteStore } from '../store/sqlite-store.js';
import type { LogEntry, Store } from '../store/types.js';
import type { Log } from '../util/log.js';
import { RequestLogWriter } from './log-writer.js';

const log = pino({ level: 'silent' });
const entry = (i: number): LogEntry => ({
  id: `r${i}`,
  startedAt: 0,
  method: 'GET',
  clientDialect: 'none',
  route: 'health',
  pathSent: '/',
  pathResolved: '/',
  status: 200,
  latencyMs: 1,
});

function fakeStore(fail: () => boolean = () => false) {
  const batches: LogEntry[][] = [];
  const store = {
    async writeRequests(e: LogEntry[]) {
      if (fail()) throw new Error('disk full');
      batches.push(e);
    },
  } as unknown as Store;
  return { store, batches };
}

describe('RequestLogWriter', () => {
  it('batches: a full batch goes at once (in batches of batchSize); fewer wait for the interval', async () => {
    const { store, batches } = fakeStore();
    const w = new RequestLogWriter(store, log, { batchSize: 10, intervalMs: 1000 });
    const until = async (ok: () => boolean, ms: number) => {
      for (const end = Date.now() + ms; !ok() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 2));
    };
    for (let i = 0; i < 25; i++) w.push(entry(i));
    // Well before the interval: everything queued when the full batch triggered the write.
    await until(() => batches.flat().length === 25, 800);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    for (let i = 25; i < 28; i++) w.push(entry(i));
    await new Promise((r) => setTimeout(r, 50));
    expect(batches.flat()).toHaveLength(25); // three entries: they wait for the interval
    await until(() => batches.flat().length === 28, 3000);
    expect(batches.flat().map((e) => e.id)).toEqual(Array.from({ length: 28 }, (_, i) => `r${i}`));
    expect(w.written).toBe(28);
    await w.close();
  });

  it('keeps entries when the store fails, writes them once it recovers', async () => {
    let failing = true;
    const { store, batches } = fakeStore(() => failing);
    const w = new RequestLogWriter(store, log, { batchSize: 5, intervalMs: 10 });
    for (let i = 0; i < 7; i++) w.push(entry(i));
    await w.flush();
    expect(w.queued).toBe(7);
    failing = false;
    await w.flush();
    expect(batches.flat()).toHaveLength(7);
    expect(w.dropped).toBe(0);
    await w.close();
  });

  it('drops the oldest (counted) only past its bound', async () => {
    const { store, batches } = fakeStore(() => true);
    let dropped = 0;
    const w = new RequestLogWriter(store, log, { batchSize: 100, intervalMs: 10_000, maxQueue: 5, onDropped: (n) => (dropped += n) });
    for (let i = 0; i < 8; i++) w.push(entry(i));
    expect(w.queued).toBe(5);
    expect(dropped).toBe(3);
    expect(batches).toHaveLength(0);
    await w.close();
  });

  it('close writes what is left', async () => {
    const { store, batches } = fakeStore();
    const w = new RequestLogWriter(store, log, { batchSize: 100, intervalMs: 60_000 });
    w.push(entry(1));
    await w.close();
    expect(batches.flat()).toHaveLength(1);
  });
});

// ---- the worker thread (a real one: the built dist/store/request-log-worker.js) ----

const dirs: string[] = [];
const stores: SqliteStore[] = [];
function dbFile() {
  const dir = mkdtempSync(join(tmpdir(), 'sy-logw-'));
  dirs.push(dir);
  return join(dir, 'switchyard.db');
}
function fileStore() {
  const file = dbFile();
  const store = new SqliteStore(file, new SecretBox(randomBytes(32)));
  stores.push(store);
  return { store, file };
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Counts the batches a store writes on the calling thread. */
function spyWrites(store: SqliteStore) {
  const calls = { n: 0 };
  const original = store.writeRequests.bind(store);
  store.writeRequests = async (e) => {
    calls.n += 1;
    return original(e);
  };
  return calls;
}

function captureLog() {
  const lines: Array<{ level: string; msg: string }> = [];
  const at =
    (level: string) =>
    (...args: unknown[]) => {
      lines.push({ level, msg: String(typeof args[0] === 'string' ? args[0] : args[1]) });
    };
  return { log: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') } as unknown as Log, lines };
}

const HOUR0 = Date.UTC(2026, 0, 10, 10);
/** Two hours of traffic: errors, user-key usage (billable), bodies on some. */
const rich = (i: number): LogEntry => ({
  ...entry(i),
  id: `w${i}`,
  startedAt: HOUR0 + i * 15_000,
  clientDialect: 'openai-chat',
  route: 'openai.chat',
  requestedModel: i % 2 ? 'gpt-a' : 'gpt-b',
  resolvedModel: 'gpt-up',
  provider: 'oa',
  credential: 'sk-u…0001',
  status: i % 10 === 0 ? 502 : 200,
  error: i % 10 === 0 ? 'upstream broke' : undefined,
  latencyMs: 100 + (i % 50),
  ttfbMs: 10,
  usage: { inputTokens: 10 + (i % 7), outputTokens: 5, cachedInputTokens: 1, reasoningTokens: 2 },
  ...(i % 3 === 0 ? { userKey: 'bob', userKeyId: 3, billable: true } : {}),
  ...(i % 25 === 0 ? { requestBody: `{"n":${i}}`, responseBody: 'ok' } : {}),
  attemptLog: [{ provider: 'oa', credential: 'sk-u…0001', model: 'gpt-up', status: 200, ok: true, ms: 9 }],
});

async function everything(store: Store) {
  const from = HOUR0 - DAY_MS;
  const to = HOUR0 + DAY_MS;
  return {
    log: (await store.queryRequests({ limit: 10_000, offset: 0 })).items.map(({ seq: _seq, ...r }) => r),
    stats: await store.stats({ from, to, bucket: 'hour', groupBy: 'model' }),
    usage: [...(await store.keyUsage(Date.UTC(2026, 0, 10)))],
  };
}

const autocheckpoint = (store: SqliteStore) => (store as unknown as { db: Database.Database }).db.pragma('wal_autocheckpoint', { simple: true });
const threadOf = (w: RequestLogWriter) => (w as unknown as { thread?: RequestLogThread }).thread;
/** Resolves once it is known where the writer's entries go (the worker started, or not). */
const started = (w: RequestLogWriter) => (w as unknown as { starting?: Promise<void> }).starting;
/** Counts what the main thread asks the worker: batches posted, drains of the ring. */
function spyAsks(w: RequestLogWriter) {
  const thread = threadOf(w);
  if (!thread) throw new Error('no worker');
  const asked = { write: 0, drain: 0 };
  const write = thread.write.bind(thread);
  const drain = thread.drain.bind(thread);
  thread.write = (e) => (asked.write++, write(e));
  thread.drain = () => (asked.drain++, drain());
  return asked;
}
const until = async (ok: () => Promise<boolean> | boolean, ms: number) => {
  for (const end = Date.now() + ms; !(await ok()) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 5));
};
const total = async (store: Store) => (await store.queryRequests({ limit: 1, offset: 0 })).total;

describe('RequestLogWriter in a worker thread', () => {
  it('has a built worker to test (npm run build)', () => {
    expect(logWorkerScript()?.pathname).toMatch(/dist\/store\/request-log-worker\.js$/);
  });

  it('writes through the worker: visible to the store after flush, stats the same as written in-thread', async () => {
    const { store } = fileStore();
    const inThread = spyWrites(store);
    const w = new RequestLogWriter(store, log);
    await started(w);
    const asked = spyAsks(w);
    const entries = Array.from({ length: 480 }, (_, i) => rich(i));
    for (const e of entries) w.push(e);
    expect(w.queued).toBe(480); // in the ring
    await w.flush();
    expect(w.mode).toBe('worker');
    expect(inThread.n).toBe(0);
    // Through the shared ring: no batch was posted, the flush asked for one drain.
    expect(asked).toEqual({ write: 0, drain: 1 });
    expect(w.written).toBe(480);
    expect(w.queued).toBe(0);
    // The worker checkpoints the WAL; this connection does not while it runs.
    expect(autocheckpoint(store)).toBe(0);

    const viaWorker = await everything(store);
    expect(viaWorker.log).toHaveLength(480);
    expect(viaWorker.stats.totals.requests).toBe(480);
    expect(viaWorker.stats.totals.errors).toBe(48);
    expect(viaWorker.stats.series.reduce((a, s) => a + s.requests, 0)).toBe(480);
    expect((await store.getRequest('w25'))?.requestBody).toBe('{"n":25}');
    expect((await store.getRequest('w7'))?.attemptLog).toEqual(entries[7].attemptLog);

    // The same entries through SqliteStore.writeRequests on this thread: the same rows, stats and usage.
    const other = fileStore().store;
    await other.writeRequests(entries.slice(0, 200));
    await other.writeRequests(entries.slice(200));
    expect(viaWorker).toEqual(await everything(other));
    await w.close();
  });

  it('the worker reads the ring on its own timer: written with no flush and no message', async () => {
    const { store } = fileStore();
    const w = new RequestLogWriter(store, log, { intervalMs: 20 });
    await started(w);
    const asked = spyAsks(w);
    for (let i = 0; i < 100; i++) w.push(rich(i));
    await until(async () => (await total(store)) === 100, 5000);
    expect(await total(store)).toBe(100);
    expect(w.written).toBe(100);
    expect(w.queued).toBe(0);
    expect(asked).toEqual({ write: 0, drain: 0 });
    await w.close();
  });

  it.runIf(process.platform === 'linux')('the worker runs below the event loop’s priority (nice +10), the event loop unchanged', async () => {
    const niceOf = (tid: number) => {
      // /proc/<pid>/task/<tid>/stat: the 19th field is the nice value (counted after the ")" of the name).
      const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const before = niceOf(process.pid);
    const { store } = fileStore();
    const w = new RequestLogWriter(store, log);
    await started(w);
    const tid = threadOf(w)?.lowPriorityThreadId;
    expect(tid).toBeGreaterThan(0);
    expect(tid).not.toBe(process.pid);
    expect(niceOf(tid as number)).toBe(Math.min(19, before + 10));
    expect(niceOf(process.pid)).toBe(before);
    // It still writes.
    for (let i = 0; i < 50; i++) w.push(rich(i));
    await w.flush();
    expect(await total(store)).toBe(50);
    await w.close();
  });

  it('entries queued before the worker was ready move to the ring, and under steady load the log stays on the ring', async () => {
    const { store } = fileStore();
    const w = new RequestLogWriter(store, log, { intervalMs: 30 });
    const queueOf = () => (w as unknown as { queue: LogEntry[] }).queue.length;
    let next = 0;
    for (; next < 100; next++) w.push(rich(next)); // the worker is still starting: these wait in the queue
    expect(queueOf()).toBe(100);
    await started(w);
    const asked = spyAsks(w);
    // Requests keep finishing, never pausing long enough for a queue to empty between two of them.
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 5; i++) w.push(rich(next++));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(queueOf()).toBe(0);
    expect(asked.write).toBe(0); // no batch posted: all of it went through the ring
    await w.flush();
    expect(await total(store)).toBe(next);
    expect(w.written).toBe(next);
    await w.close();
  });

  it('what the ring cannot take (it is full) waits in the queue and is posted; nothing is lost', async () => {
    const { store } = fileStore();
    const w = new RequestLogWriter(store, log, { ringBytes: 4096, intervalMs: 60_000 });
    await started(w);
    const asked = spyAsks(w);
    for (let i = 0; i < 50; i++) w.push(rich(i));
    w.push({ ...rich(50), requestBody: 'b'.repeat(10_000) }); // larger than the whole ring
    await w.flush();
    expect(asked.drain).toBe(1);
    expect(asked.write).toBeGreaterThan(0);
    expect(w.written).toBe(51);
    expect(w.queued).toBe(0);
    const ids = (await store.queryRequests({ limit: 100, offset: 0 })).items.map((r) => r.id);
    expect(ids.sort()).toEqual(Array.from({ length: 51 }, (_, i) => `w${i}`).sort());
    expect((await store.getRequest('w50'))?.requestBody).toHaveLength(10_000);
    await w.close();
  });

  it('a write the worker cannot make now (the database is locked) stays in the ring, is said once, and is made later', async () => {
    const { store } = fileStore();
    const { log: captured, lines } = captureLog();
    const w = new RequestLogWriter(store, captured, { intervalMs: 20 });
    await started(w);
    const db = (store as unknown as { db: Database.Database }).db;
    db.exec('BEGIN IMMEDIATE'); // the write lock, held by this connection: the worker's writes wait, then fail busy
    for (let i = 0; i < 10; i++) w.push(rich(i));
    await until(() => lines.some((l) => l.msg.includes('will retry')), 9000);
    expect(lines.filter((l) => l.level === 'warn' && l.msg.includes('write failed; will retry'))).toHaveLength(1);
    expect(w.queued).toBe(10);
    expect(w.written).toBe(0);
    db.exec('COMMIT');
    await until(async () => (await total(store)) === 10, 8000);
    expect(await total(store)).toBe(10);
    expect(w.written).toBe(10);
    expect(w.dropped).toBe(0);
    await w.close();
  }, 20_000);

  it('an entry the store refuses is left out (counted as dropped, said); the rest of its batch is written', async () => {
    const { store } = fileStore();
    const { log: captured, lines } = captureLog();
    let dropped = 0;
    const w = new RequestLogWriter(store, captured, { intervalMs: 20, onDropped: (n) => (dropped += n) });
    await started(w);
    const db = (store as unknown as { db: Database.Database }).db;
    db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON requests WHEN NEW.id = 'w3' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    for (let i = 0; i < 10; i++) w.push(rich(i));
    // The worker's word about the refused entry is a message: it can land a moment after the rows are visible.
    await until(async () => (await total(store)) === 9 && w.queued === 0 && w.dropped === 1, 5000);
    expect((await store.queryRequests({ limit: 20, offset: 0 })).items.map((r) => r.id).sort()).toEqual(['w0', 'w1', 'w2', 'w4', 'w5', 'w6', 'w7', 'w8', 'w9']);
    expect(w.written).toBe(9);
    expect(w.dropped).toBe(1);
    expect(dropped).toBe(1);
    expect(lines.filter((l) => l.level === 'warn' && l.msg.includes('cannot be stored'))).toHaveLength(1);
    // Nothing is held up behind it: later entries go straight through.
    for (let i = 10; i < 15; i++) w.push(rich(i));
    await w.flush();
    expect(await total(store)).toBe(14);
    // Counted in the stats once each: what the failed try had folded was forgotten with its rollback.
    expect((await everything(store)).stats.totals.requests).toBe(14);
    await w.close();
  });

  it('a posted batch (what the ring could not take) with an entry the store refuses: the rest is written, once', async () => {
    const { store } = fileStore();
    const { log: captured, lines } = captureLog();
    const w = new RequestLogWriter(store, captured, { ringBytes: 4096, intervalMs: 20 });
    await started(w);
    const asked = spyAsks(w);
    const db = (store as unknown as { db: Database.Database }).db;
    db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON requests WHEN NEW.id = 'w3' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    // Each larger than the whole ring: all ten wait in the queue and go to the worker as a message.
    for (let i = 0; i < 10; i++) w.push({ ...rich(i), requestBody: 'b'.repeat(5000) });
    await w.flush();
    expect(asked.write).toBeGreaterThan(0);
    expect(await total(store)).toBe(9);
    expect(w.queued).toBe(0); // not kept for another try: nothing will make SQLite take it
    expect(w.written).toBe(9);
    expect(w.dropped).toBe(1);
    expect((await everything(store)).stats.totals.requests).toBe(9);
    expect(lines.filter((l) => l.level === 'warn' && l.msg.includes('cannot be stored'))).toHaveLength(1);
    expect(lines.filter((l) => l.msg.includes('will retry'))).toHaveLength(0);
    await w.close();
  });

  it('a frame of the ring that holds no record (only a bug could write one) is passed over, counted and said; the rest is written', async () => {
    const { store } = fileStore();
    const { log: captured, lines } = captureLog();
    const w = new RequestLogWriter(store, captured, { intervalMs: 60_000 });
    await started(w);
    for (let i = 0; i < 5; i++) w.push(rich(i));
    const ring = (w as unknown as { ring: { buffer: SharedArrayBuffer } }).ring;
    new Uint8Array(ring.buffer, 64 + 4, 1)[0] = 0x78; // the first frame's '{' (after its length) becomes 'x'
    await w.flush();
    await until(() => w.dropped === 1, 5000); // the worker's word is a message: it can land just after the flush
    expect(await total(store)).toBe(4);
    expect([w.queued, w.written, w.dropped]).toEqual([0, 4, 1]);
    expect(lines.filter((l) => l.level === 'warn' && l.msg.includes('cannot be stored'))).toHaveLength(1);
    for (let i = 5; i < 8; i++) w.push(rich(i));
    await w.flush();
    expect(await total(store)).toBe(7);
    await w.close();
  });

  it('close writes what is left, ends the worker and gives checkpoints back', async () => {
    const { store, file } = fileStore();
    const w = new RequestLogWriter(store, log, { batchSize: 1000, intervalMs: 60_000 });
    for (let i = 0; i < 10; i++) w.push(rich(i)); // before the worker is up: queued
    await started(w);
    for (let i = 10; i < 30; i++) w.push(rich(i)); // in the ring
    await w.close();
    expect(w.written).toBe(30);
    expect(w.mode).toBe('main');
    expect((await store.queryRequests({ limit: 1, offset: 0 })).total).toBe(30);
    expect(autocheckpoint(store)).toBe(1000);
    // Only once the worker's connection is closed is the store's the last one, which removes the WAL.
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('the worker checkpoints the WAL: it does not grow with what is written', async () => {
    const { store, file } = fileStore();
    const w = new RequestLogWriter(store, log);
    const body = 'x'.repeat(4000);
    for (let i = 0; i < 3000; i++) w.push({ ...rich(i), requestBody: body });
    await w.flush();
    expect(w.mode).toBe('worker');
    // ~12 MB of bodies; the WAL is reused from its start after each checkpoint (1000 pages of 4 KB, plus a batch).
    expect(statSync(`${file}-wal`).size).toBeLessThan(7_000_000);
    expect((await store.queryRequests({ limit: 1, offset: 0 })).total).toBe(3000);
    await w.close();
  });

  it('a worker that dies is replaced, its batch sent again and counted once; after three, the main thread writes', async () => {
    const { store } = fileStore();
    const { log: captured, lines } = captureLog();
    const w = new RequestLogWriter(store, captured, { batchSize: 100 });
    let next = 0;
    const pushSome = (n: number) => {
      for (let i = 0; i < n; i++) w.push(rich(next++));
    };
    pushSome(10);
    await w.flush();
    for (let round = 1; round <= 4; round++) {
      const thread = threadOf(w);
      expect(thread).toBeDefined();
      pushSome(250);
      const flushed = w.flush(); // posts its first batch on the next microtask
      await thread?.terminate(); // as a crash would, with that batch in flight
      await flushed;
      // The same flush went on with the next worker (or this thread): nothing waits for a retry.
      expect(w.queued).toBe(0);
      expect(w.written).toBe(next);
      expect(w.mode).toBe(round <= 3 ? 'worker' : 'main');
    }
    pushSome(5);
    await w.flush();
    expect(w.written).toBe(next);
    const all = await everything(store);
    expect(all.log).toHaveLength(next);
    expect(all.stats.totals.requests).toBe(next);
    expect(lines.filter((l) => l.msg.includes('starting another'))).toHaveLength(3);
    expect(lines.filter((l) => l.msg.includes('main thread from now on'))).toHaveLength(1);
    expect(autocheckpoint(store)).toBe(1000);
    await w.close();
  });

  it('an entry that cannot be posted to the worker is written on the main thread', async () => {
    const { store } = fileStore();
    const inThread = spyWrites(store);
    const w = new RequestLogWriter(store, log);
    w.push(rich(1));
    await w.flush();
    expect(w.mode).toBe('worker');
    w.push({ ...rich(2), toJSON: () => 'not cloneable' } as LogEntry);
    await w.flush();
    expect(inThread.n).toBe(1);
    expect(w.mode).toBe('worker');
    expect((await store.queryRequests({ limit: 10, offset: 0 })).items.map((r) => r.id)).toEqual(['w2', 'w1']);
    await w.close();
  });
});

describe('RequestLogWriter on the main thread', () => {
  it('for an in-memory database: says so once and writes through the store', async () => {
    const store = new SqliteStore(':memory:', new SecretBox(randomBytes(32)));
    stores.push(store);
    const inThread = spyWrites(store);
    const { log: captured, lines } = captureLog();
    const w = new RequestLogWriter(store, captured, { batchSize: 10 });
    for (let i = 0; i < 25; i++) w.push(rich(i));
    await w.flush();
    expect(w.mode).toBe('main');
    expect(inThread.n).toBe(3);
    expect((await everything(store)).stats.totals.requests).toBe(25);
    expect(lines.filter((l) => l.level === 'info' && /main thread.*in-memory/.test(l.msg))).toHaveLength(1);
    await w.close();
  });

  it('an entry the store refuses is left out (counted, said); the rest of its batch and later entries are written', async () => {
    const store = new SqliteStore(':memory:', new SecretBox(randomBytes(32)));
    stores.push(store);
    const { log: captured, lines } = captureLog();
    let dropped = 0;
    const w = new RequestLogWriter(store, captured, { batchSize: 100, intervalMs: 60_000, onDropped: (n) => (dropped += n) });
    const db = (store as unknown as { db: Database.Database }).db;
    db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON requests WHEN NEW.id = 'w3' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    for (let i = 0; i < 10; i++) w.push(rich(i));
    await w.flush();
    expect(w.mode).toBe('main');
    expect(await total(store)).toBe(9);
    expect(w.queued).toBe(0); // not kept for another try: nothing will make SQLite take it
    expect([w.written, w.dropped, dropped]).toEqual([9, 1, 1]);
    expect(lines.filter((l) => l.level === 'warn' && l.msg.includes('cannot be stored'))).toHaveLength(1);
    expect(lines.filter((l) => l.msg.includes('will retry'))).toHaveLength(0);
    for (let i = 10; i < 15; i++) w.push(rich(i));
    await w.flush();
    expect(await total(store)).toBe(14);
    expect((await everything(store)).stats.totals.requests).toBe(14);
    await w.close();
  });

  it('when the worker cannot start (the file is not there): warns and writes through the store', async () => {
    const { store, file } = fileStore();
    const inThread = spyWrites(store);
    store.sharedDatabase = () => ({ file: `${file}.missing`, handOverCheckpoints: () => undefined });
    const { log: captured, lines } = captureLog();
    const w = new RequestLogWriter(store, captured);
    for (let i = 0; i < 5; i++) w.push(rich(i));
    await w.flush();
    expect(w.mode).toBe('main');
    expect(inThread.n).toBe(1);
    expect((await store.queryRequests({ limit: 1, offset: 0 })).total).toBe(5);
    expect(lines.filter((l) => l.level === 'warn' && l.msg.includes('did not start'))).toHaveLength(1);
    expect(existsSync(`${file}.missing`)).toBe(false);
    await w.close();
  });

  it('worker: false keeps it on the main thread', async () => {
    const { store } = fileStore();
    const inThread = spyWrites(store);
    const w = new RequestLogWriter(store, log, { worker: false });
    w.push(rich(1));
    await w.flush();
    expect(w.mode).toBe('main');
    expect(inThread.n).toBe(1);
    await w.close();
  });
});

describe('RequestLogWriter in a process of its own', () => {
  const dist = (p: string) => new URL(`../../dist/${p}`, import.meta.url).href;
  const script = (tail: string) => `
    import { randomBytes } from 'node:crypto';
    import { SqliteStore } from '${dist('store/sqlite-store.js')}';
    import { SecretBox } from '${dist('store/crypto.js')}';
    import { RequestLogWriter } from '${dist('observability/log-writer.js')}';
    const silent = { error() {}, warn() {}, info() {}, debug() {} };
    const store = new SqliteStore(process.argv[1], new SecretBox(randomBytes(32)));
    const w = new RequestLogWriter(store, silent, { batchSize: 50 });
    const e = (i) => ({ id: 'p' + i, startedAt: Date.now(), method: 'GET', clientDialect: 'none', route: 'health', pathSent: '/', pathResolved: '/', status: 200, latencyMs: 1 });
    ${tail}`;
  const run = (tail: string, file: string) =>
    execFileSync(process.execPath, ['--input-type=module', '-e', script(tail), file], { encoding: 'utf8', timeout: 15_000 }).trim();

  it('close drains even when nothing else keeps the process alive', () => {
    const out = run(
      `w.push(e(0));
       await w.flush(); // the worker is up, and idle (unref'd)
       const mode = w.mode;
       for (let i = 1; i <= 500; i++) w.push(e(i));
       await w.close();
       console.log(mode, w.written, (await store.queryRequests({ limit: 1, offset: 0 })).total);`,
      dbFile(),
    );
    expect(out).toBe('worker 501 501');
  });

  it('an idle worker does not keep the process alive', () => {
    // No close: the process ends on its own once the last batch is written (execFileSync would time out otherwise).
    const out = run(`for (let i = 0; i < 60; i++) w.push(e(i)); await w.flush(); console.log(w.mode, w.written);`, dbFile());
    expect(out).toBe('worker 60');
  });
});
