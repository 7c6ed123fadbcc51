import fs, { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { BatchedLines } from './logger.js';

function sink() {
  const batches: string[] = [];
  let synced = 0;
  return { batches, synced: () => synced, minLength: 0, write: (b: string) => void batches.push(b), flushSync: () => void synced++ };
}

describe('BatchedLines', () => {
  it('hands lines over in order, as one batch, when flushed', () => {
    const s = sink();
    const lines = new BatchedLines(s);
    const log = pino({ base: undefined }, lines);
    log.info('one');
    log.warn({ n: 2 }, 'two');
    expect(s.batches).toEqual([]);
    lines.flush();
    expect(s.batches).toHaveLength(1);
    expect(s.batches[0].split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['one', 'two']);
    lines.flush();
    expect(s.batches).toHaveLength(1); // nothing new, nothing written
  });

  it('writes at once when 16 K characters wait, without losing or splitting a line', () => {
    const s = sink();
    const lines = new BatchedLines(s);
    const line = `${'x'.repeat(999)}\n`;
    for (let i = 0; i < 16; i++) lines.write(line);
    expect(s.batches).toEqual([]);
    lines.write(line);
    expect(s.batches).toEqual([line.repeat(17)]);
  });

  it('flushSync writes what waits and asks the sink to write synchronously', () => {
    const s = sink();
    const lines = new BatchedLines(s);
    lines.write('a\n');
    lines.flushSync();
    expect(s.batches).toEqual(['a\n']);
    expect(s.synced()).toBe(1);
  });

  it('flushSync starts no asynchronous write (at exit none would run): every line is in the file when it returns', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sy-log-')), 'out.log');
    const lines = new BatchedLines(pino.destination({ dest: openSync(file, 'w'), sync: false, minLength: 0 })); // an fd, like stdout
    const log = pino({ base: undefined }, lines);
    for (let i = 0; i < 100; i++) log.info({ i }, 'line');
    const asyncWrites = vi.spyOn(fs, 'write'); // what sonic-boom calls for an asynchronous write
    try {
      lines.flushSync();
      expect(asyncWrites).not.toHaveBeenCalled();
    } finally {
      asyncWrites.mockRestore();
    }
    const written = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { i: number }).i);
    expect(written).toEqual(Array.from({ length: 100 }, (_, k) => k));
  });

  it('a writer that was ended drops the batch instead of throwing into the request or the flush timer', () => {
    const lines = new BatchedLines({
      write: () => {
        throw new Error('SonicBoom destroyed');
      },
      flushSync: () => undefined,
    });
    lines.write('a\n');
    expect(() => lines.flush()).not.toThrow();
    for (let i = 0; i < 20; i++) expect(() => lines.write(`${'x'.repeat(1000)}\n`)).not.toThrow();
  });
});
