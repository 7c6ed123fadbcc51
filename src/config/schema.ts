import { z } from 'zod';
import { parseCidr } from '../keys/ip-filter.js';
import { parseByteSize } from './byte-size.js';

// One schema for the whole configuration. Keys are snake_case, as users of Antigravity Tools know
// them. Validation errors are rendered by ./load.ts as "<key path>: <why>" lines, never a stack.

export const PROVIDER_TYPES = ['openai', 'anthropic', 'gemini'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export const AUTH_MODES = ['off', 'strict', 'all_except_health', 'auto'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** How a provider picks among its keys; see src/routing/credential-pool.ts. */
export const STRATEGIES = ['round-robin', 'least-in-flight', 'fill-first', 'sticky'] as const;
export type Strategy = (typeof STRATEGIES)[number];

const byteSize = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = parseByteSize(v);
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a size; write it like 100mb, 512kb or a number of bytes` });
    return z.NEVER;
  }
  return n;
});

const urlString = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http(s) URL such as https://api.openai.com/v1');

export const providerSchema = z
  .object({
    name: z.string().min(1, 'must not be empty').regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, dot, dash or underscore'),
    type: z.enum(PROVIDER_TYPES, { message: `must be one of ${PROVIDER_TYPES.join(', ')}` }),
    base_url: urlString.optional(),
    api_keys: z.array(z.string().min(1)).optional(),
    api_key: z.string().min(1).optional(),
    models: z.array(z.string().min(1)).optional(),
    /** openai type only: send Responses-dialect requests upstream as Responses instead of chat. */
    responses: z.boolean().default(false),
    enabled: z.boolean().default(true),
    /** Extra headers sent upstream with every request (e.g. OpenRouter's HTTP-Referer). */
    headers: z.record(z.string(), z.string()).default({}),
    /** Lower is tried first; providers of equal priority share requests by weight. Unset: its position in the list. */
    priority: z.number().int().optional(),
    weight: z.number().positive().default(1),
    strategy: z.enum(STRATEGIES, { message: `must be one of ${STRATEGIES.join(', ')}` }).default('round-robin'),
  })
  .strict()
  .transform((p, ctx) => {
    const keys = [...(p.api_keys ?? []), ...(p.api_key ? [p.api_key] : [])];
    if (keys.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'needs api_keys: [ ... ] (or api_key) — the pool of upstream keys', path: ['api_keys'] });
      return z.NEVER;
    }
    const { api_key: _unused, ...rest } = p;
    return { ...rest, api_keys: keys };
  });

export const METRICS_AUTH = ['loopback', 'admin'] as const;

const cidr = z.string().refine((v) => parseCidr(v) !== undefined, 'must be an IP address or CIDR block such as 10.0.0.0/8 or fd00::/8');

/** Config keys the admin API can change at run time (GET/PATCH /api/settings). */
export const SETTING_KEYS = ['store_bodies', 'stored_body_max_size', 'log_retention_days', 'log_max_records', 'metrics_auth', 'ip_allow', 'ip_deny'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

export const configSchema = z
  .object({
    host: z.string().min(1).optional(),
    port: z.coerce.number().int().min(0).max(65535).default(8045),
    allow_lan_access: z.boolean().default(false),
    auth_mode: z.enum(AUTH_MODES, { message: `must be one of ${AUTH_MODES.join(', ')}` }).default('auto'),
    api_key: z.string().min(1).optional(),
    api_keys: z.array(z.string().min(1)).default([]),
    max_body_size: byteSize.default(100 * 1024 * 1024),
    data_dir: z.string().min(1).optional(),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Seconds between SSE keep-alive comments while a stream waits for its first token. */
    keepalive_seconds: z.number().positive().default(15),
    /** Seconds to wait for in-flight requests on shutdown. */
    shutdown_grace_seconds: z.number().nonnegative().default(10),
    /** Upstream timeouts, seconds. Reasoning models can think for minutes before the first byte. */
    timeouts: z
      .object({
        connect: z.number().positive().default(10),
        first_byte: z.number().positive().default(600),
        idle: z.number().positive().default(300),
      })
      .strict()
      .default({ connect: 10, first_byte: 600, idle: 300 }),
    providers: z.array(providerSchema).default([]),
    model_mapping: z.record(z.string(), z.string()).default({}),
    /** Bearer password of the admin API (/api) and /metrics; defaults to the first API key. */
    admin_password: z.string().min(1).optional(),
    // Settings: the config file seeds them; the admin API changes them at run time (see src/store/seed.ts).
    /** Keep request and response bodies in the request log (capped, secrets redacted). */
    store_bodies: z.boolean().default(false),
    stored_body_max_size: byteSize.default(64 * 1024),
    /** Request log retention: entries older than this many days, or beyond this many, are deleted. */
    log_retention_days: z.number().positive().default(30),
    log_max_records: z.number().int().positive().default(200_000),
    /** /metrics: `loopback` = open to loopback clients, others need the admin password; `admin` = always the password. */
    metrics_auth: z.enum(METRICS_AUTH, { message: `must be one of ${METRICS_AUTH.join(', ')}` }).default('loopback'),
    /** CIDR allow / deny lists for the proxy routes, checked before auth (deny wins; empty allow = all). */
    ip_allow: z.array(cidr).default([]),
    ip_deny: z.array(cidr).default([]),
    /** Per model: models to try, in order, when no credential can serve it now. */
    fallbacks: z.record(z.string(), z.array(z.string().min(1))).default({}),
    /** Send clients' housekeeping requests (titles, summaries) to a cheaper model. */
    background: z
      .object({
        model: z.string().min(1),
        /** Requested models that mark a housekeeping request (when it also offers no tools). */
        match: z.array(z.string().min(1)).default(['claude-*haiku*']),
      })
      .strict()
      .optional(),
    routing: z
      .object({
        max_attempts: z.number().int().min(1).default(6),
        /** Total seconds to find an upstream that answers, before the first byte reaches the client. */
        deadline_seconds: z.number().positive().default(300),
        /** Pause before retrying after a 5xx/timeout, doubling per retry, with jitter. */
        backoff_base_ms: z.number().nonnegative().default(100),
        backoff_cap_ms: z.number().nonnegative().default(2000),
        /** Cooldown after a 429 that named no time: doubles per repeat, per credential. */
        cooldown_base_seconds: z.number().positive().default(5),
        cooldown_cap_seconds: z.number().positive().default(600),
        /** Consecutive failures (5xx, timeouts, resets) that open a credential's circuit, and for how long. */
        circuit_failures: z.number().int().min(1).default(5),
        circuit_open_seconds: z.number().positive().default(30),
      })
      .strict()
      .default({
        max_attempts: 6,
        deadline_seconds: 300,
        backoff_base_ms: 100,
        backoff_cap_ms: 2000,
        cooldown_base_seconds: 5,
        cooldown_cap_seconds: 600,
        circuit_failures: 5,
        circuit_open_seconds: 30,
      }),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const key of Object.keys(c.model_mapping)) {
      const m = /^\/(.+)\/([imsu]*)$/.exec(key);
      if (!m) continue;
      try {
        new RegExp(m[1], m[2]);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}`, path: ['model_mapping', key] });
      }
    }
    const seen = new Set<string>();
    c.providers.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: 'custom', message: `duplicate provider name "${p.name}"`, path: ['providers', i, 'name'] });
      seen.add(p.name);
    });
  });

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type ProviderConfig = ParsedConfig['providers'][number];

/** The configuration the server runs with: parsed, defaults applied, host and data dir decided. */
export interface Config extends Omit<ParsedConfig, 'host' | 'data_dir' | 'api_key'> {
  host: string;
  data_dir: string;
  /** All keys that grant client access (api_key + api_keys, or the generated one). */
  api_keys: string[];
  /** `auto` resolved to what it means for this host. */
  effective_auth_mode: Exclude<AuthMode, 'auto'>;
  /** Where the config came from, for the banner. */
  config_file?: string;
  /** True when the key was generated at start (so the banner prints it). */
  generated_key?: boolean;
  /** Where admin_password came from; undefined = none yet (the store generates `<data-dir>/api_key` at start). */
  admin_password_source?: 'config' | 'env' | 'api_key';
  /** SWITCHYARD_ENCRYPTION_KEY, when set (the store's key; else `<data-dir>/encryption.key`). */
  encryption_key?: string;
}

export type Settings = Pick<Config, SettingKey>;
