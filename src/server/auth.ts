import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../canonical/errors.js';
import type { AuthMode } from '../config/schema.js';
import type { ClientDialect, RouteName } from './paths/resolve-path.js';

type Headers = Record<string, string | string[] | undefined>;

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The client key from any carrier clients use: Bearer, x-api-key, x-goog-api-key, or ?key=. */
export function extractClientKey(headers: Headers, query: URLSearchParams | undefined): string | undefined {
  const auth = first(headers.authorization);
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1].trim();
  }
  return first(headers['x-api-key']) ?? first(headers['x-goog-api-key']) ?? query?.get('key') ?? undefined;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Compares a presented key with every configured key in constant time: hashing first gives equal
 * lengths, and the loop never exits early, so timing reveals neither which key nor how much matched.
 */
export class KeyChecker {
  private readonly digests: Buffer[];
  constructor(keys: string[]) {
    this.digests = keys.map(digest);
  }
  get size(): number {
    return this.digests.length;
  }
  matches(presented: string): boolean {
    const d = digest(presented);
    let ok = false;
    for (const k of this.digests) ok = timingSafeEqual(d, k) || ok;
    return ok;
  }
}

export function routeNeedsKey(mode: Exclude<AuthMode, 'auto'>, route: RouteName): boolean {
  if (mode === 'off') return false;
  if (mode === 'strict') return true;
  // all_except_health: health checks and the clients' fire-and-forget housekeeping stay open.
  return route !== 'health' && route !== 'hello' && route !== 'event_logging';
}

function carrierAdvice(dialect: ClientDialect): string {
  switch (dialect) {
    case 'anthropic':
      return 'Send it as the x-api-key header (ANTHROPIC_API_KEY) or Authorization: Bearer (ANTHROPIC_AUTH_TOKEN).';
    case 'gemini':
      return 'Send it as the x-goog-api-key header (GEMINI_API_KEY) or ?key=.';
    default:
      return 'Send it as Authorization: Bearer <key> (OPENAI_API_KEY).';
  }
}

/** Throws a 401 in the caller's terms when the request lacks a valid key. */
export function checkClientKey(checker: KeyChecker, presented: string | undefined, dialect: ClientDialect): void {
  if (presented === undefined || presented === '') {
    throw new GatewayError('authentication', `Switchyard requires an API key and none was sent. ${carrierAdvice(dialect)}`);
  }
  if (!checker.matches(presented)) {
    throw new GatewayError(
      'authentication',
      `The API key sent to Switchyard is not valid. Use a key from Switchyard's config (api_key / api_keys), a user key from its admin API, or the one printed at start. ${carrierAdvice(dialect)}`,
    );
  }
}
