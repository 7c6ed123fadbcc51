// The admin API as the console calls it: same-origin fetch with the session cookie and the console's
// header (required on changes made with the cookie). A 401 means the session ended: the app shows the
// login page again.

// Shapes the server defines, imported as types only (erased at build), so console and API cannot drift.
import type { RequestView } from '../../src/admin/views.js';
export type { StatsNumbers, StatsResult as Stats } from '../../src/store/types.js';
export type { CredentialStatus, CredentialSnapshot as PoolCredential } from '../../src/routing/credential.js';
export type { ProviderPoolView as PoolProvider } from '../../src/routing/routing-table.js';
export type { AttemptRecord as Attempt, RequestEvent } from '../../src/observability/request-record.js';
export type { RequestView as RequestItem } from '../../src/admin/views.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => undefined;
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'x-switchyard-console': '1', accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'Switchyard did not answer. Is it still running?');
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const err = (data as { error?: { message?: string; code?: string } } | undefined)?.error;
    const retry = Number(res.headers.get('retry-after') ?? '') || undefined;
    if (res.status === 401 && path !== '/api/login') onUnauthorized();
    throw new ApiError(res.status, err?.message ?? `HTTP ${res.status}`, err?.code, retry);
  }
  return data as T;
}

export const get = <T>(path: string) => api<T>('GET', path);

export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

// ---- answers ----

export interface SessionInfo {
  authenticated: boolean;
  version?: string;
  password_hint?: string;
  via?: 'session' | 'bearer';
  auth_mode?: string;
  host?: string;
  base_urls?: { openai: string; anthropic: string; gemini: string };
}

export interface Credential {
  id: number;
  key: string;
  enabled: boolean;
  created_at: string;
}

export interface Provider {
  name: string;
  type: 'openai' | 'anthropic' | 'gemini';
  base_url?: string;
  models?: string[];
  responses?: boolean;
  enabled: boolean;
  priority?: number;
  weight?: number;
  strategy?: string;
  headers?: Record<string, string>;
  position: number;
  origin: 'config' | 'admin';
  credentials: Credential[];
}

export interface TestResult {
  credential_id: number;
  key: string;
  ok: boolean;
  status?: number;
  latency_ms: number;
  models?: number;
  error?: string;
}

export interface RequestPage {
  total: number;
  limit: number;
  offset: number;
  items: RequestView[];
}

export interface MinutePoint {
  t: number;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
}

export interface UserKey {
  id: number;
  name: string;
  key: string;
  status: 'active' | 'disabled' | 'expired' | 'revoked';
  enabled: boolean;
  expires_at: string | null;
  allowed_models: string[];
  daily_requests: number | null;
  daily_tokens: number | null;
  rpm: number | null;
  created_at: string;
  revoked_at: string | null;
  usage_today?: { requests: number; tokens: number; last_minute: number };
}

export interface RoutePreview {
  model: string;
  routable: boolean;
  resolved_model?: string;
  mapping_rule?: string | null;
  background?: boolean;
  candidates?: Array<{
    order: number;
    provider: string;
    type: string;
    model: string;
    fallback_for: string | null;
    priority: number | null;
    weight: number;
    credentials: number;
    usable_credentials: number;
  }>;
  status?: number;
  error?: string;
}

export interface Settings {
  store_bodies: boolean;
  stored_body_max_size: number;
  log_retention_days: number;
  log_max_records: number;
  metrics_auth: 'loopback' | 'admin';
  ip_allow: string[];
  ip_deny: string[];
}

export interface ServerSettings {
  running: {
    auth_mode: string;
    effective_auth_mode: string;
    allow_lan_access: boolean;
    max_body_size: number;
    max_body_size_text: string;
    host: string;
    port: number;
  };
  saved: { auth_mode?: string; allow_lan_access?: boolean; max_body_size?: string | number };
  restart_needed: string[];
  next_effective_auth_mode: string;
  note: string;
}

