import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import { GatewayError } from '../canonical/errors.js';
import type { DialectCodec } from '../dialects/codec.js';
import type { Provider } from '../providers/index.js';
import type { UpstreamCall } from '../providers/provider.js';
import { maskKey } from '../routing/key-pool.js';
import type { Log } from '../util/log.js';

// Sends one client request upstream, rotating through the provider's key pool on failures that
// another key might not have: 429, 401/403, 5xx, timeouts, refused or reset connections. Nothing
// here has written to the client yet, so a retry is invisible to it.

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
    connections: 256,
  });
}

export interface SendOptions {
  provider: Provider;
  call: UpstreamCall;
  /** The upstream request body (already serialised). */
  body: string | Buffer;
  clientHeaders: Record<string, string | string[] | undefined>;
  sameDialect: boolean;
  /** Decodes the upstream's error answers. */
  upstreamCodec: Pick<DialectCodec, 'decodeError'>;
  signal: AbortSignal;
  dispatcher: Dispatcher;
  log: Log;
}

export interface UpstreamAnswer {
  response: Dispatcher.ResponseData;
  keyIndex: number;
  attempts: number;
}

interface FailedAttempt {
  key: string;
  reason: string;
  error: GatewayError;
}

/** Cooldown for a key after a failure of this kind, in ms (0 = none). */
function cooldownFor(err: GatewayError): number {
  if (err.status === 429) return err.retryAfterMs ?? 10_000;
  if (err.status === 401 || err.status === 403) return 5 * 60_000;
  return 0;
}

function connectionError(err: unknown, provider: Provider): GatewayError {
  if (err instanceof undiciErrors.HeadersTimeoutError) {
    return new GatewayError('timeout', `Provider "${provider.name}" did not answer in time (first-byte timeout).`, { retryable: true });
  }
  if (err instanceof undiciErrors.ConnectTimeoutError) {
    return new GatewayError('timeout', `Could not connect to provider "${provider.name}" at ${provider.baseUrl} in time.`, { retryable: true });
  }
  const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
  const detail = code ?? (err as Error).message;
  return new GatewayError('upstream_error', `Could not reach provider "${provider.name}" at ${provider.baseUrl} (${detail}).`, {
    retryable: true,
  });
}

async function readErrorBody(res: Dispatcher.ResponseData): Promise<unknown> {
  const text = await res.body.text().catch(() => '');
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: text.slice(0, 500) || undefined } };
  }
}

export async function sendUpstream(opts: SendOptions): Promise<UpstreamAnswer> {
  const { provider, call } = opts;
  const url = provider.adapter.url(provider.baseUrl, call);
  const tried = new Set<number>();
  const failures: FailedAttempt[] = [];

  for (;;) {
    const picked = provider.pool.pick(tried);
    if (!picked) break;
    tried.add(picked.index);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: 'POST',
        headers: provider.adapter.headers(picked.key, opts.clientHeaders, opts.sameDialect),
        body: opts.body,
        signal: opts.signal,
        dispatcher: opts.dispatcher,
      });
    } catch (err) {
      if (opts.signal.aborted) throw new GatewayError('invalid_request', 'The client closed the connection.', { status: 499 });
      const gerr = connectionError(err, provider);
      failures.push({ key: maskKey(picked.key), reason: gerr.message, error: gerr });
      opts.log.warn({ provider: provider.name, key: maskKey(picked.key), reason: gerr.message }, 'upstream attempt failed; trying the next key');
      continue;
    }
    if (res.statusCode < 400) return { response: res, keyIndex: picked.index, attempts: tried.size };

    const gerr = opts.upstreamCodec.decodeError(res.statusCode, await readErrorBody(res), res.headers);
    const cool = cooldownFor(gerr);
    if (cool > 0) provider.pool.cool(picked.index, cool);
    if (!gerr.retryable) throw withProvider(gerr, provider);
    failures.push({ key: maskKey(picked.key), reason: `HTTP ${res.statusCode}: ${gerr.message}`, error: gerr });
    opts.log.warn(
      { provider: provider.name, key: maskKey(picked.key), status: res.statusCode, coolMs: cool || undefined },
      'upstream attempt failed; trying the next key',
    );
  }
  throw finalError(provider, failures);
}

function withProvider(err: GatewayError, provider: Provider): GatewayError {
  return new GatewayError(err.kind, err.message, {
    status: err.status,
    retryable: err.retryable,
    retryAfterMs: err.retryAfterMs,
    upstream: err.upstream ? { ...err.upstream, provider: provider.name } : undefined,
  });
}

/** The answer when no key could serve: the last upstream error, or 429 with the soonest free time. */
function finalError(provider: Provider, failures: FailedAttempt[]): GatewayError {
  if (failures.length === 0) {
    const wait = provider.pool.soonestFreeIn();
    return new GatewayError(
      'rate_limit',
      `Every key of provider "${provider.name}" is cooling down after rate limits; the first is free again in ${Math.ceil(wait / 1000)}s.`,
      { retryAfterMs: wait },
    );
  }
  const last = failures[failures.length - 1].error;
  if (failures.length === 1) return withProvider(last, provider);
  const summary = failures.map((f) => `${f.key}: ${f.reason}`).join('; ');
  const allRateLimited = failures.every((f) => f.error.status === 429);
  return new GatewayError(
    last.kind,
    `All ${failures.length} keys of provider "${provider.name}" failed (${summary}).`,
    {
      status: last.status,
      upstream: last.upstream ? { ...last.upstream, provider: provider.name } : undefined,
      retryAfterMs: allRateLimited ? provider.pool.soonestFreeIn() : last.retryAfterMs,
    },
  );
}
