import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { GatewayError } from '../canonical/errors.js';
import { loadOrCreateKey } from '../config/load.js';
import { providerSchema, SETTING_KEYS, type Config, type ProviderConfig, type Settings } from '../config/schema.js';
import { ClientAuth, type Principal } from '../keys/authorize.js';
import { IpFilter } from '../keys/ip-filter.js';
import { UsageLimiter, utcDayStart } from '../keys/limiter.js';
import { UserKeyRegistry } from '../keys/user-keys.js';
import { RequestLogWriter } from '../observability/log-writer.js';
import { GatewayMetrics, type CredentialStateView } from '../observability/metrics.js';
import { redactBody, redactUrl, ResponseCapture, scrubText } from '../observability/redact.js';
import type { GatewayHooks, RequestRecord } from '../observability/request-record.js';
import type { RoutingConfig } from '../routing/routing-table.js';
import { KeyChecker } from '../server/auth.js';
import type { ResolvedRoute } from '../server/paths/resolve-path.js';
import { openStore } from '../store/index.js';
import type { SecretBox } from '../store/crypto.js';
import { seedFromConfig } from '../store/seed.js';
import type { LogEntry, Store } from '../store/types.js';
import { AdminGuard } from './admin-auth.js';
import { registerAdminRoutes } from './routes.js';

// The control plane beside the relay: the store, the admin API, the request log, stats, metrics,
// user keys and IP lists. The proxy handler (src/server/proxy-handler.ts) calls it at four points of
// a request: `begin` (bookkeeping opens), `allows` (IP lists), `authorize` (instead of the plain key
// check) and `finish` (the answer ended). Everything after `finish` happens off the hot path.

/** What the control plane needs of the gateway (src/server/app.ts). */
export interface GatewayControls {
  reconfigure(next: RoutingConfig): void;
  poolState(): unknown;
  resetCredential(provider?: string, index?: number): number;
}

/** A proxy request's bookkeeping, from arrival to its record. */
export interface ProxyRequestContext {
  startedAt: number;
  route?: ResolvedRoute;
  model?: string;
  presented?: string;
  principal?: Principal;
  billable?: boolean;
  done?: boolean;
  capture?: ResponseCapture;
  /** The request body as received (kept with the record when store_bodies is on). */
  body?: Buffer;
}

const PRUNE_EVERY_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

export function isLoopbackAddress(ip: string | undefined): boolean {
  if (!ip) return false;
  return ip === '::1' || ip.startsWith('127.') || /^::ffff:127\./i.test(ip);
}

/** The model a proxy request names: Gemini's path, or the body's `model`. */
function modelOf(route: ResolvedRoute, body: unknown): string | undefined {
  if (route.dialect === 'gemini' && route.model) return route.model.replace(/^models\//, '');
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const m = (body as Record<string, unknown>).model;
    if (typeof m === 'string' && m !== '') return m;
  }
  return route.model;
}

export class ControlPlane {
  readonly metrics: GatewayMetrics;
  readonly registry = new UserKeyRegistry();
  readonly limiter = new UsageLimiter();
  readonly auth: ClientAuth;
  readonly adminGuard: AdminGuard;
  settings: Settings;
  private ipFilter: IpFilter;
  private opened?: { store: Store; box: SecretBox };
  private writer?: RequestLogWriter;
  private pruneTimer?: NodeJS.Timeout;
  private adminPassword: string | undefined;
  /** Per provider: its enabled credentials in pool order (index → id and masked key). */
  private credentialLabels = new Map<string, Array<{ id: number; masked: string }>>();
  /** Credentials routing does not see (disabled, or of a disabled provider), for the state gauge. */
  private disabledCredentials: CredentialStateView[] = [];
  /** Every secret the gateway holds, for scrubbing stored bodies. */
  private secrets = new Set<string>();
  /** Finished requests waiting for the next turn of the loop (recordFinished). */
  private finished: Array<{ record: RequestRecord; ctx: ProxyRequestContext }> = [];
  /** Told of every finished request record, off the hot path (the console's live events). */
  readonly recordListeners = new Set<(record: RequestRecord) => void>();

  constructor(
    readonly config: Config,
    readonly log: Logger,
    private readonly hooks: GatewayHooks,
    readonly gateway: () => GatewayControls,
  ) {
    this.settings = Object.fromEntries(SETTING_KEYS.map((k) => [k, config[k]])) as Settings;
    this.ipFilter = new IpFilter(this.settings.ip_allow, this.settings.ip_deny);
    this.auth = new ClientAuth(new KeyChecker(config.api_keys), this.registry, this.limiter);
    this.adminPassword = config.admin_password;
    this.adminGuard = new AdminGuard(() => this.adminPassword ?? '');
    this.metrics = new GatewayMetrics({
      credentialStates: () => this.credentialStates(),
      logQueue: () => this.writer?.queued ?? 0,
      logWritten: () => this.writer?.written ?? 0,
    });
  }

