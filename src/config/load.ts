import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ZodError } from 'zod';
import { normalizeBaseUrl } from './base-url.js';
import { configSchema, type Config } from './schema.js';

/** A configuration problem, said in one or more lines a person can act on. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface CliFlags {
  config?: string;
  port?: string | number;
  host?: string;
  dataDir?: string;
}

type Env = Record<string, string | undefined>;

export const DEFAULT_UPSTREAMS = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
} as const;

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}

function findConfigFile(flags: CliFlags, env: Env, dataDir: string): string | undefined {
  const explicit = flags.config ?? env.SWITCHYARD_CONFIG;
  if (explicit) {
    const file = resolve(expandHome(explicit));
    if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`);
    return file;
  }
  for (const name of ['config.yaml', 'config.yml', 'config.json']) {
    const file = join(dataDir, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text); // YAML is a superset of JSON, so JSON files parse too
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config file ${file} must hold a mapping of keys (host, port, providers, …)`);
  return doc as Record<string, unknown>;
}

function envOverrides(env: Env): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (env.SWITCHYARD_HOST) out.host = env.SWITCHYARD_HOST;
  if (env.SWITCHYARD_PORT) out.port = env.SWITCHYARD_PORT;
  if (env.SWITCHYARD_AUTH_MODE) out.auth_mode = env.SWITCHYARD_AUTH_MODE;
  const key = env.SWITCHYARD_API_KEY ?? env.API_KEY;
  if (key) out.api_key = key;
  const body = env.SWITCHYARD_MAX_BODY_SIZE ?? env.ABV_MAX_BODY_SIZE;
  if (body) out.max_body_size = body;
  if (env.SWITCHYARD_LOG_LEVEL) out.log_level = env.SWITCHYARD_LOG_LEVEL;
  const adminPassword = env.SWITCHYARD_ADMIN_PASSWORD ?? env.WEB_PASSWORD;
  if (adminPassword) out.admin_password = adminPassword;
  if (env.SWITCHYARD_ALLOW_LAN_ACCESS) out.allow_lan_access = /^(1|true|yes|on)$/i.test(env.SWITCHYARD_ALLOW_LAN_ACCESS);
  return out;
}

export function formatZodError(err: ZodError, source: string): string {
  const lines = err.issues.map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join('');
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    return `  - ${path || '(top level)'}: ${message}`;
  });
  return `invalid configuration (${source}):\n${lines.join('\n')}`;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Loads file, then env, then flags (each overriding the one before), validates, and settles defaults. */
export function loadConfig(flags: CliFlags = {}, env: Env = process.env): Config {
  const dataDir = resolve(expandHome(flags.dataDir ?? env.SWITCHYARD_DATA_DIR ?? join(homedir(), '.switchyard')));
  const file = findConfigFile(flags, env, dataDir);
  const raw: Record<string, unknown> = { ...(file ? readConfigFile(file) : {}), ...envOverrides(env) };
  if (flags.host !== undefined) raw.host = flags.host;
  if (flags.port !== undefined) raw.port = flags.port;

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatZodError(parsed.error, file ?? 'environment and flags'));
  const c = parsed.data;

  const host = c.host ?? (c.allow_lan_access ? '0.0.0.0' : '127.0.0.1');
  // auto: no key while only this machine can connect; as soon as the LAN can, every route but health needs one.
  const lan = c.allow_lan_access || !isLoopbackHost(host);
  const effective_auth_mode = c.auth_mode === 'auto' ? (lan ? 'all_except_health' : 'off') : c.auth_mode;

  const providers = c.providers.map((p) => ({
    ...p,
    base_url: normalizeBaseUrl(p.type, p.base_url ?? DEFAULT_UPSTREAMS[p.type]),
  }));

  const keys = [...(c.api_key ? [c.api_key] : []), ...c.api_keys];
  let generated_key = false;
  if (effective_auth_mode !== 'off' && keys.length === 0) {
    keys.push(loadOrCreateKey(dataDir));
    generated_key = true;
  }

  // The admin API's password: admin_password (file or env), else the API key. With neither, the
  // store creates <data-dir>/api_key at start and that key is the password.
  const adminFromEnv = Boolean(env.SWITCHYARD_ADMIN_PASSWORD ?? env.WEB_PASSWORD);
  const admin_password = c.admin_password ?? keys[0];
  const admin_password_source = c.admin_password ? (adminFromEnv ? 'env' : 'config') : keys[0] ? 'api_key' : undefined;
  const encryption_key = env.SWITCHYARD_ENCRYPTION_KEY || undefined;

  const { api_key: _k, data_dir: _d, ...rest } = c;
  return {
    ...rest,
    host,
    data_dir: dataDir,
    providers,
    api_keys: keys,
    effective_auth_mode,
    config_file: file,
    generated_key,
    admin_password,
    admin_password_source,
    encryption_key,
  };
}

/** A key for clients when auth is on and none was configured: generated once, kept in the data dir. */
export function loadOrCreateKey(dataDir: string): string {
  const file = join(dataDir, 'api_key');
  if (existsSync(file)) {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing) return existing;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = `sk-sy-${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, key + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
