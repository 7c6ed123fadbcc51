import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { GatewayError } from '../canonical/errors.js';
import type { DialectCodec } from '../dialects/codec.js';
import type { UpstreamCall } from '../providers/provider.js';
import type { Credential } from '../routing/credential.js';
import { applyFailure, backoffMs, type PolicySettings } from '../routing/failure-policy.js';
import type { RouteCandidate, RoutePlan } from '../routing/router.js';
import type { AttemptRecord } from '../observability/request-record.js';
import type { Log } from '../util/log.js';
import type { ClientAbort } from './client-abort.js';
import { requestUpstream, type UpstreamResponse } from './upstream-response.js';

// Finds an upstream that answers. Walks the route plan (providers by priority and weight, then
// fallback models) and, within each provider, its usable credentials, applying the failure policy
// (src/routing/failure-policy.ts) to every failed attempt. Nothing has been written to the client
// while this runs, so every retry is invisible to it; once it returns, the answer is committed.

export interface UpstreamTimeouts {
  connectMs: number;
  firstByteMs: number;
  idleMs: number;
}

export function createUpstreamAgent(t: UpstreamTimeouts): Agent {
  return new Agent({
    connect: { timeout: t.connectMs },
    headersTimeout: t.firstByteMs,
    bodyTimeout: t.idleMs,
    keepAliveTimeout: 30_000,
    connections: null,
  });
}

export interface RetrySettings extends PolicySettings {
  maxAttempts: number;
  /** Routing deadline: how long all attempts together may wait for an upstream's response headers. */
  deadlineMs: number;
  /** One attempt's wait for response headers (timeouts.first_byte). */
  firstByteMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
}

/** The upstream request for one candidate (its dialect decides the body). */
export interface PreparedCall {
  call: UpstreamCall;
  body: string | Buffer;
  upstreamCodec: DialectCodec;
  sameDialect: boolean;
}

export interface SendOptions {
  plan: RoutePlan;
  prepare(candidate: RouteCandidate): PreparedCall;
  /** The conversation's session key, computed only for providers with the sticky strategy. */
  session(): string;
  clientHeaders: Record<string, string | string[] | undefined>;
  signal: ClientAbort;
  dispatcher: Dispatcher;
  retry: RetrySettings;
  log: Log;
  /** Told of every attempt as it ends (the request log's attempt list). */
  onAttempt?(attempt: AttemptRecord): void;
}

export interface UpstreamAnswer {
  response: UpstreamResponse;
  candidate: RouteCandidate;
  prepared: PreparedCall;
  credential: Credential;
  attempts: number;
  /** Call once the answer has been relayed: ok, or the reason it broke mid-way. */
  finish(error?: string): void;
}

/**
 * Origin and path of an upstream URL, split once per distinct URL. Performance (bench/README.md,
 * scenario 1b): undici's top-level `request(url)` builds a WHATWG URL from the string on every call
 * and copies the options; the dispatcher takes origin and path (computed exactly as undici computes
 * them). Anything but http(s) is refused with the reason. Bounded: cleared when it reaches 1,000 URLs
 * (a URL holds the provider's base URL and the model).
 * Measured, same run A/B (`--compare-dist`, scenario 1b, c=32): 271 → 233 and 265 → 238 CPU µs/request.
 */
const upstreamTargets = new Map<string, { origin: string; path: string } | string>();
function upstreamTarget(url: string): { origin: string; path: string } {
  let t = upstreamTargets.get(url);
  if (t === undefined) {
    try {
      const u = new URL(url);
      t =
        u.protocol === 'http:' || u.protocol === 'https:'
          ? { origin: u.origin, path: u.search ? `${u.pathname}${u.search}` : u.pathname }
          : `unsupported protocol ${u.protocol} in ${url}`;
    } catch {
      t = `not a valid URL: ${url}`;
    }
    if (upstreamTargets.size >= 1000) upstreamTargets.clear();
    upstreamTargets.set(url, t);
  }
  if (typeof t === 'string') throw new Error(t);
  return t;
}

interface FailedAttempt {
  where: string;
  reason: string;
  error: GatewayError;
}

