import { describe, expect, it } from 'vitest';
import { AdminGuard, AdminSessions, SESSION_IDLE_MS, SESSION_MAX_MS, sessionCookies } from './admin-auth.js';

describe('console sessions', () => {
  it('live until idle too long or too old; ended at logout', () => {
    const s = new AdminSessions();
    const t0 = 1_000_000;
    const a = s.create(t0);
    expect(s.valid(a.token, t0 + 1000)).toBe(true);
    expect(s.valid(a.token, t0 + 1000 + SESSION_IDLE_MS + 1)).toBe(false);
    const b = s.create(t0);
    for (let t = t0; t < t0 + SESSION_MAX_MS; t += SESSION_IDLE_MS / 2) expect(s.valid(b.token, t)).toBe(true);
    expect(s.valid(b.token, t0 + SESSION_MAX_MS + 1)).toBe(false);
    const c = s.create(t0);
    expect(s.end(c.token)).toBe(true);
    expect(s.valid(c.token, t0)).toBe(false);
    expect(s.valid('not-a-session-token-at-all', t0)).toBe(false);
  });

  it('reads session cookies, per port or plain, and ignores others', () => {
    expect(sessionCookies('a=1; switchyard_session_8045=abcdefghijklmnopqrstuvwx; switchyard_session=ABCDEFGHIJKLMNOPQRSTUVWX')).toEqual([
      'abcdefghijklmnopqrstuvwx',
      'ABCDEFGHIJKLMNOPQRSTUVWX',
    ]);
    expect(sessionCookies('switchyard_sessionx=abcdefghijklmnopqrstuvwx; switchyard_session=short')).toEqual([]);
    expect(sessionCookies(undefined)).toEqual([]);
  });

  it('a session cookie opens reads; changes also need the console header and the same origin', () => {
    const g = new AdminGuard(() => 'pw');
    const { token } = g.sessions.create();
    const cookie = `switchyard_session_8045=${token}`;
    const host = '127.0.0.1:8045';
    expect(g.checkRequest({ cookie, host }, 'GET', 'a')).toMatchObject({ ok: true, via: 'session' });
    expect(g.checkRequest({ cookie, host }, 'POST', 'a')).toMatchObject({ ok: false, status: 403 });
    expect(g.checkRequest({ cookie, host, 'x-switchyard-console': '1' }, 'POST', 'a')).toMatchObject({ ok: true });
    expect(g.checkRequest({ cookie, host, 'x-switchyard-console': '1', origin: 'http://127.0.0.1:8045' }, 'DELETE', 'a')).toMatchObject({ ok: true });
    expect(g.checkRequest({ cookie, host, 'x-switchyard-console': '1', origin: 'http://evil.example' }, 'DELETE', 'a')).toMatchObject({ status: 403 });
    expect(g.checkRequest({ cookie: 'switchyard_session=nope-nope-nope-nope-nope', host }, 'GET', 'a')).toMatchObject({ status: 401 });
    // An Authorization header means a script: the Bearer password decides, whatever cookie rides along.
    expect(g.checkRequest({ cookie, host, authorization: 'Bearer wrong' }, 'GET', 'a')).toMatchObject({ status: 401 });
    expect(g.checkRequest({ authorization: 'Bearer pw' }, 'POST', 'a')).toMatchObject({ ok: true, via: 'bearer' });
  });

  it('login counts wrong passwords like the Bearer path', () => {
    const g = new AdminGuard(() => 'pw');
    for (let i = 0; i < 5; i++) expect(g.login('wrong', 'a', 1000)).toMatchObject({ status: 401 });
    expect(g.login('pw', 'a', 1001)).toMatchObject({ status: 429 });
    expect(g.check('Bearer pw', 'a', 1001)).toMatchObject({ status: 429 });
    expect(g.login('pw', 'a', 3000)).toMatchObject({ ok: true });
  });
});
