import { randomBytes } from 'node:crypto';
import { sameToken, tokenHash } from '../store/crypto.js';

// The admin API's door: `Authorization: Bearer <admin password>`, whatever auth_mode says. Wrong
// passwords (not missing ones) from one address are slowed down: after FREE_FAILURES failures the address is locked
// out for 1 s, doubling with each further failure up to MAX_LOCK_MS; while locked out, attempts are
// answered 429 with Retry-After without looking at the password. A success clears the address, and
// an address that stays quiet for FORGET_MS is forgotten.

export const FREE_FAILURES = 5;
const BASE_LOCK_MS = 1000;
const MAX_LOCK_MS = 60_000;
const FORGET_MS = 15 * 60_000;
const MAX_TRACKED = 10_000;

interface Failures {
  count: number;
  last: number;
  lockedUntil: number;
}

export type AdminVerdict = { ok: true; via?: 'bearer' | 'session' } | { ok: false; status: 401 | 403 | 429; message: string; retryAfterSeconds?: number };

export function bearerToken(header: string | string[] | undefined): string | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  const m = h ? /^Bearer\s+(.+)$/i.exec(h.trim()) : null;
  return m ? m[1].trim() : undefined;
}

export class AdminGuard {
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly password: () => string) {}

  /** Console sessions (the browser's login cookie), beside the Bearer password. */
  readonly sessions = new AdminSessions();

  check(authorization: string | string[] | undefined, address: string, now = Date.now()): AdminVerdict {
    return this.verify(bearerToken(authorization), address, now);
  }

  /** A password typed into the console's login form: counted and slowed down like a Bearer guess. */
  login(password: string, address: string, now = Date.now()): AdminVerdict {
    return this.verify(password === '' ? undefined : password, address, now);
  }

  /**
   * An admin API request: the Bearer password when the request has an Authorization header (scripts),
   * else the console's session cookie. A cookie-authenticated request that changes something must also
   * carry the console's own header (a cross-site page cannot send it without a CORS preflight, which is
   * never granted) and, when the browser says where it comes from, come from this same origin.
   */
  checkRequest(headers: Record<string, string | string[] | undefined>, method: string, address: string, now = Date.now()): AdminVerdict {
    const tokens = headers.authorization === undefined ? sessionCookies(headers.cookie) : [];
    if (tokens.length === 0) return this.check(headers.authorization, address, now);
    if (!tokens.some((t) => this.sessions.valid(t, now))) {
      return { ok: false, status: 401, message: 'The console session has expired or ended; log in again.' };
    }
    if (!SAFE_METHODS.has(method.toUpperCase())) {
      if (headers[CONSOLE_HEADER] === undefined || !sameOrigin(headers)) {
        return { ok: false, status: 403, message: `A change made with the console's session must come from the console itself (same origin, with the ${CONSOLE_HEADER} header).` };
      }
    }
    return { ok: true, via: 'session' };
  }

  private verify(token: string | undefined, address: string, now: number): AdminVerdict {
    const f = this.failures.get(address);
    if (f && now - f.last > FORGET_MS) this.failures.delete(address);
    else if (f && f.lockedUntil > now) {
      const retryAfterSeconds = Math.ceil((f.lockedUntil - now) / 1000);
      return { ok: false, status: 429, message: `Too many wrong admin passwords from ${address}; try again in ${retryAfterSeconds}s.`, retryAfterSeconds };
    }
    if (token !== undefined && sameToken(token, this.password())) {
      this.failures.delete(address);
      return { ok: true, via: 'bearer' };
    }
    if (token === undefined) {
      // No guess was made: refused, but not counted.
      return {
        ok: false,
        status: 401,
        message:
          'The admin API needs the admin password as Authorization: Bearer <password> (admin_password, SWITCHYARD_ADMIN_PASSWORD or WEB_PASSWORD; the API key when none is set).',
      };
    }
    this.fail(address, now);
    return { ok: false, status: 401, message: 'The admin password is wrong.' };
  }

  private fail(address: string, now: number): void {
    if (this.failures.size >= MAX_TRACKED && !this.failures.has(address)) {
      // Bounded memory: forget the oldest address.
      const first = this.failures.keys().next().value;
      if (first !== undefined) this.failures.delete(first);
    }
    const f = this.failures.get(address) ?? { count: 0, last: now, lockedUntil: 0 };
    f.count++;
    f.last = now;
    if (f.count >= FREE_FAILURES) f.lockedUntil = now + Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** (f.count - FREE_FAILURES));
    this.failures.set(address, f);
  }
}

