import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { LogEntry, Store } from '../store/types.js';
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
  it('batches: a full batch goes at once, the rest after the interval', async () => {
    const { store, batches } = fakeStore();
    const w = new RequestLogWriter(store, log, { batchSize: 10, intervalMs: 30 });
    for (let i = 0; i < 25; i++) w.push(entry(i));
    await new Promise((r) => setTimeout(r, 5));
    expect(batches.map((b) => b.length).slice(0, 2)).toEqual([10, 10]);
    await new Promise((r) => setTimeout(r, 60));
    expect(batches.flat().map((e) => e.id)).toEqual(Array.from({ length: 25 }, (_, i) => `r${i}`));
    expect(w.written).toBe(25);
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