  get store(): Store {
    if (!this.opened) throw new GatewayError('overloaded', 'The store is not open yet.');
    return this.opened.store;
  }

  get box(): SecretBox {
    if (!this.opened) throw new GatewayError('overloaded', 'The store is not open yet.');
    return this.opened.box;
  }

  // ---- lifecycle ----

  /** Registers hooks, /metrics and the admin API; call before the catch-all route. */
  register(app: FastifyInstance): void {
    app.addHook('onReady', () => this.start());
    app.addHook('onClose', () => this.close());
    app.get('/metrics', (req, reply) => this.serveMetrics(req, reply));
    registerAdminRoutes(app, this);
  }

  private async start(): Promise<void> {
    this.opened = openStore(this.config.data_dir, this.config.encryption_key);
    const { store, box } = this.opened;
    this.adminPassword ??= loadOrCreateKey(this.config.data_dir);
    const report = await seedFromConfig(store, box, this.config);
    if (report.providers.length + report.removedProviders.length > 0 || report.mapping) {
      this.log.info(
        { providers: report.providers, removed: report.removedProviders, model_mapping: report.mapping },
        'store: the config file says something new about these; it replaces what the store had',
      );
    }
    // Only the settings' own keys (the console keeps other values in the same table).
    const stored = await store.getSettings();
    this.settings = Object.assign({}, this.settings, Object.fromEntries(SETTING_KEYS.filter((k) => k in stored).map((k) => [k, stored[k]])) as Partial<Settings>);
    this.applySettings();
    await this.applyRouting();
    this.registry.replaceAll(await store.listUserKeys());
    const today = utcDayStart(Date.now());
    this.limiter.load(today, await store.keyUsage(today));
    this.writer = new RequestLogWriter(store, this.log, {
      onDropped: (n) => this.metrics.logDropped.inc(n),
    });
    await this.prune();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  private async close(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    // Records of the last requests are handed over on the next turn of the loop.
    await new Promise((r) => setImmediate(r));
    await this.writer?.close();
    await this.opened?.store.close();
  }

  /** Writes queued request log entries now (tests, shutdown). */
  async flush(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    await this.writer?.flush();
  }

  async prune(): Promise<number> {
    if (!this.opened) return 0;
    try {
      const n = await this.store.pruneRequests(Date.now() - this.settings.log_retention_days * DAY_MS, this.settings.log_max_records);
      if (n > 0) this.log.debug({ deleted: n }, 'request log: pruned old entries');
      return n;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'request log: pruning failed');
      return 0;
    }
  }

  // ---- settings and routing from the store ----

  applySettings(): void {
    this.ipFilter = new IpFilter(this.settings.ip_allow, this.settings.ip_deny);
  }

