import { describe, expect, it } from 'vitest';
import { GatewayError } from '../canonical/errors.js';
import type { UserKeyRecord } from '../store/types.js';
import { UsageLimiter } from './limiter.js';

const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const key = (over: Partial<UserKeyRecord> = {}): UserKeyRecord => ({
  id: 1,
  name: 'alice',
  hash: 'h',
  masked: 'm',
  enabled: true,
  expiresAt: null,
  allowedModels: [],
  dailyRequests: null,
  dailyTokens: null,
  rpm: null,
  createdAt: 0,
  revokedAt: null,
  ...over,
});

function refusal(fn: () => void): GatewayError {
  try {
    fn();
  } catch (err) {
    return err as GatewayError;
  }
  throw new Error('expected a refusal');
}

describe('UsageLimiter', () => {
  it('rpm: exactly N requests in any 60 s, then 429 with the wait until the oldest leaves the window', () => {
    const l = new UsageLimiter();
    const k = key({ rpm: 3 });
    l.admit(k, T0);
    l.admit(k, T0 + 10_000);
    l.admit(k, T0 + 20_000);
    const err = refusal(() => l.admit(k, T0 + 30_000));
    expect(err.status).toBe(429);
    expect(err.message).toContain('3 requests per minute (rpm)');
    expect(err.message).toContain('alice');
    expect(err.retryAfterMs).toBe(30_000);
    expect(() => l.admit(k, T0 + 59_999)).toThrow();
    l.admit(k, T0 + 60_000); // the first left the window
    expect(() => l.admit(k, T0 + 60_001)).toThrow();
  });

  it('daily requests: exactly N per UTC day, Retry-After until midnight UTC, fresh the next day', () => {
    const l = new UsageLimiter();
    const k = key({ dailyRequests: 2 });
    l.admit(k, T0);
    l.admit(k, T0 + 1);
    const err = refusal(() => l.admit(k, T0 + 2));
    expect(err.message).toContain('2 requests per day (daily_requests)');
    expect(err.retryAfterMs).toBe(12 * 3_600_000 - 2);
    l.admit(k, Date.UTC(2026, 2, 2, 0, 0, 1));
  });

  it('daily tokens: admitted while below the quota; the request that crosses it completes, the next is refused', () => {
    const l = new UsageLimiter();
    const k = key({ dailyTokens: 100 });
    l.admit(k, T0);
    l.addTokens(1, 60, T0);
    l.admit(k, T0 + 1);
    l.addTokens(1, 60, T0 + 1);
    expect(refusal(() => l.admit(k, T0 + 2)).message).toContain('100 tokens per day (daily_tokens; 120 used)');
    expect(l.usage(1, T0 + 2)).toEqual({ requests: 2, tokens: 120, lastMinute: 0 });
  });

  it("a request that started yesterday does not count against today's tokens", () => {
    const l = new UsageLimiter();
    const k = key({ dailyTokens: 100 });
    l.admit(k, T0 + 12 * 3_600_000 + 5); // the next day
    l.addTokens(1, 500, T0);
    expect(() => l.admit(k, T0 + 12 * 3_600_000 + 6)).not.toThrow();
  });

  it("loads today's counts (after a restart)", () => {
    const l = new UsageLimiter();
    l.load(Date.UTC(2026, 2, 1), new Map([[1, { requests: 2, tokens: 10 }]]));
    expect(() => l.admit(key({ dailyRequests: 2 }), T0)).toThrow(/daily_requests/);
    expect(() => l.admit(key({ id: 2, dailyRequests: 2 }), T0)).not.toThrow();
  });
});