function connectionError(err: unknown, c: RouteCandidate, deadlineHit: boolean): GatewayError {
  const p = c.provider;
  if (deadlineHit) {
    return new GatewayError('timeout', `Provider "${p.name}" did not answer before the routing deadline.`, { retryable: true });
  }
  if (err instanceof undiciErrors.HeadersTimeoutError) {
    return new GatewayError('timeout', `Provider "${p.name}" did not answer in time (first-byte timeout).`, { retryable: true });
  }
  if (err instanceof undiciErrors.ConnectTimeoutError) {
    return new GatewayError('timeout', `Could not connect to provider "${p.name}" at ${p.baseUrl} in time.`, { retryable: true });
  }
  const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
  return new GatewayError('upstream_error', `Could not reach provider "${p.name}" at ${p.baseUrl} (${code ?? (err as Error).message}).`, {
    retryable: true,
  });
}

async function readErrorBody(res: UpstreamResponse): Promise<unknown> {
  const text = await res.body.text().catch(() => '');
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: text.slice(0, 500) || undefined } };
  }
}

export async function sendUpstream(opts: SendOptions): Promise<UpstreamAnswer> {
  const { plan, retry } = opts;
  const started = Date.now();
  const failures: FailedAttempt[] = [];
  let attempts = 0;
  let backoffsTaken = 0;
  let wantBackoff = false;

  for (const candidate of plan.candidates) {
    const { provider, model } = candidate;
    const tried = new Set<number>();
    let prepared: PreparedCall | undefined;
    const session = provider.pool.strategy === 'sticky' ? opts.session() : undefined;

    while (attempts < retry.maxAttempts) {
      const remaining = retry.deadlineMs - (Date.now() - started);
      if (remaining <= 0) break;
      const credential = provider.pool.pick(model, tried, session);
      if (!credential) break;
      tried.add(credential.index);
      prepared ??= opts.prepare(candidate);
      if (wantBackoff) {
        backoffsTaken++;
        await sleep(Math.min(backoffMs(backoffsTaken, retry.backoffBaseMs, retry.backoffCapMs), remaining), undefined, { signal: opts.signal.signal }).catch(
          () => undefined,
        );
      }
      if (opts.signal.aborted) throw new GatewayError('invalid_request', 'The client closed the connection.', { status: 499 });
      attempts++;
      credential.begin(model);

      // The deadline bounds the wait for response headers only, as undici's per-request headers
      // timeout (with the first-byte timeout, whichever ends first): no timer or abort controller of
      // our own per attempt. The client's signal aborts the attempt, and the body once it flows.
      const left = Math.max(1, retry.deadlineMs - (Date.now() - started));
      const deadlineBound = left < retry.firstByteMs;
      const where = `${provider.name} ${credential.masked}`;
      const attemptStarted = Date.now();
      const told = (status: number | undefined, reason?: string) =>
        opts.onAttempt?.({ provider: provider.name, credential: credential.masked, model, status, ok: reason === undefined, reason, ms: Date.now() - attemptStarted });
      let res: UpstreamResponse;
      try {
        const url = provider.adapter.url(provider.baseUrl, prepared.call);
        const headers = provider.adapter.headers(credential.key, opts.clientHeaders, prepared.sameDialect);
        const t = upstreamTarget(url);
        const headersTimeout = Math.min(left, retry.firstByteMs);
        res = await requestUpstream(opts.dispatcher, { origin: t.origin, path: t.path, method: 'POST', headers, body: prepared.body, headersTimeout }, opts.signal);
      } catch (err) {
        if (opts.signal.aborted) {
          credential.released();
          throw new GatewayError('invalid_request', 'The client closed the connection.', { status: 499 });
        }
        const gerr = connectionError(err, candidate, deadlineBound && err instanceof undiciErrors.HeadersTimeoutError);
        told(undefined, gerr.message);
        applyFailure(gerr, credential, model, retry);
        failures.push({ where, reason: gerr.message, error: gerr });
        wantBackoff = true;
        opts.log.warn({ provider: provider.name, key: credential.masked, reason: gerr.message }, 'upstream attempt failed');
        continue;
      }

      if (res.statusCode < 400) {
        told(res.statusCode);
        let finished = false;
        return {
          response: res,
          candidate,
          prepared,
          credential,
          attempts,
          finish(error?: string) {
            if (finished) return;
            finished = true;
            res.body.discard(); // an answer left unread (an error of ours) must not hold its connection
            if (error === undefined) credential.succeeded();
            else if (opts.signal.aborted) credential.released();
            else {
              credential.failed(error);
              credential.breakerFailure(retry.circuitFailures, retry.circuitOpenMs);
            }
          },
        };
      }
      const gerr = withProvider(prepared.upstreamCodec.decodeError(res.statusCode, await readErrorBody(res), res.headers), provider.name);
      told(res.statusCode, gerr.message);
      const action = applyFailure(gerr, credential, model, retry);
      if (!action.retry) throw gerr;
      failures.push({ where, reason: `HTTP ${res.statusCode}: ${gerr.message}`, error: gerr });
      wantBackoff = action.backoff;
      opts.log.warn({ provider: provider.name, key: credential.masked, status: res.statusCode }, 'upstream attempt failed');
    }
  }
  throw finalError(plan, failures, attempts >= retry.maxAttempts, Date.now() - started >= retry.deadlineMs);
}