  /** Builds the routing configuration from the store and swaps it into the gateway. */
  async applyRouting(): Promise<void> {
    const records = await this.store.listProviders();
    const providers: ProviderConfig[] = [];
    const labels = new Map<string, Array<{ id: number; masked: string }>>();
    const disabled: CredentialStateView[] = [];
    const secrets = new Set<string>([...this.config.api_keys, ...(this.adminPassword ? [this.adminPassword] : [])]);
    for (const p of records) {
      const enabled = p.credentials.filter((c) => c.enabled);
      for (const c of p.credentials) secrets.add(c.secret);
      for (const v of Object.values((p.settings.headers ?? {}) as Record<string, string>)) if (v.length >= 8) secrets.add(v);
      // Parsed again so settings stored by an older version get today's defaults.
      const parsed = providerSchema.safeParse(Object.assign({}, p.settings, { api_keys: enabled.length > 0 ? enabled.map((c) => c.secret) : ['(none)'] }));
      if (!parsed.success) {
        this.log.warn({ provider: p.name, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'store: provider skipped, its settings no longer validate');
        continue;
      }
      const cfg = parsed.data;
      for (const c of p.credentials) if (!c.enabled || !cfg.enabled) disabled.push({ provider: p.name, credential: c.masked, state: 'disabled' });
      providers.push(enabled.length > 0 ? cfg : Object.assign({}, cfg, { enabled: false }));
      labels.set(p.name, enabled.map((c) => ({ id: c.id, masked: c.masked })));
    }
    const model_mapping = Object.fromEntries(await this.store.getMapping());
    this.credentialLabels = labels;
    this.disabledCredentials = disabled;
    this.secrets = secrets;
    this.gateway().reconfigure(Object.assign({}, this.config, { providers, model_mapping }));
  }

  private credentialStates(): CredentialStateView[] {
    const out: CredentialStateView[] = [...this.disabledCredentials];
    let pool: unknown;
    try {
      pool = this.gateway().poolState();
    } catch {
      return out;
    }
    if (!Array.isArray(pool)) return out;
    for (const p of pool as Array<{ name?: unknown; credentials?: unknown }>) {
      if (!Array.isArray(p.credentials)) continue;
      for (const c of p.credentials as Array<{ key?: unknown; status?: unknown }>) {
        out.push({ provider: String(p.name), credential: String(c.key), state: String(c.status ?? 'unknown') });
      }
    }
    return out;
  }

  // ---- the proxy request path ----

  /**
   * Opens the bookkeeping of a proxy request (src/server/proxy-handler.ts), before anything is
   * answered: with store_bodies on, the answer's bytes are captured from here.
   */
  begin(res: ServerResponse, startedAt: number): ProxyRequestContext {
    const ctx: ProxyRequestContext = { startedAt };
    if (this.settings.store_bodies) ctx.capture = new ResponseCapture(res, this.settings.stored_body_max_size);
    return ctx;
  }

  /** Whether ip_allow / ip_deny let this client address in. */
  allows(ip: string | undefined): boolean {
    return this.ipFilter.allows(ip);
  }

  /**
   * Decides whether a proxy request may go on: the key (config key, user key, or none when the route
   * and auth_mode allow it), the user key's state, allowed models and limits. Throws the error the
   * client gets (401 / 403 / 429).
   */
  authorize(ctx: ProxyRequestContext, route: ResolvedRoute, presented: string | undefined, needsKey: boolean, body: unknown): void {
    ctx.route = route;
    ctx.presented = presented;
    ctx.model = modelOf(route, body);
    ctx.principal = this.auth.identify(presented);
    const admission = this.auth.admit({ presented, needsKey, dialect: route.dialect, route: route.route, model: ctx.model }, Date.now(), ctx.principal);
    ctx.billable = admission.billable;
  }

  /** A proxy request was answered: its record goes to the log, stats, metrics and hooks, off the hot path. */
  finish(ctx: ProxyRequestContext, record: RequestRecord): void {
    if (ctx.done) return;
    ctx.done = true;
    record.requestedModel ??= ctx.model;
    const p = ctx.principal;
    if (p?.kind === 'user') {
      record.userKey = p.key.name;
      record.userKeyId = p.key.id;
      // Now, not later: the key's next request must see these tokens.
      if (ctx.billable && record.usage) this.limiter.addTokens(p.key.id, record.usage.inputTokens + record.usage.outputTokens, record.startedAt);
    }
    if (record.provider !== undefined && record.credentialIndex !== undefined) {
      const c = this.credentialLabels.get(record.provider)?.[record.credentialIndex];
      if (c) {
        record.credential = c.masked;
        record.credentialId = c.id;
      }
    }
    // A client key may ride in the query string (Gemini's ?key=): never into the log or the store.
    record.pathSent = redactUrl(record.pathSent);
    // Everything else on the next turn of the loop, for all the requests that finished in this one.
    if (this.finished.push({ record, ctx }) === 1) setImmediate(() => this.recordFinished());
  }

  private recordFinished(): void {
    const batch = this.finished;
    this.finished = [];
    for (const { record, ctx } of batch) {
      try {
        if (record.error !== undefined || ctx.capture) {
          const secrets = ctx.presented ? [...this.secrets, ctx.presented] : this.secrets;
          if (record.error !== undefined) record.error = scrubText(record.error, secrets);
          if (ctx.capture) {
            const max = this.settings.stored_body_max_size;
            record.requestBody = redactBody(ctx.body, secrets, max);
            record.responseBody = redactBody(ctx.capture.text(), secrets, max, ctx.capture.total);
          }
        }
        this.metrics.observe(record);
        const entry: LogEntry = { billable: ctx.billable === true, ...record };
        this.writer?.push(entry);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'request log: could not record a request');
      }
      try {
        this.hooks.onRequestFinished?.(record);
        for (const listener of this.recordListeners) listener(record);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'request hook failed');
      }
    }
  }

  // ---- /metrics and admin auth ----

  /** Checks the admin password; answers the refusal itself and returns false when it fails. */
  checkAdmin(req: FastifyRequest, reply: FastifyReply): boolean {
    // The Bearer password, or the browser console's session cookie (src/admin/admin-auth.ts).
    const verdict = this.adminGuard.checkRequest(req.headers, req.method, req.ip);
    if (verdict.ok) return true;
    void reply
      .code(verdict.status)
      .headers(verdict.retryAfterSeconds !== undefined ? { 'retry-after': String(verdict.retryAfterSeconds) } : {})
      .header('www-authenticate', 'Bearer realm="switchyard-admin"')
      .send({ error: { message: verdict.message, code: verdict.status === 429 ? 'too_many_attempts' : verdict.status === 403 ? 'forbidden' : 'unauthorized' } });
    return false;
  }

  private async serveMetrics(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const open = this.settings.metrics_auth === 'loopback' && isLoopbackAddress(req.ip);
    if (!open && !this.checkAdmin(req, reply)) return reply;
    return reply.type(this.metrics.contentType).send(await this.metrics.text());
  }
}
