import type { Dialect, Usage } from '../canonical/types.js';

/**
 * One client request, as the request log, stats and metrics see it. Built once, after the answer
 * ended: by the relay for generation and count_tokens requests, by the control plane's onResponse
 * hook for everything else on the proxy routes (model lists, health, 404s, 401s, limit and IP
 * refusals). Admin API and /metrics requests have none. `route` is a RouteName, or `not_found`,
 * `method_not_allowed`, `ip_denied`, `unresolved` for requests no route took.
 */
export interface RequestRecord {
  id: string;
  /** Unix ms when the request arrived. */
  startedAt: number;
  method: string;
  clientDialect: Dialect | 'none';
  /** Route name from path resolution (e.g. `openai.chat`, `models.list`). */
  route: string;
  pathSent: string;
  pathResolved: string;
  requestedModel?: string;
  resolvedModel?: string;
  provider?: string;
  /** Index of the pool credential that answered, never the key. */
  credentialIndex?: number;
  /** That credential masked (first 4 + last 4 characters), and its store id. */
  credential?: string;
  credentialId?: number;
  translated?: boolean;
  stream?: boolean;
  status: number;
  error?: string;
  attempts?: number;
  latencyMs: number;
  ttfbMs?: number;
  usage?: Usage;
  clientAddress?: string;
  userAgent?: string;
  /** The user key the client presented (its name and id), when it was one. */
  userKey?: string;
  userKeyId?: number;
  /** Each upstream attempt, in order: where it went and, when it failed, why. */
  attemptLog?: AttemptRecord[];
  /** Bodies, only when the `store_bodies` setting is on: capped, secrets redacted. */
  requestBody?: string;
  responseBody?: string;
}

/** One upstream attempt of a request (the credential masked, never the key). */
export interface AttemptRecord {
  provider: string;
  credential: string;
  model: string;
  /** The upstream's HTTP status; absent when it did not answer (connection error, timeout). */
  status?: number;
  ok: boolean;
  /** Why it failed. */
  reason?: string;
  /** Milliseconds until the upstream's answer (headers) or the failure. */
  ms: number;
}

/** What the server tells the rest of the system; every hook runs off the hot path and must not throw. */
export interface GatewayHooks {
  /** Called for every client request (see RequestRecord), after the log entry was queued. */
  onRequestFinished?(record: RequestRecord): void;
}

/** A finished request as the live event stream tells it (no bodies, no secrets). */
export interface RequestEvent {
  id: string;
  ts: number;
  route: string;
  dialect: string;
  status: number;
  model: string | null;
  resolved_model: string | null;
  provider: string | null;
  user_key: string | null;
  error: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  latency_ms: number;
}
