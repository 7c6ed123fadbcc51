import { maskSecret } from '../store/crypto.js';
import type { KeyUsage, ProviderRecord, StoredRequest, UserKeyRecord } from '../store/types.js';
import type { AttemptRecord } from '../observability/request-record.js';

// What the admin API answers. Nothing here ever carries a secret in full: credentials and user keys
// are masked (first 4 + last 4 characters), provider header values too.

const iso = (t: number | null | undefined) => (t === null || t === undefined ? null : new Date(t).toISOString());

export function providerView(p: ProviderRecord) {
  const headers = (p.settings.headers ?? {}) as Record<string, string>;
  return {
    ...p.settings,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, maskSecret(v)])),
    position: p.position,
    origin: p.origin,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
    credentials: p.credentials.map((c) => ({ id: c.id, key: c.masked, enabled: c.enabled, created_at: iso(c.createdAt) })),
  };
}

export function userKeyStatus(k: UserKeyRecord, now = Date.now()): 'active' | 'disabled' | 'expired' | 'revoked' {
  if (k.revokedAt !== null) return 'revoked';
  if (!k.enabled) return 'disabled';
  if (k.expiresAt !== null && k.expiresAt <= now) return 'expired';
  return 'active';
}

export function userKeyView(k: UserKeyRecord, usage?: KeyUsage & { lastMinute?: number }) {
  return {
    id: k.id,
    name: k.name,
    key: k.masked,
    status: userKeyStatus(k),
    enabled: k.enabled,
    expires_at: iso(k.expiresAt),
    allowed_models: k.allowedModels,
    daily_requests: k.dailyRequests,
    daily_tokens: k.dailyTokens,
    rpm: k.rpm,
    created_at: iso(k.createdAt),
    revoked_at: iso(k.revokedAt),
    usage_today: usage ? { requests: usage.requests, tokens: usage.tokens, last_minute: usage.lastMinute ?? 0 } : undefined,
  };
}

/** A logged request as the admin API answers it (GET /api/requests; the detail fields from /api/requests/:id). */
export interface RequestView {
  id: string;
  time: string;
  ts: number;
  method: string;
  dialect: string;
  route: string;
  path_sent: string;
  path_resolved: string;
  model_requested: string | null;
  model_resolved: string | null;
  provider: string | null;
  credential: string | null;
  credential_id: number | null;
  user_key: string | null;
  status: number;
  error: string | null;
  attempts: number | null;
  latency_ms: number;
  ttfb_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_tokens: number | null;
  reasoning_tokens: number | null;
  stream: boolean | null;
  translated: boolean | null;
  client_address: string | null;
  user_agent: string | null;
  // detail only
  credential_index?: number | null;
  user_key_id?: number | null;
  cache_creation_tokens?: number | null;
  usage_estimated?: boolean | null;
  attempt_log?: AttemptRecord[] | null;
  request_body?: string | null;
  response_body?: string | null;
}

export function requestView(r: StoredRequest, detail = false): RequestView {
  const u = r.usage;
  return {
    id: r.id,
    time: new Date(r.startedAt).toISOString(),
    ts: r.startedAt,
    method: r.method,
    dialect: r.clientDialect,
    route: r.route,
    path_sent: r.pathSent,
    path_resolved: r.pathResolved,
    model_requested: r.requestedModel ?? null,
    model_resolved: r.resolvedModel ?? null,
    provider: r.provider ?? null,
    credential: r.credential ?? null,
    credential_id: r.credentialId ?? null,
    user_key: r.userKey ?? null,
    status: r.status,
    error: r.error ?? null,
    attempts: r.attempts ?? null,
    latency_ms: r.latencyMs,
    ttfb_ms: r.ttfbMs ?? null,
    input_tokens: u?.inputTokens ?? null,
    output_tokens: u?.outputTokens ?? null,
    cached_tokens: u?.cachedInputTokens ?? null,
    reasoning_tokens: u?.reasoningTokens ?? null,
    stream: r.stream ?? null,
    translated: r.translated ?? null,
    client_address: r.clientAddress ?? null,
    user_agent: r.userAgent ?? null,
    ...(detail
      ? {
          credential_index: r.credentialIndex ?? null,
          user_key_id: r.userKeyId ?? null,
          cache_creation_tokens: u?.cacheCreationTokens ?? null,
          usage_estimated: u?.estimated ?? null,
          attempt_log: r.attemptLog ?? null,
          request_body: r.requestBody ?? null,
          response_body: r.responseBody ?? null,
        }
      : {}),
  };
}
