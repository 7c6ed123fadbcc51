import { describe, expect, it } from 'vitest';
import { Credential } from './credential.js';
import { CredentialPool } from './credential-pool.js';
import { applyFailure, backoffMs } from './failure-policy.js';
import { GatewayError } from '../canonical/errors.js';

const SETTINGS = { cooldownBaseMs: 1000, cooldownCapMs: 8000, circuitFailures: 3, circuitOpenMs: 5000 };
const upstream = (status: number, retryAfterMs?: number, message = `HTTP ${status}`) =>
  new GatewayError(status === 429 ? 'rate_limit' : 'upstream_error', message, {
    status,
    retryable: status === 429 || status >= 500 || status === 401 || status === 403,
    upstream: { status, message },
    retryAfterMs,
  });

describe('failure policy on a credential', () => {
  it('a 429 with a retry time cools that credential for that model only, until then', () => {
    const c = new Credential(0, 'sk-aaaaaaaaaaaaaaaa');
    expect(applyFailure(upstream(429, 3000), c, 'gpt-4o', SETTINGS, 1000)).toEqual({ retry: true, backoff: false });
    expect(c.state('gpt-4o', 1000)).toMatchObject({ status: 'cooling', until: 4000 });
    expect(c.usable('gpt-4o', 3999)).toBe(false);
    expect(c.usable('gpt-4o', 4000)).toBe(true);
    expect(c.usable('gpt-4o-mini', 1000)).toBe(true);
  });

  it('a 429 without a time cools the whole credential, doubling per repeat up to the cap', () => {
    const c = new Credential(0, 'k');
    const until = (now: number) => c.state(undefined, now).until! - now;
    applyFailure(upstream(429), c, 'm', SETTINGS, 0);
    expect(until(0)).toBe(1000);
    applyFailure(upstream(429), c, 'm', SETTINGS, 0);
    expect(until(0)).toBe(2000);
    for (let i = 0; i < 5; i++) applyFailure(upstream(429), c, 'm', SETTINGS, 0);
    expect(until(0)).toBe(8000);
    c.succeeded();
    expect(c.untimedLimits).toBe(0);
  });

  it('401 marks invalid and 403 disables, both until reset', () => {
    const a = new Credential(0, 'k1');
    const b = new Credential(1, 'k2');
    applyFailure(upstream(401), a, 'm', SETTINGS, 0);
    applyFailure(upstream(403), b, 'm', SETTINGS, 0);
    expect(a.state('m', 10 ** 12).status).toBe('invalid');
    expect(b.state('m', 10 ** 12).status).toBe('disabled');
    expect(a.freeIn('m')).toBe(Infinity);
    a.reset();
    b.reset();
    expect(a.usable('m')).toBe(true);
    expect(b.usable('m')).toBe(true);
  });

  it('5xx failures open the circuit after N in a row; half-open admits one trial; success closes it', () => {
    const changes: string[] = [];
    const c = new Credential(0, 'k', (_c, from, to) => changes.push(`${from}->${to.status}`));
    for (let i = 0; i < 2; i++) expect(applyFailure(upstream(500), c, 'm', SETTINGS, 0)).toEqual({ retry: true, backoff: true });
    expect(c.usable('m', 0)).toBe(true);
    applyFailure(upstream(502), c, 'm', SETTINGS, 0);
    expect(c.state('m', 0)).toMatchObject({ status: 'open', until: 5000 });
    expect(c.usable('m', 4999)).toBe(false);
    expect(c.state('m', 5000).status).toBe('half_open');
    c.begin('m', 5000);
    expect(c.usable('m', 5000)).toBe(false); // one trial at a time
    c.succeeded();
    expect(c.state('m', 5001).status).toBe('healthy');
    expect(changes).toEqual(['healthy->open', 'half_open->healthy']);
  });

  it('a failed half-open trial opens the circuit again at once', () => {
    const c = new Credential(0, 'k');
    for (let i = 0; i < 3; i++) applyFailure(upstream(500), c, 'm', SETTINGS, 0);
    c.begin('m', 6000);
    applyFailure(upstream(500), c, 'm', SETTINGS, 6000);
    expect(c.state('m', 6000)).toMatchObject({ status: 'open', until: 11000 });
  });

  it('a 400 says nothing about the key: not retried, state untouched', () => {
    const c = new Credential(0, 'k');
    c.begin('m');
    expect(applyFailure(upstream(400), c, 'm', SETTINGS)).toEqual({ retry: false });
    expect(c.inFlight).toBe(0);
    expect(c.state('m').status).toBe('healthy');
  });

  it('backoff grows exponentially with jitter, capped', () => {
    expect(backoffMs(1, 100, 2000, () => 0)).toBe(50);
    expect(backoffMs(1, 100, 2000, () => 1)).toBe(100);
    expect(backoffMs(3, 100, 2000, () => 1)).toBe(400);
    expect(backoffMs(10, 100, 2000, () => 1)).toBe(2000);
  });
});

