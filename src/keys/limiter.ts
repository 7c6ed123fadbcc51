import { GatewayError } from '../canonical/errors.js';
import type { KeyUsage, UserKeyRecord } from '../store/types.js';

// Per user key limits, kept in memory and decided synchronously, so concurrent requests cannot slip
// past a bound: requests per minute (a sliding 60 s window of admissions), requests per day and
// tokens per day (UTC days). A request is admitted while the key is below every bound; requests
// count when admitted, tokens (input + output) when the answer ends, so the request that crosses
// the token quota completes and the next one is refused. Daily counts survive restarts (the store's
// key_usage table, loaded at start).

const MINUTE = 60_000;
const DAY = 86_400_000;

export const utcDayStart = (t: number) => t - (t % DAY);

interface Daily {
  day: number;
  requests: number;
  tokens: number;
}

function duration(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.ceil(s / 60);
  return m < 120 ? `${m} min` : `${Math.floor(m / 60)}h ${m % 60}min`;
}

export class UsageLimiter {
  private readonly windows = new Map<number, number[]>();
  private readonly daily = new Map<number, Daily>();

  /** Seeds today's counts (from the store, at start). */
  load(day: number, usage: Map<number, KeyUsage>): void {
    for (const [id, u] of usage) this.daily.set(id, { day, requests: u.requests, tokens: u.tokens });
  }

  private today(id: number, now: number): Daily {
    const day = utcDayStart(now);
    let d = this.daily.get(id);
    if (!d || d.day !== day) {
      d = { day, requests: 0, tokens: 0 };
      this.daily.set(id, d);
    }
    return d;
  }

  usage(id: number, now = Date.now()): KeyUsage & { lastMinute: number } {
    const d = this.today(id, now);
    const w = this.windows.get(id) ?? [];
    return { requests: d.requests, tokens: d.tokens, lastMinute: w.filter((t) => t > now - MINUTE).length };
  }

  /** Admits one request for the key or throws a 429 naming the limit, with Retry-After. */
  admit(key: UserKeyRecord, now = Date.now()): void {
    const d = this.today(key.id, now);
    const midnight = d.day + DAY - now;
    if (key.dailyRequests !== null && d.requests >= key.dailyRequests) {
      throw limitError(key, `its limit of ${key.dailyRequests} requests per day (daily_requests)`, midnight, 'resets at 00:00 UTC');
    }
    if (key.dailyTokens !== null && d.tokens >= key.dailyTokens) {
      throw limitError(key, `its limit of ${key.dailyTokens} tokens per day (daily_tokens; ${d.tokens} used)`, midnight, 'resets at 00:00 UTC');
    }
    let w = this.windows.get(key.id);
    if (key.rpm !== null) {
      if (!w) this.windows.set(key.id, (w = []));
      let drop = 0;
      while (drop < w.length && w[drop] <= now - MINUTE) drop++;
      if (drop > 0) w.splice(0, drop);
      if (w.length >= key.rpm) throw limitError(key, `its limit of ${key.rpm} requests per minute (rpm)`, w[0] + MINUTE - now, 'sliding one-minute window');
      w.push(now);
    }
    d.requests++;
  }

  /** Adds the tokens of an answered request to the key's day (the day the request started). */
  addTokens(id: number, tokens: number, startedAt: number): void {
    // A request that started yesterday does not count against today.
    const d = this.daily.get(id);
    if (d && d.day === utcDayStart(startedAt)) d.tokens += tokens;
  }

  forget(id: number): void {
    this.windows.delete(id);
    this.daily.delete(id);
  }
}

function limitError(key: UserKeyRecord, what: string, waitMs: number, note: string): GatewayError {
  return new GatewayError('rate_limit', `User key "${key.name}" has reached ${what}; retry in ${duration(waitMs)} (${note}).`, {
    retryAfterMs: Math.max(1000, waitMs),
  });
}
