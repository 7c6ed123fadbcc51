import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Secrets at rest: upstream credentials (and provider headers, which may carry tokens) are sealed with
// AES-256-GCM before they reach the store. The 32-byte key comes from SWITCHYARD_ENCRYPTION_KEY, or
// from <data-dir>/encryption.key (created on first start, mode 0600). Sealed values look like
// `v1.<iv>.<tag>.<ciphertext>` (base64url); nothing else in the store is secret.

export const KEY_FILE = 'encryption.key';
export const KEY_ENV = 'SWITCHYARD_ENCRYPTION_KEY';

export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

/** Reads a key written as 64 hex characters or as base64/base64url of 32 bytes. */
export function parseSecretKey(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 32) return b;
  }
  return undefined;
}

export interface KeySource {
  key: Buffer;
  /** Where the key came from, for messages (never the key). */
  source: string;
}

/**
 * The store's encryption key: the env var when set (it must be a valid key), else the key file in
 * the data dir, created with mode 0600 when missing and tightened to 0600 when it is looser.
 */
export function loadSecretKey(dataDir: string, env: Record<string, string | undefined> = process.env): KeySource {
  const fromEnv = env[KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const key = parseSecretKey(fromEnv);
    if (!key) throw new SecretKeyError(`${KEY_ENV} must be 32 bytes written as 64 hex characters or base64 (e.g. \`openssl rand -base64 32\`).`);
    return { key, source: KEY_ENV };
  }
  const file = join(dataDir, KEY_FILE);
  if (existsSync(file)) {
    const key = parseSecretKey(readFileSync(file, 'utf8'));
    if (!key) throw new SecretKeyError(`${file} does not hold a valid key (64 hex characters or base64 of 32 bytes).`);
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return { key, source: file };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key, source: file };
}

const b64 = (b: Buffer) => b.toString('base64url');

/** Seals and opens secrets with one key; also derives keyed fingerprints (never plain hashes of secrets). */
export class SecretBox {
  private readonly key: Buffer;
  private readonly macKey: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new SecretKeyError('the encryption key must be 32 bytes');
    this.key = key;
    // A separate key for fingerprints, so a MAC never reuses the cipher key directly.
    this.macKey = createHash('sha256').update('switchyard-mac\0').update(key).digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1.${b64(iv)}.${b64(cipher.getAuthTag())}.${b64(ct)}`;
  }

  open(sealed: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1') throw new SecretKeyError('a stored secret is not in a known format');
    const [, iv, tag, ct] = parts.map((p, i) => (i === 0 ? Buffer.alloc(0) : Buffer.from(p, 'base64url')));
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretKeyError(
        `a stored secret cannot be decrypted with this encryption key: the database was written with another key (${KEY_ENV} or ${KEY_FILE} changed).`,
      );
    }
  }

  /** HMAC-SHA256 of `text` under the box's key (hex): compares secrets without storing them. */
  fingerprint(text: string): string {
    return createHmac('sha256', this.macKey).update(text).digest('hex');
  }
}

/** SHA-256 of a high-entropy token (user keys): enough to look one up, useless to recover it. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function sameToken(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** The one masked form of a secret anywhere Switchyard shows one: first 4 and last 4 characters. */
export function maskSecret(secret: string): string {
  return secret.length <= 12 ? `${secret.slice(0, 2)}…` : `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}
