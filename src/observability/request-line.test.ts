import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { logRequestLine } from './request-line.js';

function capture(level = 'info') {
  const lines: string[] = [];
  const log = pino({ level, base: undefined }, { write: (l: string) => void lines.push(l) });
  return { log, lines };
}

describe('logRequestLine', () => {
  it('writes the line pino writes for the same fields', () => {
    const fields = {
      reqId: '01a219e1-14e3-7291-a2f4-911046b4ac8c',
      model: 'claude "quoted" \\ model\n',
      provider: 'anthropic-main',
      stream: false,
      attempts: 2,
      usage: { inputTokens: 12, outputTokens: 7, estimated: true },
      error: undefined,
      ms: 3.5,
      nan: Number.NaN,
    };
    const ours = capture();
    logRequestLine(ours.log, fields, 'request');
    const theirs = capture();
    theirs.log.info(fields, 'request');
    expect(ours.lines).toHaveLength(1);
    expect(ours.lines[0].endsWith('\n')).toBe(true);
    const a = JSON.parse(ours.lines[0]) as Record<string, unknown>;
    const b = JSON.parse(theirs.lines[0]) as Record<string, unknown>;
    expect(typeof a.time).toBe('number');
    expect(Math.abs((a.time as number) - (b.time as number))).toBeLessThan(1000);
    expect({ ...a, time: 0 }).toEqual({ ...b, time: 0 });
    expect(Object.keys(a)).toEqual(Object.keys(b));
  });

  it('writes nothing when info is off', () => {
    const { log, lines } = capture('warn');
    logRequestLine(log, { reqId: 'x' }, 'request');
    expect(lines).toHaveLength(0);
  });
});
