import type { FastifyInstance } from 'fastify';
import { formatByteSize } from '../config/byte-size.js';
import { configSchema, type Config } from '../config/schema.js';
import { openStore } from '../store/index.js';
import { stableJson } from '../store/seed.js';
import type { SecretBox } from '../store/crypto.js';
import type { Store } from '../store/types.js';
import type { ControlPlane } from './control-plane.js';
import { AdminError } from './routes.js';

// What the console can change beyond the admin API's settings, kept in the store's settings table
// under keys of their own, with the store's rule for "which wins": the one changed last.
//
//   - `fallbacks`: apply at once. At start, the config file's fallbacks win when the file changed
//     them since the previous start; otherwise the console's stay.
//   - the server settings auth_mode, allow_lan_access, max_body_size: they decide how the server
//     listens and reads bodies, so they apply at the next start (withConsoleServerSettings, called
//     by the CLI before the server is built). The same rule: a value the file (or env, or a flag)
//     changed since the previous start wins and clears the console's.

export const FALLBACKS_KEY = 'console:fallbacks';
export const SERVER_KEY = 'console:server';
export const SERVER_SETTING_KEYS = ['auth_mode', 'allow_lan_access', 'max_body_size'] as const;
export type ServerSettingKey = (typeof SERVER_SETTING_KEYS)[number];
export type ServerOverrides = Partial<Record<ServerSettingKey, string | number | boolean>>;

const seedSection = (key: string) => `console:${key}`;

export interface ConsoleOverrides {
  fallbacks?: Record<string, string[]>;
  server: ServerOverrides;
}

export async function loadConsoleOverrides(store: Store): Promise<ConsoleOverrides> {
  const all = await store.getSettings();
  const fb = all[FALLBACKS_KEY];
  const server = all[SERVER_KEY];
  return {
    fallbacks: fb && typeof fb === 'object' && !Array.isArray(fb) ? (fb as Record<string, string[]>) : undefined,
    server: server && typeof server === 'object' && !Array.isArray(server) ? (server as ServerOverrides) : {},
  };
}

const print = (box: SecretBox, v: unknown) => box.fingerprint(stableJson(v ?? null));

/** At start (after the control plane opened the store): the console's fallbacks, unless the file changed its own. */
export function startConsoleSettings(app: FastifyInstance, cp: ControlPlane): void {
  app.addHook('onReady', async () => {
    const store = cp.store;
    const seeds = await store.getSeeds();
    const stored = await loadConsoleOverrides(store);
    const fp = print(cp.box, cp.config.fallbacks);
    if (seeds.get(seedSection('fallbacks')) !== fp) {
      await store.setSeed(seedSection('fallbacks'), fp);
      if (stored.fallbacks) {
        await store.putSettings({ [FALLBACKS_KEY]: null });
        cp.log.info('store: the config file changed fallbacks; they replace what the console had saved');
      }
    } else if (stored.fallbacks && stableJson(stored.fallbacks) !== stableJson(cp.config.fallbacks)) {
      cp.config.fallbacks = stored.fallbacks;
      await cp.applyRouting();
    }
    // Started without the CLI (tests, embedding): remember what the file says now.
    for (const key of SERVER_SETTING_KEYS) {
      if (!seeds.has(seedSection(key))) await store.setSeed(seedSection(key), print(cp.box, cp.config[key]));
    }
  });
}

const ENV_OF: Record<ServerSettingKey, string> = {
  auth_mode: 'SWITCHYARD_AUTH_MODE',
  allow_lan_access: 'SWITCHYARD_ALLOW_LAN_ACCESS',
  max_body_size: 'SWITCHYARD_MAX_BODY_SIZE',
};

/**
 * The config to start with: `config` (file, env, flags) with the server settings saved in the console
 * on top, except those the file/env/flags changed since the previous start. `reload` loads the config
 * again with extra environment variables (the way the saved values are applied, so derived values —
 * host, effective auth mode, a generated key — follow).
 */
