import type Database from 'better-sqlite3';
import type { LogEntry } from './types.js';

// Appending a batch of request log entries: the rows, their stored bodies, and what they add to the
// hourly stats and to the per-key daily usage, in one transaction. Shared by SqliteStore.writeRequests
// (on the main thread) and the request log worker (request-log-worker.ts, its own connection to the
// same file), so the two cannot drift apart. Kept free of the store class: the worker loads only this.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const hourStart = (t: number) => t - (t % HOUR_MS);
export const dayStart = (t: number) => t - (t % DAY_MS);

export function isError(e: { status: number; error?: string }): boolean {
  return e.status >= 400 || e.error !== undefined;
}

/**
 * Whether a write failed because of the entries themselves (a value SQLite refuses, which no retry will
 * change) rather than because the database is unavailable (busy, locked, full, I/O), which a retry may
 * mend. Writers leave such an entry out, instead of holding up every entry behind it for good.
 */
export function entryRefused(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code);
  return err instanceof TypeError || err instanceof RangeError;
}

/**
 * Appends log entries within the caller's transaction: `add` inserts the rows (and stored bodies) and
 * folds each entry into the pending hourly stats and per-key usage; `finish` writes those folds (one
 * upsert per hour and dimensions, per key and day) and clears them; `discard` forgets them after a
 * rollback. Lets one transaction be written in slices (the request log worker) without a savepoint
 * and a stats upsert per slice.
 */
export interface RequestAppender {
  add(entries: LogEntry[]): void;
  finish(): void;
  discard(): void;
}

/** Appenders (prepared statements and pending folds) per connection. */
const appenders = new WeakMap<Database.Database, RequestAppender>();

