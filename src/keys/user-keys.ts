import { randomBytes } from 'node:crypto';
import { GatewayError } from '../canonical/errors.js';
import { matchesGlob } from '../routing/glob.js';
import { tokenHash } from '../store/crypto.js';
import type { UserKeyRecord } from '../store/types.js';

// Client keys handed out through the admin API: each with a name, an on/off switch, an expiry,
// allowed models (globs on the requested model name) and limits (./limiter.ts). Only a SHA-256 of
// each key is kept; the key is shown once, when it is created.

export const USER_KEY_PREFIX = 'sk-sy-u-';

export function generateUserKey(): string {
  return USER_KEY_PREFIX + randomBytes(24).toString('base64url');
}

/** The user keys by hash, for lookups on every request. */
export class UserKeyRegistry {
  private byHash = new Map<string, UserKeyRecord>();
  private byId = new Map<number, UserKeyRecord>();

  replaceAll(keys: UserKeyRecord[]): void {
    this.byHash = new Map(keys.map((k) => [k.hash, k]));
    this.byId = new Map(keys.map((k) => [k.id, k]));
  }

  put(key: UserKeyRecord): void {
    const old = this.byId.get(key.id);
    if (old) this.byHash.delete(old.hash);
    this.byHash.set(key.hash, key);
    this.byId.set(key.id, key);
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: number): UserKeyRecord | undefined {
    return this.byId.get(id);
  }

  /** The user key a client presented, if it is one (in any state). */
  lookup(presented: string): UserKeyRecord | undefined {
    return this.byHash.get(tokenHash(presented));
  }
}

/** Throws a 401 when the key may not be used at all now (revoked, disabled, expired). */
export function checkUsable(key: UserKeyRecord, now = Date.now()): void {
  if (key.revokedAt !== null) throw new GatewayError('authentication', `The API key sent to Switchyard (user key "${key.name}") was revoked.`);
  if (!key.enabled) throw new GatewayError('authentication', `The API key sent to Switchyard (user key "${key.name}") is disabled.`);
  if (key.expiresAt !== null && key.expiresAt <= now) {
    throw new GatewayError('authentication', `The API key sent to Switchyard (user key "${key.name}") expired at ${new Date(key.expiresAt).toISOString()}.`);
  }
}

/** Throws a 403 when the key may not use the requested model. */
export function checkModel(key: UserKeyRecord, model: string): void {
  if (key.allowedModels.length === 0 || key.allowedModels.some((p) => matchesGlob(p, model))) return;
  throw new GatewayError(
    'permission',
    `User key "${key.name}" may not use the model "${model}"; it is allowed: ${key.allowedModels.join(', ')}.`,
  );
}
