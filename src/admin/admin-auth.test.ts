import { describe, expect, it } from 'vitest';
import { AdminGuard, FREE_FAILURES } from './admin-auth.js';

describe('AdminGuard', () => {
  it('accepts the password as a Bearer token only', () => {
    const g = new AdminGuard(() => 'pw-123');
    expect(g.check('Bearer pw-123', '1.1.1.1').ok).toBe(true);
    expect(g.check('bearer   pw-123 ', '1.1.1.1').ok).toBe(true);
    expect(g.check('pw-123', '1.1.1.1')).toMatchObject({ ok: false, status: 401 });
    expect(g.check(undefined, '1.1.1.1')).toMatchObject({ ok: false, status: 401 });
  });

  it('slows down repeated wrong passwords from one address, doubling, without affecting others', () => {
    const g = new AdminGuard(() => 'pw');
    const t = 1_000_000;
    for (let i = 0; i < FREE_FAILURES; i++) expect(g.check('Bearer wrong', 'a', t)).toMatchObject({ status: 401 });
    // Locked for 1 s: even the right password waits.
    expect(g.check('Bearer pw', 'a', t + 10)).toMatchObject({ ok: false, status: 429, retryAfterSeconds: 1 });
    expect(g.check('Bearer pw', 'b', t + 10).ok).toBe(true);
    expect(g.check('Bearer wrong', 'a', t + 1000)).toMatchObject({ status: 401 });
    expect(g.check('Bearer pw', 'a', t + 1500)).toMatchObject({ status: 429, retryAfterSeconds: 2 });
    expect(g.check('Bearer pw', 'a', t + 3000).ok).toBe(true);
    // A success clears the count.
    expect(g.check('Bearer wrong', 'a', t + 3001)).toMatchObject({ status: 401 });
    expect(g.check('Bearer pw', 'a', t + 3002).ok).toBe(true);
  });

  it('missing passwords are refused but not counted as guesses', () => {
    const g = new AdminGuard(() => 'pw');
    for (let i = 0; i < 20; i++) expect(g.check(undefined, 'a')).toMatchObject({ status: 401 });
    expect(g.check('Bearer pw', 'a').ok).toBe(true);
  });
});
