import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY_FILE, loadSecretKey, maskSecret, parseSecretKey, SecretBox, SecretKeyError } from './crypto.js';

const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sy-crypto-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SecretBox', () => {
  it('seals with AES-256-GCM: a fresh IV each time, opens back, never contains the plain text', () => {
    const box = new SecretBox(randomBytes(32));
    const a = box.seal('sk-very-secret-123456');
    const b = box.seal('sk-very-secret-123456');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\./);
    expect(a).not.toContain('very-secret');
    expect(box.open(a)).toBe('sk-very-secret-123456');
  });

  it('refuses to open with another key, and catches tampering', () => {
    const sealed = new SecretBox(randomBytes(32)).seal('x');
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(SecretKeyError);
    const box = new SecretBox(randomBytes(32));
    const s = box.seal('hello');
    const parts = s.split('.');
    parts[3] = Buffer.from('jello').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow(SecretKeyError);
  });

  it('fingerprints are keyed: equal for equal text under one key, different under another', () => {
    const k = randomBytes(32);
    expect(new SecretBox(k).fingerprint('a')).toBe(new SecretBox(k).fingerprint('a'));
    expect(new SecretBox(k).fingerprint('a')).not.toBe(new SecretBox(randomBytes(32)).fingerprint('a'));
  });
});

describe('loadSecretKey', () => {
  it('creates the key file with mode 0600 and reads it back', () => {
    const d = dir();
    const first = loadSecretKey(d, {});
    expect(statSync(join(d, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadSecretKey(d, {}).key.equals(first.key)).toBe(true);
  });

  it('tightens a key file others can read', () => {
    const d = dir();
    writeFileSync(join(d, KEY_FILE), randomBytes(32).toString('hex'));
    chmodSync(join(d, KEY_FILE), 0o644);
    loadSecretKey(d, {});
    expect(statSync(join(d, KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('takes the key from SWITCHYARD_ENCRYPTION_KEY (hex or base64) and then writes no file', () => {
    const d = dir();
    const key = randomBytes(32);
    expect(loadSecretKey(d, { SWITCHYARD_ENCRYPTION_KEY: key.toString('hex') }).key.equals(key)).toBe(true);
    expect(loadSecretKey(d, { SWITCHYARD_ENCRYPTION_KEY: key.toString('base64') }).key.equals(key)).toBe(true);
    expect(() => readFileSync(join(d, KEY_FILE))).toThrow();
    expect(() => loadSecretKey(d, { SWITCHYARD_ENCRYPTION_KEY: 'short' })).toThrow(/64 hex characters or base64/);
  });

  it('parses only 32-byte keys', () => {
    expect(parseSecretKey('ab'.repeat(32))?.length).toBe(32);
    expect(parseSecretKey(randomBytes(32).toString('base64url'))?.length).toBe(32);
    expect(parseSecretKey(randomBytes(16).toString('base64'))).toBeUndefined();
  });
});

describe('maskSecret', () => {
  it('shows the first 4 and last 4 characters (less for short secrets)', () => {
    expect(maskSecret('sk-abcdefghijklmnop')).toBe('sk-a…mnop');
    expect(maskSecret('short-key')).toBe('sh…');
  });
});
