import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { maskSecret, SecretBox, SecretKeyError } from './crypto.js';
import { migrate } from './migrations.js';
import { DAY_MS, HOUR_MS, dayStart, hourStart, writeRequestBatch } from './request-batch.js';
import type {
  CredentialInfo,
  CredentialWithSecret,
  KeyUsage,
  LogEntry,
  LogQuery,
  Origin,
  ProviderRecord,
  ProviderSettings,
  SharedDatabase,
  StatsNumbers,
  StatsQuery,
  StatsResult,
  Store,
  StoredRequest,
  UserKeyPatch,
  UserKeyRecord,
} from './types.js';

// The embedded store: one SQLite file in the data dir (WAL mode, so readers never wait on the
// batched log writer). better-sqlite3 is synchronous; the async interface is for other backends.
// The request log is usually appended by a second connection, in a worker thread
// (src/store/request-log-thread.ts): every write transaction here is BEGIN IMMEDIATE, so a
// transaction that reads before it writes waits for the write lock (busy_timeout) instead of failing
// with SQLITE_BUSY when the worker committed in between.

export { DAY_MS, HOUR_MS, dayStart, hourStart, isError } from './request-batch.js';

/** SQLite's default; what a connection uses when it checkpoints the WAL itself. */
const WAL_AUTOCHECKPOINT_PAGES = 1000;

const KEY_CHECK = 'switchyard-key-check';

type Row = Record<string, unknown>;