export function requestAppender(db: Database.Database): RequestAppender {
  let appender = appenders.get(db);
  if (appender) return appender;
  const insert = db.prepare(`INSERT OR IGNORE INTO requests (
      id, ts, method, dialect, route, path_sent, path_resolved, model_requested, model_resolved, provider,
      credential, credential_id, credential_index, user_key, user_key_id, status, error, attempts, latency_ms, ttfb_ms,
      input_tokens, output_tokens, cached_tokens, reasoning_tokens, cache_creation_tokens, usage_estimated,
      stream, translated, client_address, user_agent, attempt_log
    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const body = db.prepare('INSERT INTO request_bodies (seq, request, response) VALUES (?, ?, ?)');
  const stats = db.prepare(`INSERT INTO stats_hourly (hour, model, upstream_model, provider, credential, user_key, dialect,
        requests, errors, input_tokens, output_tokens, cached_tokens, reasoning_tokens, latency_ms_sum, latency_ms_max, ttfb_ms_sum, ttfb_count)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (hour, model, upstream_model, provider, credential, user_key, dialect) DO UPDATE SET
        requests = requests + excluded.requests, errors = errors + excluded.errors,
        input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
        cached_tokens = cached_tokens + excluded.cached_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
        latency_ms_sum = latency_ms_sum + excluded.latency_ms_sum, latency_ms_max = MAX(latency_ms_max, excluded.latency_ms_max),
        ttfb_ms_sum = ttfb_ms_sum + excluded.ttfb_ms_sum, ttfb_count = ttfb_count + excluded.ttfb_count`);
  const usage = db.prepare(`INSERT INTO key_usage (key_id, day, requests, tokens) VALUES (?, ?, ?, ?)
      ON CONFLICT (key_id, day) DO UPDATE SET requests = requests + excluded.requests, tokens = tokens + excluded.tokens`);

  // Folded in memory until finish(): one upsert per (hour, dimensions) and per (key, day).
  const buckets = new Map<string, { dims: unknown[]; n: number[] }>();
  const keyDays = new Map<string, number[]>();
  const discard = () => {
    buckets.clear();
    keyDays.clear();
  };

  appender = {
    add(entries) {
      for (const e of entries) {
        const u = e.usage;
        const r = insert.run(
          e.id,
          Math.round(e.startedAt),
          e.method,
          e.clientDialect,
          e.route,
          e.pathSent,
          e.pathResolved,
          e.requestedModel ?? null,
          e.resolvedModel ?? null,
          e.provider ?? null,
          e.credential ?? null,
          e.credentialId ?? null,
          e.credentialIndex ?? null,
          e.userKey ?? null,
          e.userKeyId ?? null,
          e.status,
          e.error ?? null,
          e.attempts ?? null,
          Math.round(e.latencyMs),
          e.ttfbMs === undefined ? null : Math.round(e.ttfbMs),
          u?.inputTokens ?? null,
          u?.outputTokens ?? null,
          u?.cachedInputTokens ?? null,
          u?.reasoningTokens ?? null,
          u?.cacheCreationTokens ?? null,
          u?.estimated === undefined ? null : u.estimated ? 1 : 0,
          e.stream === undefined ? null : e.stream ? 1 : 0,
          e.translated === undefined ? null : e.translated ? 1 : 0,
          e.clientAddress ?? null,
          e.userAgent ?? null,
          e.attemptLog && e.attemptLog.length > 0 ? JSON.stringify(e.attemptLog) : null,
        );
        // The same id twice (also a batch sent again after a worker was lost mid-write): logged once, counted once.
        if (r.changes === 0) continue;
        if (e.requestBody !== undefined || e.responseBody !== undefined) body.run(r.lastInsertRowid, e.requestBody ?? null, e.responseBody ?? null);

        const dims = [hourStart(e.startedAt), e.requestedModel ?? '', e.resolvedModel ?? '', e.provider ?? '', e.credential ?? '', e.userKey ?? '', e.clientDialect];
        const key = JSON.stringify(dims);
        const b = buckets.get(key) ?? { dims, n: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] };
        buckets.set(key, b);
        const latency = Math.round(e.latencyMs);
        b.n[0] += 1;
        b.n[1] += isError(e) ? 1 : 0;
        b.n[2] += u?.inputTokens ?? 0;
        b.n[3] += u?.outputTokens ?? 0;
        b.n[4] += u?.cachedInputTokens ?? 0;
        b.n[5] += u?.reasoningTokens ?? 0;
        b.n[6] += latency;
        b.n[7] = Math.max(b.n[7], latency);
        if (e.ttfbMs !== undefined) {
          b.n[8] += Math.round(e.ttfbMs);
          b.n[9] += 1;
        }
        if (e.billable && e.userKeyId !== undefined) {
          const k = `${e.userKeyId}:${dayStart(e.startedAt)}`;
          const acc = keyDays.get(k) ?? [e.userKeyId, dayStart(e.startedAt), 0, 0];
          acc[2] += 1;
          acc[3] += (u?.inputTokens ?? 0) + (u?.outputTokens ?? 0);
          keyDays.set(k, acc);
        }
      }
    },
    finish() {
      try {
        for (const b of buckets.values()) stats.run(...b.dims, ...b.n);
        for (const acc of keyDays.values()) usage.run(...acc);
      } finally {
        discard();
      }
    },
    discard,
  };
  appenders.set(db, appender);
  return appender;
}

/** `appendRequests`'s transaction, per connection. */
const transactions = new WeakMap<Database.Database, Database.Transaction<(fill: Fill) => void>>();

/** Hands entries to a transaction, as many times as it likes (`add`). */
export type Fill = (add: (entries: LogEntry[]) => void) => void;

/**
 * One transaction in which `fill` appends entries through `add` (once, or in slices: the request log
 * worker steps aside between them); the stats they fold are written before the commit, and forgotten
 * when anything throws (rolled back). BEGIN IMMEDIATE: with two connections writing the file (this one
 * and the main thread's), the write lock is taken up front, where SQLite's busy timeout applies.
 */
export function appendRequests(db: Database.Database, fill: Fill): void {
  const appender = requestAppender(db);
  let transaction = transactions.get(db);
  if (!transaction) {
    transaction = db.transaction((f: Fill) => {
      f(appender.add);
      appender.finish();
    });
    transactions.set(db, transaction);
  }
  try {
    transaction.immediate(fill);
  } catch (err) {
    appender.discard(); // rolled back: what was folded is not in the database
    throw err;
  }
}

/** Appends log entries and folds them into the hourly stats and the per-key daily usage, atomically. */
export function writeRequestBatch(db: Database.Database, entries: LogEntry[]): void {
  if (entries.length > 0) appendRequests(db, (add) => add(entries));
}