describe('selection strategies', () => {
  const keys = ['k0', 'k1', 'k2'];
  const picks = (pool: CredentialPool, n: number, session?: string) =>
    Array.from({ length: n }, () => pool.pick('m', new Set(), session)?.index);

  it('round-robin takes the next usable key and skips cooling ones', () => {
    const pool = new CredentialPool(keys, 'round-robin');
    expect(picks(pool, 4)).toEqual([0, 1, 2, 0]);
    pool.credentials[1].cool(60_000, 'test');
    expect(picks(pool, 4)).toEqual([2, 0, 2, 0]);
  });

  it('fill-first uses the first key until it cools', () => {
    const pool = new CredentialPool(keys, 'fill-first');
    expect(picks(pool, 3)).toEqual([0, 0, 0]);
    pool.credentials[0].cool(60_000, 'test');
    expect(picks(pool, 2)).toEqual([1, 1]);
  });

  it('least-in-flight prefers the least busy key', () => {
    const pool = new CredentialPool(keys, 'least-in-flight');
    pool.credentials[0].begin('m');
    pool.credentials[0].begin('m');
    pool.credentials[1].begin('m');
    expect(pool.pick('m', new Set())?.index).toBe(2);
    pool.credentials[2].begin('m');
    pool.credentials[2].begin('m');
    expect(pool.pick('m', new Set())?.index).toBe(1);
  });

  it('sticky keeps a conversation on its key and moves it only when that key cannot serve', () => {
    const pool = new CredentialPool(keys, 'sticky');
    const a = pool.pick('m', new Set(), 'conv-a')!.index;
    const b = pool.pick('m', new Set(), 'conv-b')!.index;
    expect(a).not.toBe(b);
    expect(picks(pool, 5, 'conv-a')).toEqual([a, a, a, a, a]);
    pool.credentials[a].cool(60_000, 'test');
    const moved = pool.pick('m', new Set(), 'conv-a')!.index;
    expect(moved).not.toBe(a);
    pool.credentials[a].reset();
    expect(picks(pool, 3, 'conv-a')).toEqual([moved, moved, moved]); // stays where it moved
  });

  it('never picks a key this request already tried', () => {
    const pool = new CredentialPool(keys, 'round-robin');
    expect(pool.pick('m', new Set([0, 1, 2]))).toBeUndefined();
    expect(pool.pick('m', new Set([0, 2]))?.index).toBe(1);
  });

  it('a rebuilt pool keeps the state of unchanged keys', () => {
    const old = new CredentialPool(keys, 'round-robin');
    old.credentials[1].cool(60_000, 'test');
    const next = new CredentialPool(['k0', 'k1', 'k9'], 'round-robin', undefined, old);
    expect(next.credentials[1]).toBe(old.credentials[1]);
    expect(next.credentials[2]).not.toBe(old.credentials[2]);
    expect(next.credentials[1].usable('m')).toBe(false);
  });
});
