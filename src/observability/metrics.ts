import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { CounterSeries, HistogramSeries } from './metric-series.js';
import type { RequestRecord } from './request-record.js';

// Prometheus metrics (GET /metrics), one registry per gateway. Everything is derived from the
// request records (so metrics, the log and the stats agree) plus what is read at scrape time: the
// credentials' states and the request log writer's queue and count of entries written.

/** Latency buckets in seconds: quick list calls up to reasoning models that think for minutes. */
const BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];

/** Distinct model label values kept; past this, new names count as `other` (clients choose model names). */
const MAX_MODELS = 200;

/** Distinct label sets per request metric; past this, new ones count in an all-`other` series. */
const MAX_SERIES = 5000;

export interface CredentialStateView {
  provider: string;
  credential: string;
  state: string;
}

export interface MetricsSources {
  credentialStates(): CredentialStateView[];
  logQueue(): number;
  /** Request log entries written so far (the log worker writes without telling the main thread each time). */
  logWritten(): number;
}

/** What the upstream's failure was, for `switchyard_upstream_errors_total{class}`. */
export function errorClass(status: number, error: string | undefined): string | undefined {
  if (status === 429) return 'rate_limit';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 499) return 'client_closed';
  if (status >= 500) return 'server';
  if (status >= 400) return 'client';
  return error !== undefined ? 'stream' : undefined;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly models = new Set<string>();
  // The per-request metrics are metric-series.ts's (performance: prom-client hashes the labels on
  // every call); their keys are the label values joined with \u0001, in labelNames order.
  private readonly requests: CounterSeries<'dialect' | 'route' | 'model' | 'status'>;
  private readonly duration: HistogramSeries<'dialect' | 'provider'>;
  private readonly ttfb: HistogramSeries<'dialect' | 'provider'>;
  private readonly attempts: CounterSeries<'provider'>;
  private readonly upstreamErrors: CounterSeries<'provider' | 'class'>;
  private readonly tokens: CounterSeries<'provider' | 'model' | 'type'>;
  readonly logDropped: Counter;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new CounterSeries({
      name: 'switchyard_requests_total',
      help: 'Client requests by client dialect, route, requested model and HTTP status.',
      labelNames: ['dialect', 'route', 'model', 'status'],
      maxSeries: MAX_SERIES,
      registers,
    });
    this.duration = new HistogramSeries({
      name: 'switchyard_request_duration_seconds',
      help: 'Time from a request arriving to its answer ending.',
      labelNames: ['dialect', 'provider'],
      buckets: BUCKETS,
      maxSeries: MAX_SERIES,
      registers,
    });
    this.ttfb = new HistogramSeries({
      name: 'switchyard_time_to_first_byte_seconds',
      help: 'Time from a generation request arriving to the first byte of its answer.',
      labelNames: ['dialect', 'provider'],
      buckets: BUCKETS,
      maxSeries: MAX_SERIES,
      registers,
    });
    this.attempts = new CounterSeries({
      name: 'switchyard_upstream_attempts_total',
      help: 'Upstream attempts (each credential tried counts one).',
      labelNames: ['provider'],
      maxSeries: MAX_SERIES,
      registers,
    });
    this.upstreamErrors = new CounterSeries({
      name: 'switchyard_upstream_errors_total',
      help: 'Failed upstream attempts by class: rate_limit, auth, timeout, server, client, stream (broke after it started), client_closed, retried (failed, then another attempt was made).',
      labelNames: ['provider', 'class'],
      maxSeries: MAX_SERIES,
      registers,
    });
    this.tokens = new CounterSeries({
      name: 'switchyard_tokens_total',
      help: 'Tokens as the upstreams reported them, by type: input, output, cached (subset of input), reasoning (subset of output).',
      labelNames: ['provider', 'model', 'type'],
      maxSeries: MAX_SERIES,
      registers,
    });
    new Gauge({
      name: 'switchyard_credential_state',
      help: 'Each upstream credential (masked) and its state: 1 for the state it is in.',
      labelNames: ['provider', 'credential', 'state'],
      registers,
      collect() {
        this.reset();
        for (const c of sources.credentialStates()) this.set({ provider: c.provider, credential: c.credential, state: c.state }, 1);
      },
    });
    new Gauge({
      name: 'switchyard_request_log_queue',
      help: 'Request log entries waiting to be written.',
      registers,
      collect() {
        this.set(sources.logQueue());
      },
    });
    new Counter({
      name: 'switchyard_request_log_written_total',
      help: 'Request log entries written to the store.',
      registers,
      collect() {
        this.reset();
        this.inc(sources.logWritten());
      },
    });
    this.logDropped = new Counter({
      name: 'switchyard_request_log_dropped_total',
      help: 'Request log entries dropped because the store could not keep up or failed.',
      registers,
    });
  }

  private model(name: string | undefined): string {
    if (!name) return '';
    if (this.models.has(name)) return name;
    // \u0001 separates the label values in the series keys.
    if (this.models.size >= MAX_MODELS || name.includes('\u0001')) return 'other';
    this.models.add(name);
    return name;
  }

  observe(r: RequestRecord): void {
    const model = this.model(r.requestedModel);
    const provider = r.provider ?? '';
    const dialect = r.clientDialect;
    const status = String(r.status);
    this.requests.inc(`${dialect}\u0001${r.route}\u0001${model}\u0001${status}`);
    const timing = `${dialect}\u0001${provider}`;
    this.duration.observe(timing, r.latencyMs / 1000);
    if (r.ttfbMs !== undefined) this.ttfb.observe(timing, r.ttfbMs / 1000);
    if (r.provider !== undefined && r.attempts !== undefined && r.attempts > 0) {
      this.attempts.inc(provider, r.attempts);
      const cls = errorClass(r.status, r.error);
      // Every attempt but the last failed and was retried; the last failed only when the request did.
      if (r.attempts > 1) this.upstreamErrors.inc(`${provider}\u0001retried`, r.attempts - 1);
      if (cls) this.upstreamErrors.inc(`${provider}\u0001${cls}`);
    }
    const u = r.usage;
    if (u) {
      const pm = `${provider}\u0001${this.model(r.resolvedModel ?? r.requestedModel)}\u0001`;
      this.tokens.inc(`${pm}input`, u.inputTokens);
      this.tokens.inc(`${pm}output`, u.outputTokens);
      if (u.cachedInputTokens) this.tokens.inc(`${pm}cached`, u.cachedInputTokens);
      if (u.reasoningTokens) this.tokens.inc(`${pm}reasoning`, u.reasoningTokens);
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