export async function withConsoleServerSettings(
  config: Config,
  reload: (env: Record<string, string>) => Config,
): Promise<{ config: Config; applied: ServerSettingKey[]; dropped: ServerSettingKey[] }> {
  const { store, box } = openStore(config.data_dir, config.encryption_key);
  const applied: ServerSettingKey[] = [];
  const dropped: ServerSettingKey[] = [];
  try {
    const seeds = await store.getSeeds();
    const saved = (await loadConsoleOverrides(store)).server;
    const keep: ServerOverrides = {};
    for (const key of SERVER_SETTING_KEYS) {
      const fp = print(box, config[key]);
      const changed = seeds.get(seedSection(key)) !== fp;
      if (changed) await store.setSeed(seedSection(key), fp);
      if (saved[key] === undefined) continue;
      if (changed && seeds.has(seedSection(key))) dropped.push(key);
      else {
        keep[key] = saved[key];
        applied.push(key);
      }
    }
    if (dropped.length > 0) await store.putSettings({ [SERVER_KEY]: keep });
    if (applied.length === 0) return { config, applied, dropped };
    const env: Record<string, string> = {};
    for (const key of applied) env[ENV_OF[key]] = String(keep[key]);
    return { config: reload(env), applied, dropped };
  } finally {
    await store.close();
  }
}

export async function saveServerSettings(cp: ControlPlane, body: Record<string, unknown>): Promise<void> {
  const set: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (v !== null && v !== undefined) set[k] = v;
  const r = configSchema.safeParse(set);
  if (!r.success) throw new AdminError(400, `Invalid settings: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const current = (await loadConsoleOverrides(cp.store)).server;
  const next: ServerOverrides = { ...current };
  for (const key of SERVER_SETTING_KEYS) {
    if (!(key in body)) continue;
    const v = body[key];
    if (v === null) delete next[key];
    else next[key] = v as string | number | boolean;
  }
  const seeds = await cp.store.getSeeds();
  for (const key of SERVER_SETTING_KEYS) {
    if (!seeds.has(seedSection(key))) await cp.store.setSeed(seedSection(key), print(cp.box, cp.config[key]));
  }
  await cp.store.putSettings({ [SERVER_KEY]: next });
}

function effectiveOf(c: { auth_mode: string; allow_lan_access: boolean; host: string }): string {
  if (c.auth_mode !== 'auto') return c.auth_mode;
  const loopback = c.host === 'localhost' || c.host === '::1' || c.host.startsWith('127.');
  return c.allow_lan_access || !loopback ? 'all_except_health' : 'off';
}

/** `port` is the port listened on (the config may say 0 = any free port). */
export async function serverSettingsView(cp: ControlPlane, port = cp.config.port) {
  const saved = (await loadConsoleOverrides(cp.store)).server;
  const c = cp.config;
  const running = {
    auth_mode: c.auth_mode,
    effective_auth_mode: c.effective_auth_mode,
    allow_lan_access: c.allow_lan_access,
    max_body_size: c.max_body_size,
    max_body_size_text: formatByteSize(c.max_body_size),
    host: c.host,
    port,
  };
  // What the saved values would mean at the next start (validated when saved).
  const parsed = configSchema.safeParse(Object.fromEntries(Object.entries(saved).filter(([, v]) => v !== undefined)));
  const next = parsed.success ? parsed.data : undefined;
  const pending: ServerSettingKey[] = [];
  if (next) {
    if (saved.auth_mode !== undefined && next.auth_mode !== c.auth_mode) pending.push('auth_mode');
    if (saved.allow_lan_access !== undefined && next.allow_lan_access !== c.allow_lan_access) pending.push('allow_lan_access');
    if (saved.max_body_size !== undefined && next.max_body_size !== c.max_body_size) pending.push('max_body_size');
  }
  const nextLan = saved.allow_lan_access !== undefined && next ? next.allow_lan_access : c.allow_lan_access;
  const nextMode = saved.auth_mode !== undefined && next ? next.auth_mode : c.auth_mode;
  return {
    running,
    saved,
    restart_needed: pending,
    next_effective_auth_mode: effectiveOf({ auth_mode: nextMode, allow_lan_access: nextLan, host: nextLan && c.host.startsWith('127.') ? '0.0.0.0' : c.host }),
    note: 'These apply at the next start of Switchyard. Values saved here override the config file until the file (or an environment variable or flag) changes the same setting.',
  };
}