const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const bool = (v: unknown): boolean | undefined => (v === null || v === undefined ? undefined : v === 1 || v === true);

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private closed = false;

  constructor(
    readonly location: string,
    private readonly box: SecretBox,
  ) {
    if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true, mode: 0o700 });
    this.db = new Database(location);
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 5000');
      migrate(this.db);
      this.checkKey();
    } catch (err) {
      this.db.close();
      throw err;
    }
    if (location !== ':memory:') {
      for (const f of [location, `${location}-wal`, `${location}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    }
  }

  /** The database remembers a value sealed with its key: a different key is caught at start, not at the first request. */
  private checkKey(): void {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get('key_check') as { value: string } | undefined;
    if (!row) {
      this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('key_check', this.box.seal(KEY_CHECK));
      return;
    }
    let opened: string;
    try {
      opened = this.box.open(row.value);
    } catch (err) {
      if (err instanceof SecretKeyError) throw new SecretKeyError(`${this.location}: ${err.message}`);
      throw err;
    }
    if (opened !== KEY_CHECK) throw new SecretKeyError(`${this.location}: the key check value is wrong`);
  }

  // ---- providers and credentials ----

  private sealSettings(s: ProviderSettings): string {
    const { headers, ...rest } = s;
    const h = headers && typeof headers === 'object' && Object.keys(headers).length > 0 ? this.box.seal(JSON.stringify(headers)) : undefined;
    return JSON.stringify(h ? { ...rest, headers: { $sealed: h } } : rest);
  }

  private openSettings(text: string): ProviderSettings {
    const s = JSON.parse(text) as ProviderSettings;
    const h = s.headers as { $sealed?: string } | undefined;
    if (h && typeof h.$sealed === 'string') s.headers = JSON.parse(this.box.open(h.$sealed)) as Record<string, string>;
    return s;
  }

  private credentialsOf(provider: string): CredentialWithSecret[] {
    const rows = this.db.prepare('SELECT * FROM credentials WHERE provider = ? ORDER BY position, id').all(provider) as Row[];
    return rows.map((r) => ({
      id: Number(r.id),
      provider,
      masked: String(r.masked),
      enabled: r.enabled === 1,
      createdAt: Number(r.created_at),
      secret: this.box.open(String(r.secret)),
    }));
  }

  private providerRow(r: Row): ProviderRecord {
    const name = String(r.name);
    return {
      name,
      position: Number(r.position),
      settings: this.openSettings(String(r.settings)),
      origin: r.origin as Origin,
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
      credentials: this.credentialsOf(name),
    };
  }

  async listProviders(): Promise<ProviderRecord[]> {
    return (this.db.prepare('SELECT * FROM providers ORDER BY position, created_at, name').all() as Row[]).map((r) => this.providerRow(r));
  }

  async getProvider(name: string): Promise<ProviderRecord | undefined> {
    const r = this.db.prepare('SELECT * FROM providers WHERE name = ?').get(name) as Row | undefined;
    return r ? this.providerRow(r) : undefined;
  }

  async putProvider(p: { name: string; settings: ProviderSettings; origin: Origin; position?: number }): Promise<void> {
    const now = Date.now();
    const settings = this.sealSettings({ ...p.settings, name: p.name });
    this.db.transaction(() => {
      const existing = this.db.prepare('SELECT position FROM providers WHERE name = ?').get(p.name) as { position: number } | undefined;
      if (existing) {
        this.db.prepare('UPDATE providers SET settings = ?, origin = ?, updated_at = ? WHERE name = ?').run(settings, p.origin, now, p.name);
      } else {
        const last = this.db.prepare('SELECT MAX(position) AS m FROM providers').get() as { m: number | null };
        this.db
          .prepare('INSERT INTO providers (name, position, settings, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(p.name, (last.m ?? -1) + 1, settings, p.origin, now, now);
      }
      if (p.position !== undefined) this.moveProvider(p.name, p.position);
    }).immediate();
  }

  /** Puts the provider at `position` in routing order (0 = first), renumbering the others. */
  private moveProvider(name: string, position: number): void {
    const order = (this.db.prepare('SELECT name FROM providers ORDER BY position, created_at, name').all() as Array<{ name: string }>)
      .map((r) => r.name)
      .filter((n) => n !== name);
    order.splice(Math.max(0, Math.min(position, order.length)), 0, name);
    const set = this.db.prepare('UPDATE providers SET position = ? WHERE name = ?');
    order.forEach((n, i) => set.run(i, n));
  }

  async deleteProvider(name: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM providers WHERE name = ?').run(name).changes > 0;
  }

  private insertCredential(provider: string, secret: string, position: number, enabled: boolean): CredentialInfo {
    const now = Date.now();
    const masked = maskSecret(secret);
    const r = this.db
      .prepare('INSERT INTO credentials (provider, position, secret, fingerprint, masked, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(provider, position, this.box.seal(secret), this.box.fingerprint(secret), masked, enabled ? 1 : 0, now);
    return { id: Number(r.lastInsertRowid), provider, masked, enabled, createdAt: now };
  }

  async addCredential(provider: string, secret: string, enabled = true): Promise<CredentialInfo> {
    const last = this.db.prepare('SELECT MAX(position) AS m FROM credentials WHERE provider = ?').get(provider) as { m: number | null };
    const info = this.insertCredential(provider, secret, (last.m ?? -1) + 1, enabled);
    this.touch(provider);
    return info;
  }

  private touch(provider: string): void {
    this.db.prepare('UPDATE providers SET updated_at = ? WHERE name = ?').run(Date.now(), provider);
  }

  async updateCredential(provider: string, id: number, patch: { enabled?: boolean }): Promise<boolean> {
    if (patch.enabled === undefined) return this.db.prepare('SELECT 1 FROM credentials WHERE id = ? AND provider = ?').get(id, provider) !== undefined;
    const ok = this.db.prepare('UPDATE credentials SET enabled = ? WHERE id = ? AND provider = ?').run(patch.enabled ? 1 : 0, id, provider).changes > 0;
    if (ok) this.touch(provider);
    return ok;
  }

  async deleteCredential(provider: string, id: number): Promise<boolean> {
    const ok = this.db.prepare('DELETE FROM credentials WHERE id = ? AND provider = ?').run(id, provider).changes > 0;
    if (ok) this.touch(provider);
    return ok;
  }

  async replaceCredentials(provider: string, secrets: string[]): Promise<void> {
    this.db.transaction(() => {
      const rows = this.db.prepare('SELECT id, fingerprint FROM credentials WHERE provider = ?').all(provider) as Array<{ id: number; fingerprint: string }>;
      const byPrint = new Map(rows.map((r) => [r.fingerprint, r.id]));
      const keep = new Set<number>();
      const setPos = this.db.prepare('UPDATE credentials SET position = ?, enabled = 1 WHERE id = ?');
      secrets.forEach((secret, i) => {
        const id = byPrint.get(this.box.fingerprint(secret));
        if (id !== undefined && !keep.has(id)) {
          keep.add(id);
          setPos.run(i, id);
        } else keep.add(this.insertCredential(provider, secret, i, true).id);
      });
      const del = this.db.prepare('DELETE FROM credentials WHERE id = ?');
      for (const r of rows) if (!keep.has(r.id)) del.run(r.id);
    }).immediate();
  }

  // ---- mapping, settings, seeds ----

  async getMapping(): Promise<Array<[string, string]>> {
    return (this.db.prepare('SELECT pattern, target FROM model_mapping ORDER BY position').all() as Array<{ pattern: string; target: string }>).map((r) => [
      r.pattern,
      r.target,
    ]);
  }

  async setMapping(entries: Array<[string, string]>): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM model_mapping').run();
      const ins = this.db.prepare('INSERT INTO model_mapping (position, pattern, target) VALUES (?, ?, ?)');
      entries.forEach(([k, v], i) => ins.run(i, k, v));
    }).immediate();
  }

  async getSettings(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const r of this.db.prepare('SELECT key, value FROM settings').all() as Array<{ key: string; value: string }>) out[r.key] = JSON.parse(r.value);
    return out;
  }

  async putSettings(values: Record<string, unknown>): Promise<void> {
    this.db.transaction(() => {
      const up = this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
      for (const [k, v] of Object.entries(values)) if (v !== undefined) up.run(k, JSON.stringify(v));
    }).immediate();
  }

  async getSeeds(): Promise<Map<string, string>> {
    const rows = this.db.prepare('SELECT section, fingerprint FROM config_seeds').all() as Array<{ section: string; fingerprint: string }>;
    return new Map(rows.map((r) => [r.section, r.fingerprint]));
  }

  async setSeed(section: string, fingerprint: string | undefined): Promise<void> {
    if (fingerprint === undefined) this.db.prepare('DELETE FROM config_seeds WHERE section = ?').run(section);
    else
      this.db
        .prepare('INSERT INTO config_seeds (section, fingerprint) VALUES (?, ?) ON CONFLICT(section) DO UPDATE SET fingerprint = excluded.fingerprint')
        .run(section, fingerprint);
  }

  // ---- user keys ----

  private userKeyRow(r: Row): UserKeyRecord {
    return {
      id: Number(r.id),
      name: String(r.name),
      hash: String(r.hash),
      masked: String(r.masked),
      enabled: r.enabled === 1,
      expiresAt: num(r.expires_at) ?? null,
      allowedModels: JSON.parse(String(r.allowed_models)) as string[],
      dailyRequests: num(r.daily_requests) ?? null,
      dailyTokens: num(r.daily_tokens) ?? null,
      rpm: num(r.rpm) ?? null,
      createdAt: Number(r.created_at),
      revokedAt: num(r.revoked_at) ?? null,
    };
  }

  async listUserKeys(): Promise<UserKeyRecord[]> {
    return (this.db.prepare('SELECT * FROM user_keys ORDER BY id').all() as Row[]).map((r) => this.userKeyRow(r));
  }

  async createUserKey(k: Omit<UserKeyRecord, 'id' | 'createdAt' | 'revokedAt'>): Promise<UserKeyRecord> {
    const r = this.db
      .prepare(
        `INSERT INTO user_keys (name, hash, masked, enabled, expires_at, allowed_models, daily_requests, daily_tokens, rpm, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(k.name, k.hash, k.masked, k.enabled ? 1 : 0, k.expiresAt, JSON.stringify(k.allowedModels), k.dailyRequests, k.dailyTokens, k.rpm, Date.now());
    return this.userKeyRow(this.db.prepare('SELECT * FROM user_keys WHERE id = ?').get(r.lastInsertRowid) as Row);
  }

  async updateUserKey(id: number, patch: UserKeyPatch): Promise<UserKeyRecord | undefined> {
    const cols: Record<keyof UserKeyPatch, string> = {
      name: 'name',
      enabled: 'enabled',
      expiresAt: 'expires_at',
      allowedModels: 'allowed_models',
      dailyRequests: 'daily_requests',
      dailyTokens: 'daily_tokens',
      rpm: 'rpm',
      revokedAt: 'revoked_at',
    };
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [k, col] of Object.entries(cols) as Array<[keyof UserKeyPatch, string]>) {
      const v = patch[k];
      if (v === undefined) continue;
      sets.push(`${col} = ?`);
      values.push(k === 'allowedModels' ? JSON.stringify(v) : typeof v === 'boolean' ? (v ? 1 : 0) : v);
    }
    if (sets.length > 0) this.db.prepare(`UPDATE user_keys SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
    const r = this.db.prepare('SELECT * FROM user_keys WHERE id = ?').get(id) as Row | undefined;
    return r ? this.userKeyRow(r) : undefined;
  }

  // ---- request log and stats ----

  async writeRequests(entries: LogEntry[]): Promise<void> {
    writeRequestBatch(this.db, entries);
  }

  /** The file, for the request log's worker thread (its own connection); none for an in-memory database. */
  sharedDatabase(): SharedDatabase | undefined {
    if (this.location === ':memory:' || this.location === '' || this.closed) return undefined;
    return {
      file: resolve(this.location),
      handOverCheckpoints: (elsewhere) => {
        // SQLite checkpoints the WAL at the end of a commit that leaves it past `wal_autocheckpoint`
        // pages, in the committing connection (and the checkpoint fsyncs). With the log written by the
        // worker's connection, that is nearly every commit past the mark; this connection's own writes
        // (admin, settings, pruning) are few and small and leave the WAL to the worker's next commit.
        // Taken back (`elsewhere` false) when no worker writes, so the WAL never grows unbounded.
        if (!this.closed) this.db.pragma(`wal_autocheckpoint = ${elsewhere ? 0 : WAL_AUTOCHECKPOINT_PAGES}`);
      },
    };
  }

  private requestRow(r: Row): StoredRequest {
    const hasUsage = r.input_tokens !== null || r.output_tokens !== null;
    return {
      seq: Number(r.seq),
      id: String(r.id),
      startedAt: Number(r.ts),
      method: String(r.method),
      clientDialect: r.dialect as StoredRequest['clientDialect'],
      route: String(r.route),
      pathSent: String(r.path_sent),
      pathResolved: String(r.path_resolved),
      requestedModel: str(r.model_requested),
      resolvedModel: str(r.model_resolved),
      provider: str(r.provider),
      credential: str(r.credential),
      credentialId: num(r.credential_id),
      credentialIndex: num(r.credential_index),
      userKey: str(r.user_key),
      userKeyId: num(r.user_key_id),
      status: Number(r.status),
      error: str(r.error),
      attempts: num(r.attempts),
      latencyMs: Number(r.latency_ms),
      ttfbMs: num(r.ttfb_ms),
      usage: hasUsage
        ? {
            inputTokens: Number(r.input_tokens ?? 0),
            outputTokens: Number(r.output_tokens ?? 0),
            cachedInputTokens: num(r.cached_tokens),
            reasoningTokens: num(r.reasoning_tokens),
            cacheCreationTokens: num(r.cache_creation_tokens),
            estimated: bool(r.usage_estimated),
          }
        : undefined,
      stream: bool(r.stream),
      translated: bool(r.translated),
      clientAddress: str(r.client_address),
      userAgent: str(r.user_agent),
      attemptLog: r.attempt_log ? (JSON.parse(String(r.attempt_log)) as StoredRequest['attemptLog']) : undefined,
      requestBody: str(r.request_body),
      responseBody: str(r.response_body),
    };
  }

  async queryRequests(q: LogQuery): Promise<{ total: number; items: StoredRequest[] }> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.from !== undefined) {
      where.push('ts >= ?');
      args.push(q.from);
    }
    if (q.to !== undefined) {
      where.push('ts < ?');
      args.push(q.to);
    }
    if (q.status !== undefined) {
      const cls = /^([1-5])xx$/i.exec(q.status);
      if (cls) {
        where.push('status BETWEEN ? AND ?');
        args.push(Number(cls[1]) * 100, Number(cls[1]) * 100 + 99);
      } else {
        where.push('status = ?');
        args.push(Number(q.status));
      }
    }
    if (q.model !== undefined) {
      where.push('(model_requested = ? OR model_resolved = ?)');
      args.push(q.model, q.model);
    }
    for (const [col, v] of [
      ['provider', q.provider],
      ['user_key', q.userKey],
      ['dialect', q.dialect],
    ] as const) {
      if (v === undefined) continue;
      where.push(`${col} = ?`);
      args.push(v);
    }
    if (q.errorsOnly) where.push('(status >= 400 OR error IS NOT NULL)');
    const w = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM requests ${w}`).get(...args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM requests ${w} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(...args, q.limit, q.offset) as Row[];
    return { total, items: rows.map((r) => this.requestRow(r)) };
  }

  async getRequest(id: string): Promise<StoredRequest | undefined> {
    const r = this.db
      .prepare('SELECT r.*, b.request AS request_body, b.response AS response_body FROM requests r LEFT JOIN request_bodies b ON b.seq = r.seq WHERE r.id = ?')
      .get(id) as Row | undefined;
    return r ? this.requestRow(r) : undefined;
  }

  async stats(q: StatsQuery): Promise<StatsResult> {
    const from = hourStart(q.from);
    const range = 'hour >= ? AND hour < ?';
    const groupExpr = q.groupBy === 'credential' ? "provider || ' ' || credential" : q.groupBy;
    const sums = `SUM(requests) AS requests, SUM(errors) AS errors, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
      SUM(cached_tokens) AS cached_tokens, SUM(reasoning_tokens) AS reasoning_tokens, SUM(latency_ms_sum) AS latency_ms_sum,
      MAX(latency_ms_max) AS latency_ms_max, SUM(ttfb_ms_sum) AS ttfb_ms_sum, SUM(ttfb_count) AS ttfb_count`;
    const totals = numbers(this.db.prepare(`SELECT ${sums} FROM stats_hourly WHERE ${range}`).get(from, q.to) as Row);
    const groups = groupExpr
      ? (this.db.prepare(`SELECT ${groupExpr} AS key, ${sums} FROM stats_hourly WHERE ${range} GROUP BY key ORDER BY requests DESC`).all(from, q.to) as Row[]).map(
          (r) => ({ key: String(r.key), ...numbers(r) }),
        )
      : [];
    let series: StatsResult['series'] = [];
    if (q.bucket) {
      const size = q.bucket === 'day' ? DAY_MS : HOUR_MS;
      const t = `(hour - (hour % ${size}))`;
      const sql = groupExpr
        ? `SELECT ${t} AS t, ${groupExpr} AS key, ${sums} FROM stats_hourly WHERE ${range} GROUP BY t, key ORDER BY t, key`
        : `SELECT ${t} AS t, ${sums} FROM stats_hourly WHERE ${range} GROUP BY t ORDER BY t`;
      series = (this.db.prepare(sql).all(from, q.to) as Row[]).map((r) => ({
        t: Number(r.t),
        ...(groupExpr ? { key: String(r.key) } : {}),
        ...numbers(r),
      }));
    }
    return { from, to: q.to, bucket: q.bucket ?? null, group_by: q.groupBy ?? null, totals, groups, series };
  }

  async keyUsage(day: number): Promise<Map<number, KeyUsage>> {
    const rows = this.db.prepare('SELECT key_id, requests, tokens FROM key_usage WHERE day = ?').all(day) as Array<{ key_id: number; requests: number; tokens: number }>;
    return new Map(rows.map((r) => [r.key_id, { requests: r.requests, tokens: r.tokens }]));
  }

  async pruneRequests(olderThan: number, maxRecords: number): Promise<number> {
    return this.db.transaction(() => {
      let n = this.db.prepare('DELETE FROM requests WHERE ts < ?').run(olderThan).changes;
      const edge = this.db.prepare('SELECT seq FROM requests ORDER BY seq DESC LIMIT 1 OFFSET ?').get(maxRecords) as { seq: number } | undefined;
      if (edge) n += this.db.prepare('DELETE FROM requests WHERE seq <= ?').run(edge.seq).changes;
      this.db.prepare('DELETE FROM key_usage WHERE day < ?').run(dayStart(Date.now()) - 7 * DAY_MS);
      return n;
    }).immediate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // a checkpoint is an optimisation; closing still flushes
    }
    this.db.close();
  }
}

function numbers(r: Row | undefined): StatsNumbers {
  const n = (k: string) => Number(r?.[k] ?? 0);
  const requests = n('requests');
  const ttfbCount = n('ttfb_count');
  return {
    requests,
    errors: n('errors'),
    input_tokens: n('input_tokens'),
    output_tokens: n('output_tokens'),
    cached_tokens: n('cached_tokens'),
    reasoning_tokens: n('reasoning_tokens'),
    latency_ms_avg: requests > 0 ? Math.round(n('latency_ms_sum') / requests) : 0,
    latency_ms_max: n('latency_ms_max'),
    ttfb_ms_avg: ttfbCount > 0 ? Math.round(n('ttfb_ms_sum') / ttfbCount) : null,
  };
}