function withProvider(err: GatewayError, provider: string): GatewayError {
  return new GatewayError(err.kind, err.message, {
    status: err.status,
    retryable: err.retryable,
    retryAfterMs: err.retryAfterMs,
    upstream: err.upstream ? Object.assign({}, err.upstream, { provider }) : undefined,
  });
}

/** Soonest time any candidate credential can serve again (Infinity when only a person can fix it). */
function soonestFree(plan: RoutePlan): number {
  let soonest = Infinity;
  for (const c of plan.candidates) soonest = Math.min(soonest, c.provider.pool.soonestFreeIn(c.model));
  return soonest;
}

function unusableSummary(plan: RoutePlan): string {
  const parts: string[] = [];
  for (const c of plan.candidates) {
    for (const cred of c.provider.pool.credentials) {
      const s = cred.state(c.model);
      if (s.status === 'healthy') continue;
      const until = s.until ? ` for ${Math.ceil((s.until - Date.now()) / 1000)}s` : '';
      parts.push(`${c.provider.name} ${cred.masked} ${s.status}${until}${s.reason ? ` (${s.reason})` : ''}`);
    }
  }
  return parts.join('; ');
}

/** The answer when no credential could serve: what was tried, why each failed, and when to come back. */
function finalError(plan: RoutePlan, failures: FailedAttempt[], attemptsExhausted: boolean, deadlineHit: boolean): GatewayError {
  const wait = soonestFree(plan);
  const tried = failures.length;
  if (tried === 0) {
    const summary = unusableSummary(plan);
    if (Number.isFinite(wait)) {
      return new GatewayError(
        'rate_limit',
        `No credential can serve "${plan.model}" right now; the first is free again in ${Math.max(1, Math.ceil(wait / 1000))}s (${summary}).`,
        { retryAfterMs: Math.max(wait, 1000) },
      );
    }
    return new GatewayError(
      'upstream_error',
      `Every credential that serves "${plan.model}" needs attention (${summary}). Fix or replace the keys, then reset them (POST /api/pool/reset).`,
      { status: 503 },
    );
  }
  const last = failures[failures.length - 1].error;
  if (tried === 1 && !attemptsExhausted && !deadlineHit) return last;
  const why = failures.map((f) => `${f.where}: ${f.reason}`).join('; ');
  const limit = deadlineHit ? ' before the routing deadline' : attemptsExhausted ? ` (max_attempts ${tried})` : '';
  const message = `Tried ${tried} credential${tried === 1 ? '' : 's'} for "${plan.model}"${limit}, all failed: ${why}.`;
  const allLimited = failures.every((f) => f.error.status === 429);
  if (allLimited || (Number.isFinite(wait) && wait > 0 && failures.some((f) => f.error.status === 429))) {
    return new GatewayError('rate_limit', message, { retryAfterMs: Number.isFinite(wait) ? Math.max(wait, 1000) : last.retryAfterMs, upstream: last.upstream });
  }
  return new GatewayError(last.kind, message, { status: last.status, upstream: last.upstream, retryAfterMs: last.retryAfterMs });
}
