import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sumOf } from './prom-text.js';

describe('parsePrometheusText', () => {
  it('reads counters, gauges and histograms with escaped labels', () => {
    const text = [
      '# HELP x_total Things.',
      '# TYPE x_total counter',
      'x_total{a="1",b="q\\"uote\\\\ \\n"} 3',
      'x_total{a="2"} 4.5 1700000000000',
      '# TYPE g gauge',
      'g NaN',
      '# TYPE h histogram',
      'h_bucket{le="0.1"} 1',
      'h_bucket{le="1"} 2',
      'h_bucket{le="+Inf"} 3',
      'h_sum 1.7',
      'h_count 3',
      '',
    ].join('\n');
    const f = parsePrometheusText(text);
    expect(f.get('x_total')?.type).toBe('counter');
    expect(f.get('x_total')?.samples[0].labels.b).toBe('q"uote\\ \n');
    expect(sumOf(f, 'x_total')).toBe(7.5);
    expect(sumOf(f, 'x_total', { a: '2' })).toBe(4.5);
    expect(Number.isNaN(f.get('g')?.samples[0].value)).toBe(true);
    expect(sumOf(f, 'h')).toBe(3);
  });

  it.each([
    ['a bad metric name', '1abc 1'],
    ['an unquoted label', 'x{a=1} 1'],
    ['a value that is not a number', 'x 1,5'],
    ['an unknown type', '# TYPE x thing'],
    ['a non-cumulative histogram', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_count 2'],
    ['a _count that differs from +Inf', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_count 3'],
  ])('rejects %s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
