import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { LogRing } from './log-ring.js';

type Rec = { id: number; text?: string };

describe('LogRing', () => {
  it('hands records over in order, across the end of the ring many times', () => {
    const ring = new LogRing<Rec>(1024);
    const reader = new LogRing<Rec>(ring.buffer); // the worker's view of the same memory
    const seen: Rec[] = [];
    let next = 0;
    for (let round = 0; round < 200; round++) {
      while (ring.offer({ id: next, text: 'é✓'.repeat(next % 7) + 'x'.repeat(next % 13) })) next += 1;
      const { entries, end } = reader.read(Infinity);
      reader.release(end, entries.length);
      seen.push(...entries);
    }
    expect(next).toBeGreaterThan(2000); // it did go round
    expect(seen.map((r) => r.id)).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(seen[20]).toEqual({ id: 20, text: 'é✓'.repeat(6) + 'x'.repeat(7) });
    expect(ring.pending).toBe(0);
    expect(ring.released).toBe(next);
    expect(reader.empty).toBe(true);
  });

  it('refuses what does not fit until the reader releases, and keeps what was read but not released', () => {
    const ring = new LogRing<Rec>(1024);
    const big = { id: 1, text: 'y'.repeat(150) };
    let n = 0;
    while (ring.offer({ ...big, id: n })) n += 1;
    expect(n).toBeGreaterThan(0);
    expect(ring.pending).toBe(n);
    expect(ring.offer(big)).toBe(false); // still full

    const first = ring.read(2);
    expect(first.entries.map((r) => r.id)).toEqual([0, 1]);
    // Not released (the write failed, say): read again, the same records come back.
    expect(ring.read(2).entries.map((r) => r.id)).toEqual([0, 1]);
    ring.release(first.end, 2);
    expect(ring.pending).toBe(n - 2);
    expect(ring.offer({ ...big, id: 99 })).toBe(true); // in the room the two left
    expect(ring.read(Infinity).entries.map((r) => r.id)).toEqual([...Array.from({ length: n - 2 }, (_, i) => i + 2), 99]);
  });

  it('counts what the reader released without writing it', () => {
    const ring = new LogRing<Rec>(1024);
    for (let i = 0; i < 5; i++) ring.offer({ id: i });
    const { entries, end } = ring.read(Infinity);
    ring.release(end, entries.length, 2);
    expect([ring.pending, ring.released, ring.dropped, ring.written]).toEqual([0, 5, 2, 3]);
  });

  it('refuses a record larger than the ring, and anything that is not a JSON object', () => {
    const ring = new LogRing<object>(1024);
    expect(ring.offer({ id: 1, text: 'z'.repeat(1010) })).toBe(false);
    expect(ring.offer({ id: 1, text: '✓'.repeat(340) })).toBe(false); // 340 characters, but 1,020 bytes
    expect(ring.offer({ toJSON: () => 'a string' })).toBe(false);
    expect(ring.offer({ n: 10n })).toBe(false); // JSON.stringify throws on a BigInt
    expect(ring.offer({ id: 2 })).toBe(true);
    expect(ring.read(Infinity).entries).toEqual([{ id: 2 }]);
  });

  it('passes over a frame that holds no JSON record, counting it, so one bad frame cannot stall the reader', () => {
    const ring = new LogRing<Rec>(1024);
    for (let i = 0; i < 3; i++) ring.offer({ id: i });
    // Only a bug could write such a frame: damage the first one's text in place (its '{' after the 4-byte length).
    new Uint8Array(ring.buffer, 64 + 4, 1)[0] = 0x78; // 'x'
    const read = ring.read(Infinity);
    expect(read.entries.map((r) => r.id)).toEqual([1, 2]);
    expect(read.unreadable).toBe(1);
    ring.release(read.end, read.entries.length + read.unreadable, read.unreadable);
    expect([ring.pending, ring.released, ring.dropped, ring.written, ring.empty]).toEqual([0, 3, 1, 2, true]);
    // `max` counts frames passed over too, so a read stays bounded.
    for (let i = 0; i < 3; i++) ring.offer({ id: 10 + i });
    expect(ring.read(2).entries.map((r) => r.id)).toEqual([10, 11]);
  });

  it('counts bytes past 2^32 (the counters wrap)', () => {
    const ring = new LogRing<Rec>(1024);
    const header = new Uint32Array(ring.buffer, 0, 4);
    header[0] = header[1] = 2 ** 32 - 600; // head and tail just before the wrap
    const ids: number[] = [];
    for (let i = 0; i < 300; i++) {
      expect(ring.offer({ id: i, text: 'w'.repeat(i % 40) })).toBe(true);
      const { entries, end } = ring.read(Infinity);
      ring.release(end, entries.length);
      ids.push(...entries.map((r) => r.id));
    }
    expect(header[0]).toBeLessThan(2 ** 20); // wrapped
    expect(ids).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('rejects a capacity that is not a power of two', () => {
    expect(() => new LogRing(3000)).toThrow(/power of two/);
  });

  it('another thread reading while this one writes gets every record, in order', async () => {
    const ring = new LogRing<Rec>(16 * 1024);
    const total = 20_000;
    // The reader, as the log worker is: its own thread and event loop, reading on a timer.
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       import(workerData.module).then(({ LogRing }) => {
         const ring = new LogRing(workerData.buffer);
         let expected = 0, bad = 0;
         const t = setInterval(() => {
           const { entries, end } = ring.read(Infinity);
           for (const r of entries) if (r.id !== expected++ || r.text !== 'p'.repeat(r.id % 50)) bad++;
           ring.release(end, entries.length);
           if (expected === workerData.total) { clearInterval(t); parentPort.postMessage({ expected, bad }); }
         }, 1);
       });`,
      { eval: true, workerData: { buffer: ring.buffer, total, module: new URL('../../dist/store/log-ring.js', import.meta.url).href } },
    );
    let full = 0;
    for (let i = 0; i < total; ) {
      if (ring.offer({ id: i, text: 'p'.repeat(i % 50) })) i += 1;
      else {
        full += 1;
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    const result = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(result).toEqual({ expected: total, bad: 0 });
    expect(full).toBeGreaterThan(0); // the writer did wait for the reader at times
    expect(ring.released).toBe(total);
  });
});
