import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sumOf } from '../../test/helpers/prom-text.js';
import { errorClass, GatewayMetrics } from './metrics.js';
import type { RequestRecord } from './request-record.js';

const rec = (over: Partial<RequestRecord> = {}): RequestRecord => ({
  id: 'x',
  startedAt: 0,
  method: 'POST',
  clientDialect: 'anthropic',
  route: 'anthropic.messages',
  pathSent: '/v1/messages',
  pathResolved: '/v1/messages',
  requestedModel: 'claude-x',
  resolvedModel: 'claude-x',
  provider: 'an',
  status: 200,
  attempts: 1,
  latencyMs: 1200,
  ttfbMs: 300,
  usage: { inputTokens: 10, outputTokens: 4, cachedInputTokens: 3, reasoningTokens: 2 },
  ...over,
});

describe('GatewayMetrics', () => {
  it('exposes valid Prometheus text that follows the requests', async () => {
    let written = 17;
    const m = new GatewayMetrics({ credentialStates: () => [{ provider: 'an', credential: 'sk-a…0001', state: 'cooling' }], logQueue: () => 4, logWritten: () => written });
    m.observe(rec());
    m.observe(rec({ status: 429, attempts: 3, usage: undefined, ttfbMs: undefined }));
    m.observe(rec({ route: 'models.list', clientDialect: 'none', requestedModel: undefined, provider: undefined, attempts: undefined, usage: undefined, ttfbMs: undefined }));
    const f = parsePrometheusText(await m.text());
    expect(sumOf(f, 'switchyard_requests_total')).toBe(3);
    expect(sumOf(f, 'switchyard_requests_total', { model: 'claude-x', status: '429' })).toBe(1);
    expect(sumOf(f, 'switchyard_request_duration_seconds')).toBe(3);
    expect(sumOf(f, 'switchyard_time_to_first_byte_seconds')).toBe(1);
    expect(sumOf(f, 'switchyard_upstream_attempts_total', { provider: 'an' })).toBe(4);
    expect(sumOf(f, 'switchyard_upstream_errors_total', { class: 'retried' })).toBe(2);
    expect(sumOf(f, 'switchyard_upstream_errors_total', { class: 'rate_limit' })).toBe(1);
    expect(sumOf(f, 'switchyard_tokens_total', { type: 'input' })).toBe(10);
    expect(sumOf(f, 'switchyard_tokens_total', { type: 'reasoning' })).toBe(2);
    expect(sumOf(f, 'switchyard_credential_state', { state: 'cooling' })).toBe(1);
    expect(sumOf(f, 'switchyard_request_log_queue')).toBe(4);
    expect(sumOf(f, 'switchyard_request_log_written_total')).toBe(17);
    expect(f.get('process_cpu_seconds_total')).toBeDefined();
    // Read from the writer at each scrape, not added up.
    written = 30;
    expect(sumOf(parsePrometheusText(await m.text()), 'switchyard_request_log_written_total')).toBe(30);
  });

  it('caps distinct model labels', async () => {
    const m = new GatewayMetrics({ credentialStates: () => [], logQueue: () => 0, logWritten: () => 0 });
    for (let i = 0; i < 250; i++) m.observe(rec({ requestedModel: `m-${i}`, usage: undefined }));
    const f = parsePrometheusText(await m.text());
    expect(sumOf(f, 'switchyard_requests_total', { model: 'other' })).toBe(50);
  });

  it('classifies upstream failures', () => {
    expect([429, 401, 504, 502, 400, 499].map((s) => errorClass(s, undefined))).toEqual(['rate_limit', 'auth', 'timeout', 'server', 'client', 'client_closed']);
    expect(errorClass(200, 'broke')).toBe('stream');
    expect(errorClass(200, undefined)).toBeUndefined();
  });
});
