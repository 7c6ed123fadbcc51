import { join } from 'node:path';
import { loadSecretKey, SecretBox } from './crypto.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './types.js';

export const DATABASE_FILE = 'switchyard.db';

export interface OpenedStore {
  store: Store;
  box: SecretBox;
  /** Where the encryption key came from (env var name or file path). */
  keySource: string;
}

/** Opens the embedded store in the data dir (created, migrated and key-checked on the way). */
export function openStore(dataDir: string, encryptionKey?: string): OpenedStore {
  const { key, source } = loadSecretKey(dataDir, encryptionKey ? { SWITCHYARD_ENCRYPTION_KEY: encryptionKey } : {});
  const box = new SecretBox(key);
  return { store: new SqliteStore(join(dataDir, DATABASE_FILE), box), box, keySource: source };
}

export type * from './types.js';
export { SecretBox, maskSecret, tokenHash } from './crypto.js';
