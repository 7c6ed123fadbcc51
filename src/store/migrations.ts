import type BetterSqlite3 from 'better-sqlite3';

// Versioned schema migrations for the SQLite store. Each runs once, in its own transaction, in
// order, at start; `schema_migrations` records which ran. Never edit a released migration: add the
// next version. A database written by a newer Switchyard (a version this build does not know) is
// refused rather than guessed at.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE providers (
  name TEXT PRIMARY KEY,
  position INTEGER NOT NULL,
  settings TEXT NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('config', 'admin')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE credentials (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  provider TEXT NOT NULL REFERENCES providers(name) ON DELETE CASCADE ON UPDATE CASCADE,
  position INTEGER NOT NULL,
  secret TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  masked TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL
);
CREATE INDEX credentials_by_provider ON credentials(provider, position);

CREATE TABLE model_mapping (
  position INTEGER PRIMARY KEY,
  pattern TEXT NOT NULL UNIQUE,
  target TEXT NOT NULL
);

CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE config_seeds (section TEXT PRIMARY KEY, fingerprint TEXT NOT NULL);

CREATE TABLE user_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  hash TEXT NOT NULL UNIQUE,
  masked TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  expires_at INTEGER,
  allowed_models TEXT NOT NULL DEFAULT '[]',
  daily_requests INTEGER,
  daily_tokens INTEGER,
  rpm INTEGER,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE requests (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  ts INTEGER NOT NULL,
  method TEXT NOT NULL,
  dialect TEXT NOT NULL,
  route TEXT NOT NULL,
  path_sent TEXT NOT NULL,
  path_resolved TEXT NOT NULL,
  model_requested TEXT,
  model_resolved TEXT,
  provider TEXT,
  credential TEXT,
  credential_id INTEGER,
  credential_index INTEGER,
  user_key TEXT,
  user_key_id INTEGER,
  status INTEGER NOT NULL,
  error TEXT,
  attempts INTEGER,
  latency_ms INTEGER NOT NULL,
  ttfb_ms INTEGER,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cached_tokens INTEGER,
  reasoning_tokens INTEGER,
  cache_creation_tokens INTEGER,
  usage_estimated INTEGER,
  stream INTEGER,
  translated INTEGER,
  client_address TEXT,
  user_agent TEXT
);
CREATE INDEX requests_by_ts ON requests(ts);

CREATE TABLE request_bodies (
  seq INTEGER PRIMARY KEY REFERENCES requests(seq) ON DELETE CASCADE,
  request TEXT,
  response TEXT
);

CREATE TABLE stats_hourly (
  hour INTEGER NOT NULL,
  model TEXT NOT NULL,
  upstream_model TEXT NOT NULL,
  provider TEXT NOT NULL,
  credential TEXT NOT NULL,
  user_key TEXT NOT NULL,
  dialect TEXT NOT NULL,
  requests INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cached_tokens INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens INTEGER NOT NULL DEFAULT 0,
  latency_ms_sum INTEGER NOT NULL DEFAULT 0,
  latency_ms_max INTEGER NOT NULL DEFAULT 0,
  ttfb_ms_sum INTEGER NOT NULL DEFAULT 0,
  ttfb_count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, model, upstream_model, provider, credential, user_key, dialect)
) WITHOUT ROWID;

CREATE TABLE key_usage (
  key_id INTEGER NOT NULL,
  day INTEGER NOT NULL,
  requests INTEGER NOT NULL DEFAULT 0,
  tokens INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (key_id, day)
) WITHOUT ROWID;
`,
  },
  {
    version: 2,
    name: 'request attempt log',
    // Each upstream attempt of a request (provider, masked credential, model, status, why it failed), as JSON.
    sql: `ALTER TABLE requests ADD COLUMN attempt_log TEXT;`,
  },
];

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** Brings the database up to the newest migration; returns the versions it applied. */
export function migrate(db: BetterSqlite3.Database, migrations: Migration[] = MIGRATIONS): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const newest = Math.max(0, ...done);
  if (newest > known) {
    throw new MigrationError(`the database is at schema version ${newest}, newer than this Switchyard knows (${known}); upgrade Switchyard or use another data dir.`);
  }
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
    applied.push(m.version);
  }
  return applied;
}
