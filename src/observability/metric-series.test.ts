import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sumOf } from '../../test/helpers/prom-text.js';
import { CounterSeries, HistogramSeries } from './metric-series.js';

const BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];
const key = (...values: string[]): string => values.join('\u0001');

describe('HistogramSeries', () => {
  it('exposes the same text as a prom-client Histogram fed the same observations', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const config = { name: 'x_duration_seconds', help: 'Time with "quotes" and \\ backslash.', labelNames: ['dialect', 'provider'] as const, buckets: BUCKETS };
    const h = new HistogramSeries({ ...config, registers: [ours] });
    const p = new Histogram({ ...config, labelNames: [...config.labelNames], registers: [theirs] });
    const observations: Array<[string, string, number]> = [
      ['anthropic', 'an', 0.025], // on a bound
      ['anthropic', 'an', 0.03], // between bounds
      ['openai-chat', 'oa', 600], // on the top bound
      ['anthropic', 'an', 601], // above the top bound
      ['openai-chat', 'oa', 0], // below the first bound
      ['none', '', 1.2345],
      ['anthropic', 'an', 1],
      ['openai-chat', 'oa', 7.5],
      ['anthropic', 'a"b\\c\nd', 0.1],
      ['anthropic', 'an', 0.1 + 0.2],
    ];
    for (const [dialect, provider, v] of observations) {
      h.observe(key(dialect, provider), v);
      p.labels({ dialect, provider }).observe(v);
    }
    const text = await ours.metrics();
    expect(text.split('\n')).toEqual((await theirs.metrics()).split('\n'));
    const f = parsePrometheusText(text); // strict: cumulative buckets, +Inf equal to _count
    expect(sumOf(f, 'x_duration_seconds', { provider: 'an' })).toBe(5);
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });

  it('ignores non-finite values', async () => {
    const r = new Registry();
    const h = new HistogramSeries({ name: 'x_seconds', help: 'x', labelNames: ['a'], buckets: [1], registers: [r] });
    h.observe('1', NaN);
    h.observe('1', Infinity);
    h.observe('1', 0.5);
    expect(sumOf(parsePrometheusText(await r.metrics()), 'x_seconds')).toBe(1);
  });
});

describe('CounterSeries', () => {
  it('exposes the same text as a prom-client Counter fed the same increments', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const config = { name: 'x_tokens_total', help: 'Tokens.', labelNames: ['provider', 'model', 'type'] as const };
    const c = new CounterSeries({ ...config, registers: [ours] });
    const p = new Counter({ ...config, labelNames: [...config.labelNames], registers: [theirs] });
    const increments: Array<[string, string, string, number | undefined]> = [
      ['an', 'claude-x', 'input', 10],
      ['an', 'claude-x', 'output', undefined], // default 1
      ['oa', 'gpt-4o', 'input', 0.1],
      ['oa', 'gpt-4o', 'input', 0.2],
      ['an', 'claude-x', 'input', 5],
      ['gm', 'gemini "2"\n', 'cached', 1e21],
      ['oa', 'gpt-4o', 'reasoning', 0],
    ];
    for (const [provider, model, type, n] of increments) {
      c.inc(key(provider, model, type), n);
      p.labels({ provider, model, type }).inc(n);
    }
    expect((await ours.metrics()).split('\n')).toEqual((await theirs.metrics()).split('\n'));
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });

  it('ignores negative and non-finite increments, so it never goes down', async () => {
    const r = new Registry();
    const c = new CounterSeries({ name: 'x_total', help: 'x', labelNames: ['a'], registers: [r] });
    c.inc('1', 3);
    for (const bad of [-1, NaN, Infinity]) c.inc('1', bad);
    expect(sumOf(parsePrometheusText(await r.metrics()), 'x_total')).toBe(3);
  });

  it('resets with the registry', async () => {
    const r = new Registry();
    const c = new CounterSeries({ name: 'x_total', help: 'x', labelNames: ['a'], registers: [r] });
    c.inc('1');
    r.resetMetrics();
    expect(await r.metrics()).toBe('# HELP x_total x\n# TYPE x_total counter\n');
  });

  it('past maxSeries, counts new label sets in one all-`other` series and keeps the old ones', async () => {
    const r = new Registry();
    const c = new CounterSeries({ name: 'x_total', help: 'x', labelNames: ['model', 'status'], maxSeries: 3, registers: [r] });
    const inc = (model: string, status: string): void => c.inc(key(model, status));
    for (let round = 0; round < 2; round++) for (let i = 0; i < 6; i++) inc(`m-${i}`, '200');
    expect(c.size).toBe(4); // 3 label sets + the overflow series
    const f = parsePrometheusText(await r.metrics());
    for (let i = 0; i < 3; i++) expect(sumOf(f, 'x_total', { model: `m-${i}`, status: '200' })).toBe(2);
    expect(sumOf(f, 'x_total', { model: 'other', status: 'other' })).toBe(6);
    expect(sumOf(f, 'x_total')).toBe(12);
    // A label set that is all `other` itself is the same series, not a duplicate line.
    inc('other', 'other');
    const f2 = parsePrometheusText(await r.metrics());
    expect(f2.get('x_total')?.samples.length).toBe(4);
    expect(sumOf(f2, 'x_total', { model: 'other' })).toBe(7);
  });

  it('counts a key whose values do not split into the label names in the overflow series', async () => {
    const r = new Registry();
    const c = new CounterSeries({ name: 'x_total', help: 'x', labelNames: ['model', 'status'], registers: [r] });
    c.inc(key('a\u0001b', '200'));
    c.inc('no-separator');
    c.inc(key('m', '200'));
    const f = parsePrometheusText(await r.metrics());
    expect(sumOf(f, 'x_total', { model: 'other', status: 'other' })).toBe(2);
    expect(sumOf(f, 'x_total', { model: 'm', status: '200' })).toBe(1);
  });

  it('bounds histograms the same way', async () => {
    const r = new Registry();
    const h = new HistogramSeries({ name: 'x_seconds', help: 'x', labelNames: ['provider'], buckets: [1], maxSeries: 1, registers: [r] });
    for (const provider of ['a', 'b', 'c']) h.observe(provider, 0.5);
    const f = parsePrometheusText(await r.metrics());
    expect(sumOf(f, 'x_seconds', { provider: 'a' })).toBe(1);
    expect(sumOf(f, 'x_seconds', { provider: 'other' })).toBe(2);
  });
});
