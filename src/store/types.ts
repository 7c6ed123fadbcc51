// The storage interface. Everything that persists (providers, credentials, model mapping, settings,
// user keys, the request log and its hourly stats) goes through it, so a server database can be
// added beside the embedded SQLite one without touching the callers. Every method is async for that
// reason, even though SQLite answers synchronously. Secrets cross this interface in clear only on
// the way in and in `CredentialWithSecret`; an implementation seals them at rest.

import type { RequestRecord } from '../observability/request-record.js';

export type Origin = 'config' | 'admin';

/** A provider's settings as the config schema describes them, without its keys. */
export type ProviderSettings = Record<string, unknown> & { name: string; type: string };

export interface CredentialInfo {
  id: number;
  provider: string;
  /** First 4 and last 4 characters. */
  masked: string;
  enabled: boolean;
  createdAt: number;
}

export interface CredentialWithSecret extends CredentialInfo {
  secret: string;
}

export interface ProviderRecord {
  name: string;
  /** Routing order among providers (lower first). */
  position: number;
  /** Config-schema fields except `api_keys`/`api_key` (headers included, decrypted). */
  settings: ProviderSettings;
  /** `config` while it is what the config file last said; `admin` once edited through the API. */
  origin: Origin;
  createdAt: number;
  updatedAt: number;
  credentials: CredentialWithSecret[];
}

export interface UserKeyLimits {
  /** ISO globs of requested model names; empty = every model. */
  allowedModels: string[];
  dailyRequests: number | null;
  dailyTokens: number | null;
  rpm: number | null;
}

export interface UserKeyRecord extends UserKeyLimits {
  id: number;
  name: string;
  /** SHA-256 of the key (hex); the key itself is never stored. */
  hash: string;
  masked: string;
  enabled: boolean;
  /** Unix ms, or null for never. */
  expiresAt: number | null;
  createdAt: number;
  revokedAt: number | null;
}

export type UserKeyPatch = Partial<Pick<UserKeyRecord, 'name' | 'enabled' | 'expiresAt' | 'allowedModels' | 'dailyRequests' | 'dailyTokens' | 'rpm' | 'revokedAt'>>;

/** One request as the log keeps it: the record, plus the masked credential and stored bodies. */
export interface LogEntry extends RequestRecord {
  /** Counts toward the user key's daily quotas (admitted generation requests). */
  billable?: boolean;
}

export interface LogQuery {
  from?: number;
  to?: number;
  /** Exact status, or a class like `4xx`. */
  status?: string;
  /** Matches the requested or the resolved model. */
  model?: string;
  provider?: string;
  userKey?: string;
  dialect?: string;
  errorsOnly?: boolean;
  limit: number;
  offset: number;
}

export interface StoredRequest extends LogEntry {
  seq: number;
  requestBody?: string;
  responseBody?: string;
}

export const STATS_GROUPS = ['model', 'upstream_model', 'provider', 'credential', 'user_key', 'dialect'] as const;
export type StatsGroup = (typeof STATS_GROUPS)[number];

export interface StatsQuery {
  from: number;
  to: number;
  /** Time series bucket; none = totals (and groups) only. */
  bucket?: 'hour' | 'day';
  groupBy?: StatsGroup;
}

export interface StatsNumbers {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  latency_ms_avg: number;
  latency_ms_max: number;
  ttfb_ms_avg: number | null;
}

export interface StatsResult {
  from: number;
  to: number;
  bucket: 'hour' | 'day' | null;
  group_by: StatsGroup | null;
  totals: StatsNumbers;
  groups: Array<StatsNumbers & { key: string }>;
  series: Array<StatsNumbers & { t: number; key?: string }>;
}

export interface KeyUsage {
  requests: number;
  tokens: number;
}

/** A database file a second connection may write too (the request log's worker thread does). */
export interface SharedDatabase {
  /** Absolute path of the file to open. */
  file: string;
  /**
   * Who checkpoints the WAL: `true` while the other connection writes the log and checkpoints after
   * its commits (the store's own connection then does not), `false` to take it back.
   */
  handOverCheckpoints(elsewhere: boolean): void;
}

export interface Store {
  readonly kind: string;
  /** Where it lives, for messages. */
  readonly location: string;

  listProviders(): Promise<ProviderRecord[]>;
  getProvider(name: string): Promise<ProviderRecord | undefined>;
  /** Inserts or replaces a provider's settings (its credentials stay). New providers go last unless `position` is given. */
  putProvider(p: { name: string; settings: ProviderSettings; origin: Origin; position?: number }): Promise<void>;
  deleteProvider(name: string): Promise<boolean>;
  addCredential(provider: string, secret: string, enabled?: boolean): Promise<CredentialInfo>;
  updateCredential(provider: string, id: number, patch: { enabled?: boolean }): Promise<boolean>;
  deleteCredential(provider: string, id: number): Promise<boolean>;
  /** Makes the provider's credentials exactly `secrets`, in order, keeping the ids (and state) of those that stay. */
  replaceCredentials(provider: string, secrets: string[]): Promise<void>;

  /** Model mapping rules in order (order matters for globs). */
  getMapping(): Promise<Array<[string, string]>>;
  setMapping(entries: Array<[string, string]>): Promise<void>;

  getSettings(): Promise<Record<string, unknown>>;
  putSettings(values: Record<string, unknown>): Promise<void>;

  /** Fingerprints of what the config file said last time, per section (see seed.ts). */
  getSeeds(): Promise<Map<string, string>>;
  setSeed(section: string, fingerprint: string | undefined): Promise<void>;

  listUserKeys(): Promise<UserKeyRecord[]>;
  createUserKey(k: Omit<UserKeyRecord, 'id' | 'createdAt' | 'revokedAt'>): Promise<UserKeyRecord>;
  updateUserKey(id: number, patch: UserKeyPatch): Promise<UserKeyRecord | undefined>;

  /** Appends log entries and folds them into the hourly stats and the per-key daily usage, atomically. */
  writeRequests(entries: LogEntry[]): Promise<void>;
  queryRequests(q: LogQuery): Promise<{ total: number; items: StoredRequest[] }>;
  getRequest(id: string): Promise<StoredRequest | undefined>;
  stats(q: StatsQuery): Promise<StatsResult>;
  /** Per user key id: billable requests and tokens on the UTC day starting at `dayStart`. */
  keyUsage(dayStart: number): Promise<Map<number, KeyUsage>>;
  /**
   * Optional: the database, when the request log may be appended through another connection to it
   * from a worker thread (see src/observability/log-writer.ts); undefined when there is none to share
   * (an in-memory database). Without it the log goes through `writeRequests` on the calling thread.
   */
  sharedDatabase?(): SharedDatabase | undefined;
  /** Deletes log entries older than `olderThan` (unix ms) and beyond the newest `maxRecords`. Returns how many. */
  pruneRequests(olderThan: number, maxRecords: number): Promise<number>;

  close(): Promise<void>;
}
