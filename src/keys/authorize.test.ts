import { describe, expect, it } from 'vitest';
import { GatewayError } from '../canonical/errors.js';
import { KeyChecker } from '../server/auth.js';
import { tokenHash } from '../store/crypto.js';
import type { UserKeyRecord } from '../store/types.js';
import { ClientAuth } from './authorize.js';
import { UsageLimiter } from './limiter.js';
import { generateUserKey, UserKeyRegistry } from './user-keys.js';

const SECRET = generateUserKey();
function setup(over: Partial<UserKeyRecord> = {}) {
  const registry = new UserKeyRegistry();
  registry.replaceAll([
    {
      id: 7,
      name: 'bob',
      hash: tokenHash(SECRET),
      masked: 'x',
      enabled: true,
      expiresAt: null,
      allowedModels: ['gpt-*', 'claude-haiku-*'],
      dailyRequests: 1,
      dailyTokens: null,
      rpm: null,
      createdAt: 0,
      revokedAt: null,
      ...over,
    },
  ]);
  return new ClientAuth(new KeyChecker(['sk-config-key-123']), registry, new UsageLimiter());
}
const chat = { dialect: 'openai-chat' as const, route: 'openai.chat' as const };
const status = (fn: () => unknown) => {
  try {
    fn();
    return 200;
  } catch (err) {
    return (err as GatewayError).status;
  }
};

describe('ClientAuth', () => {
  it('the config key is unrestricted; unknown keys are refused only when a key is needed', () => {
    const a = setup();
    expect(a.admit({ ...chat, presented: 'sk-config-key-123', needsKey: true, model: 'anything' }).principal.kind).toBe('api_key');
    expect(status(() => a.admit({ ...chat, presented: 'nope', needsKey: true }))).toBe(401);
    expect(status(() => a.admit({ ...chat, presented: undefined, needsKey: true }))).toBe(401);
    expect(a.admit({ ...chat, presented: 'nope', needsKey: false }).principal.kind).toBe('anonymous');
  });

  it('a user key is recognised, limited and billed, with auth needed or not', () => {
    for (const needsKey of [true, false]) {
      const a = setup();
      const adm = a.admit({ ...chat, presented: SECRET, needsKey, model: 'gpt-4o' });
      expect(adm).toMatchObject({ principal: { kind: 'user', key: { name: 'bob' } }, billable: true });
      expect(status(() => a.admit({ ...chat, presented: SECRET, needsKey, model: 'gpt-4o' }))).toBe(429);
    }
  });

  it('allowed models: globs on the requested name, 403 otherwise; model lists are not billed', () => {
    const a = setup({ dailyRequests: null });
    expect(status(() => a.admit({ ...chat, presented: SECRET, needsKey: true, model: 'claude-opus-4' }))).toBe(403);
    expect(status(() => a.admit({ ...chat, presented: SECRET, needsKey: true, model: 'claude-haiku-4-5' }))).toBe(200);
    expect(a.admit({ dialect: 'none', route: 'models.list', presented: SECRET, needsKey: true }).billable).toBe(false);
    expect(status(() => a.admit({ dialect: 'anthropic', route: 'anthropic.count_tokens', presented: SECRET, needsKey: true, model: 'o3' }))).toBe(403);
  });

  it.each([
    [{ revokedAt: 1 }, 'was revoked'],
    [{ enabled: false }, 'is disabled'],
    [{ expiresAt: 1000 }, 'expired at 1970-01-01T00:00:01.000Z'],
  ])('refuses a key that is %o with a 401 that says so', (over, text) => {
    const a = setup(over);
    try {
      a.admit({ ...chat, presented: SECRET, needsKey: false, model: 'gpt-4o' });
      throw new Error('not refused');
    } catch (err) {
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).status).toBe(401);
      expect((err as GatewayError).message).toContain(text);
    }
  });
});
