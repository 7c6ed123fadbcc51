import { describe, expect, it } from 'vitest';
import { compact, countdown, mappingProblems, ms, splitList, stackSeries } from './format';

describe('console formatting helpers', () => {
  it('formats numbers, durations and countdowns', () => {
    expect(compact(999)).toBe('999');
    expect(compact(1234)).toBe('1.2k');
    expect(compact(2_500_000)).toBe('2.5M');
    expect(ms(840)).toBe('840 ms');
    expect(ms(1500)).toBe('1.50 s');
    expect(countdown(42_000, 0)).toBe('42s');
    expect(countdown(185_000, 0)).toBe('3m 05s');
    expect(countdown(3_720_000, 0)).toBe('1h 02m');
    expect(countdown(0, 5000)).toBe('0s');
  });

  it('splits lists on commas and new lines', () => {
    expect(splitList(' gpt-*, o3\n\nclaude-* ')).toEqual(['gpt-*', 'o3', 'claude-*']);
  });

  it('finds what the server would refuse in a mapping draft', () => {
    const p = mappingProblems([
      { from: 'a', to: 'b' },
      { from: '', to: 'x' },
      { from: 'a', to: 'c' },
      { from: '/(/', to: 'y' },
      { from: 'z', to: ' ' },
    ]);
    expect([...p.keys()]).toEqual([1, 2, 3, 4]);
    expect(p.get(2)).toContain('mapped twice');
    expect(p.get(3)).toContain('regular expression');
  });

  it('stacks grouped series, largest group first, the rest as "other"', () => {
    const s = stackSeries(
      [
        { t: 1, key: 'a', v: 1 },
        { t: 1, key: 'b', v: 5 },
        { t: 2, key: 'a', v: 2 },
        { t: 2, key: 'c', v: 1 },
      ],
      (p) => Number(p.v),
      2,
    );
    expect(s.xs).toEqual([1, 2]);
    expect(s.keys).toEqual(['b', 'a', 'other']);
    expect(s.values).toEqual([
      [5, 0],
      [1, 2],
      [0, 1],
    ]);
    expect(s.stacked[0]).toEqual([6, 3]);
    expect(s.stacked[2]).toEqual([0, 1]);
  });
});