// ---- console sessions ----
// The browser console logs in once with the admin password (POST /api/login) and gets a random
// session token in an HttpOnly, SameSite=Strict cookie. Sessions live in memory (a restart logs the
// console out), end after SESSION_IDLE_MS without a request or SESSION_MAX_MS after login, and only
// their SHA-256 is kept.

export const SESSION_COOKIE = 'switchyard_session';
/** The header the console sends with every call; required on cookie-authenticated changes (CSRF). */
export const CONSOLE_HEADER = 'x-switchyard-console';
export const SESSION_IDLE_MS = 12 * 3600_000;
export const SESSION_MAX_MS = 7 * 86_400_000;
const MAX_SESSIONS = 1000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

interface Session {
  created: number;
  lastSeen: number;
}

export class AdminSessions {
  private readonly sessions = new Map<string, Session>();

  /** A new session; the token goes into the cookie and is not kept. */
  create(now = Date.now()): { token: string; expiresAt: number } {
    for (const [k, s] of this.sessions) if (this.expired(s, now)) this.sessions.delete(k);
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const token = randomBytes(32).toString('base64url');
    this.sessions.set(tokenHash(token), { created: now, lastSeen: now });
    return { token, expiresAt: Math.min(now + SESSION_IDLE_MS, now + SESSION_MAX_MS) };
  }

  /** Whether the token is a live session (and marks it used). */
  valid(token: string, now = Date.now()): boolean {
    const key = tokenHash(token);
    const s = this.sessions.get(key);
    if (!s) return false;
    if (this.expired(s, now)) {
      this.sessions.delete(key);
      return false;
    }
    s.lastSeen = now;
    return true;
  }

  /** When the session ends if it stays idle (undefined when it is not live). */
  expiresAt(token: string, now = Date.now()): number | undefined {
    const s = this.sessions.get(tokenHash(token));
    if (!s || this.expired(s, now)) return undefined;
    return Math.min(s.lastSeen + SESSION_IDLE_MS, s.created + SESSION_MAX_MS);
  }

  end(token: string): boolean {
    return this.sessions.delete(tokenHash(token));
  }

  get size(): number {
    return this.sessions.size;
  }

  private expired(s: Session, now: number): boolean {
    return now - s.lastSeen > SESSION_IDLE_MS || now - s.created > SESSION_MAX_MS;
  }
}

/**
 * The session tokens a Cookie header carries: cookies named `switchyard_session` or
 * `switchyard_session_<port>` (cookies ignore ports, so two gateways on one host name theirs apart).
 */
export function sessionCookies(header: string | string[] | undefined): string[] {
  const h = Array.isArray(header) ? header.join('; ') : header;
  if (!h) return [];
  const out: string[] = [];
  for (const part of h.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if ((name === SESSION_COOKIE || name.startsWith(`${SESSION_COOKIE}_`)) && /^[A-Za-z0-9_-]{16,200}$/.test(value)) out.push(value);
  }
  return out;
}

/** False only when the browser names an Origin (or Referer) other than the host it sent the request to. */
export function sameOrigin(headers: Record<string, string | string[] | undefined>): boolean {
  const host = headers.host;
  const from = headers.origin ?? headers.referer;
  if (typeof from !== 'string' || from === '' || from === 'null') return from !== 'null';
  try {
    return new URL(from).host === host;
  } catch {
    return false;
  }
}
