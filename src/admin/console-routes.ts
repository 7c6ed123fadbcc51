import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { GatewayError } from '../canonical/errors.js';
import { configSchema } from '../config/schema.js';
import type { RequestRecord } from '../observability/request-record.js';
import type { Gateway } from '../server/app.js';
import { isError } from '../store/sqlite-store.js';
import { VERSION } from '../version.js';
import { CONSOLE_HEADER, SESSION_COOKIE, SESSION_MAX_MS, sameOrigin, sessionCookies } from './admin-auth.js';
import type { RequestEvent } from '../observability/request-record.js';
import { isLoopbackAddress, type ControlPlane } from './control-plane.js';
import { AdminError, type AdminRoute } from './routes.js';
import { FALLBACKS_KEY, SERVER_SETTING_KEYS, loadConsoleOverrides, saveServerSettings, serverSettingsView, startConsoleSettings } from './console-settings.js';

// What the browser console (web/, built into web/dist) needs beyond the admin API:
//
//   - the console itself: GET / for browsers (Accept: text/html; API clients keep the root 404 advice),
//     GET /ui and /ui/… (built assets, and index.html for the app's own paths);
//   - POST /api/login, POST /api/logout, GET /api/session: the admin password once, then an HttpOnly,
//     SameSite=Strict session cookie that the admin API accepts like the Bearer password
//     (src/admin/admin-auth.ts; cookie-authenticated changes also need the console's header);
//   - GET /api/events: server-sent events — finished requests (batched, at most one event a second) and
//     credential pool changes (checked every 2 s while someone listens);
//   - JSON routes in the admin API's table (consoleApiRoutes, so they are in /api/openapi.json too):
//     where a model name would route, a per-minute series for the dashboard, fallbacks, and the server
//     settings that apply at the next start.

const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));
const MINUTE = 60_000;
const KEEP_MINUTES = 180;
const EVENT_FLUSH_MS = 1000;
const POOL_CHECK_MS = 2000;
const PING_MS = 15_000;
const MAX_EVENT_CLIENTS = 50;
const MAX_BATCH = 50;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const HTML_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

interface MinuteBucket {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
}

interface EventClient {
  reply: FastifyReply;
  /** The session tokens that opened it (the stream ends with the session); empty for Bearer. */
  sessions: string[];
}

/** The console's state beside one control plane. */
class ConsoleState {
  gateway?: () => Gateway;
  readonly clients = new Set<EventClient>();
  private pending: RequestEvent[] = [];
  private pendingCount = 0;
  private flushTimer?: NodeJS.Timeout;
  private poolTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private poolDigest = '';
  private readonly minutes = new Map<number, MinuteBucket>();
  private seeded?: Promise<void>;
  private readonly bootedAt = Date.now();

  constructor(readonly cp: ControlPlane) {
    cp.recordListeners.add((r) => this.onRecord(r));
  }

  // ---- minute series ----

  private add(ts: number, error: boolean, input: number, output: number): void {
    const t = Math.floor(ts / MINUTE) * MINUTE;
    let b = this.minutes.get(t);
    if (!b) {
      b = { requests: 0, errors: 0, input_tokens: 0, output_tokens: 0 };
      this.minutes.set(t, b);
      const oldest = t - KEEP_MINUTES * MINUTE;
      for (const k of this.minutes.keys()) if (k < oldest) this.minutes.delete(k);
    }
    b.requests++;
    if (error) b.errors++;
    b.input_tokens += input;
    b.output_tokens += output;
  }

  /** Requests of earlier runs, from the log (once); this run's are counted as they finish. */
  private seed(): Promise<void> {
    this.seeded ??= (async () => {
      const from = this.bootedAt - KEEP_MINUTES * MINUTE;
      for (let offset = 0; offset < 50_000; offset += 1000) {
        const page = await this.cp.store.queryRequests({ from, to: this.bootedAt, limit: 1000, offset });
        for (const r of page.items) this.add(r.startedAt, isError(r), r.usage?.inputTokens ?? 0, r.usage?.outputTokens ?? 0);
        if (page.items.length < 1000) break;
      }
    })().catch((err: unknown) => {
      this.cp.log.warn({ err: (err as Error).message }, 'console: could not read the recent request log');
    });
    return this.seeded;
  }

  async minuteSeries(count: number, now = Date.now()): Promise<Array<MinuteBucket & { t: number }>> {
    await this.seed();
    const last = Math.floor(now / MINUTE) * MINUTE;
    const out: Array<MinuteBucket & { t: number }> = [];
    for (let t = last - (count - 1) * MINUTE; t <= last; t += MINUTE) {
      out.push({ t, ...(this.minutes.get(t) ?? { requests: 0, errors: 0, input_tokens: 0, output_tokens: 0 }) });
    }
    return out;
  }

  // ---- live events ----

  private onRecord(r: RequestRecord): void {
    this.add(r.startedAt, isError(r), r.usage?.inputTokens ?? 0, r.usage?.outputTokens ?? 0);
    if (this.clients.size === 0) return;
    this.pendingCount++;
    this.pending.push({
      id: r.id,
      ts: r.startedAt,
      route: r.route,
      dialect: r.clientDialect,
      status: r.status,
      model: r.requestedModel ?? null,
      resolved_model: r.resolvedModel ?? null,
      provider: r.provider ?? null,
      user_key: r.userKey ?? null,
      error: r.error === undefined ? null : r.error.slice(0, 300),
      input_tokens: r.usage?.inputTokens ?? null,
      output_tokens: r.usage?.outputTokens ?? null,
      latency_ms: r.latencyMs,
    });
    if (this.pending.length > MAX_BATCH) this.pending.shift();
    this.flushTimer ??= setTimeout(() => this.flush(), EVENT_FLUSH_MS).unref();
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    const batch = { count: this.pendingCount, items: this.pending };
    this.pending = [];
    this.pendingCount = 0;
    this.broadcast('requests', batch);
  }

  private poolState(): unknown {
    try {
      return this.gateway?.().poolState() ?? [];
    } catch {
      return [];
    }
  }

  /** The pool's states, without the counters that move with every request. */
  private checkPool(): void {
    const pool = this.poolState() as Array<{ name: string; credentials: Array<Record<string, unknown>> }>;
    const digest = JSON.stringify(
      pool.map((p) => [p.name, p.credentials.map((c) => [c.index, c.key, c.status, c.until, c.reason, c.modelCooldowns])]),
    );
    if (digest === this.poolDigest) return;
    this.poolDigest = digest;
    this.broadcast('pool', { now: Date.now(), providers: pool });
  }

  private broadcast(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    const sessions = this.cp.adminGuard.sessions;
    for (const c of this.clients) {
      if (c.sessions.length > 0 && !c.sessions.some((t) => sessions.expiresAt(t) !== undefined)) {
        this.drop(c);
        continue;
      }
      c.reply.raw.write(frame);
    }
  }

  open(req: FastifyRequest, reply: FastifyReply): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    const client: EventClient = { reply, sessions: req.headers.authorization === undefined ? sessionCookies(req.headers.cookie) : [] };
    this.clients.add(client);
    res.write(`retry: 3000\n\nevent: hello\ndata: ${JSON.stringify({ now: Date.now() })}\n\n`);
    // The current pool, so a new listener starts from it.
    res.write(`event: pool\ndata: ${JSON.stringify({ now: Date.now(), providers: this.poolState() })}\n\n`);
    res.on('close', () => this.drop(client));
    this.poolTimer ??= setInterval(() => this.checkPool(), POOL_CHECK_MS).unref();
    this.pingTimer ??= setInterval(() => {
      for (const c of this.clients) c.reply.raw.write(': ping\n\n');
    }, PING_MS).unref();
  }

  drop(c: EventClient): void {
    if (!this.clients.delete(c)) return;
    if (!c.reply.raw.writableEnded) c.reply.raw.end();
    if (this.clients.size === 0) {
      clearInterval(this.poolTimer);
      clearInterval(this.pingTimer);
      this.poolTimer = this.pingTimer = undefined;
      this.poolDigest = '';
    }
  }

  /** Ends the streams of a session that logged out. */
  endSession(token: string): void {
    for (const c of this.clients) if (c.sessions.includes(token)) this.drop(c);
  }

  closeAll(): void {
    for (const c of [...this.clients]) this.drop(c);
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }
}

const states = new WeakMap<ControlPlane, ConsoleState>();
function stateOf(cp: ControlPlane): ConsoleState {
  let s = states.get(cp);
  if (!s) {
    s = new ConsoleState(cp);
    states.set(cp, s);
  }
  return s;
}

function gatewayOf(cp: ControlPlane): Gateway {
  const g = stateOf(cp).gateway;
  if (!g) throw new AdminError(503, 'The gateway is not ready yet.');
  return g();
}

function listeningPort(cp: ControlPlane): number {
  const addr = stateOf(cp).gateway?.().app.server.address();
  return typeof addr === 'object' && addr ? addr.port : cp.config.port;
}

// ---- JSON routes in the admin API's table ----

const routeQuery = z
  .object({
    model: z.string().min(1, 'name a model'),
    tools: z.enum(['1', '0', 'true', 'false']).optional(),
  })
  .strict();

const minutesQuery = z.object({ minutes: z.coerce.number().int().min(1).max(KEEP_MINUTES).default(60) }).strict();

const fallbacksBody = z.object({ fallbacks: z.record(z.string(), z.array(z.string())) }).strict();

const serverSettingsBody = z
  .object({
    auth_mode: z.string().nullable(),
    allow_lan_access: z.boolean().nullable(),
    max_body_size: z.union([z.string(), z.number()]).nullable(),
  })
  .partial()
  .strict();

/** The console's JSON routes, registered with the admin API's (same password, same error shape, in the OpenAPI document). */
export function consoleApiRoutes(cp: ControlPlane): AdminRoute[] {
  const state = stateOf(cp);
  return [
    {
      method: 'GET',
      url: '/api/route',
      tag: 'routing',
      summary:
        'Where a request for this model would go now: the mapping rule that applies, the model sent upstream, and the candidates in order (providers by priority, then fallbacks). `tools=1` = the request offers tools (background routing skips those).',
      query: routeQuery,
      handler: ({ query }) => {
        const q = query as z.output<typeof routeQuery>;
        const hasTools = q.tools === '1' || q.tools === 'true';
        try {
          const plan = gatewayOf(cp).previewRoute(q.model, { hasTools });
          return {
            model: q.model,
            routable: true,
            resolved_model: plan.model,
            mapping_rule: plan.mappingRule ?? null,
            background: plan.background,
            candidates: plan.candidates
              .map((c, order) => ({
                order,
                provider: c.provider.name,
                type: c.provider.type,
                model: c.model,
                fallback_for: c.fallbackFor ?? null,
                priority: c.provider.config.priority ?? null,
                weight: c.provider.config.weight,
                credentials: c.provider.pool.credentials.length,
                usable_credentials: c.provider.pool.credentials.filter((k) => k.usable(c.model)).length,
              }))
              // Providers of equal priority share requests by weight (a random order each time): show them stably.
              .sort((a, b) => (a.fallback_for === null ? 0 : 1) - (b.fallback_for === null ? 0 : 1) || a.order - b.order),
          };
        } catch (err) {
          if (!(err instanceof GatewayError)) throw err;
          return { model: q.model, routable: false, status: err.status, error: err.message };
        }
      },
    },
    {
      method: 'GET',
      url: '/api/stats/minutes',
      tag: 'stats',
      summary: 'Requests, errors and tokens per minute over the last `minutes` (default 60, at most 180), oldest first.',
      query: minutesQuery,
      handler: async ({ query }) => ({ minutes: await state.minuteSeries((query as z.output<typeof minutesQuery>).minutes) }),
    },
    {
      method: 'GET',
      url: '/api/fallbacks',
      tag: 'routing',
      summary: 'The fallbacks: per model, the models to try in order when it cannot be served now.',
      handler: async () => ({ fallbacks: cp.config.fallbacks, origin: (await loadConsoleOverrides(cp.store)).fallbacks ? 'admin' : 'config' }),
    },
    {
      method: 'PUT',
      url: '/api/fallbacks',
      tag: 'routing',
      summary: 'Replace the fallbacks (validated like `fallbacks` in the config file); they apply at once and persist.',
      body: fallbacksBody,
      handler: async ({ body }) => {
        const r = configSchema.safeParse({ fallbacks: (body as z.output<typeof fallbacksBody>).fallbacks });
        if (!r.success) throw new AdminError(400, `Invalid fallbacks: ${r.error.issues.map((i) => `${i.path.slice(1).join('.')}: ${i.message}`).join('; ')}`);
        await cp.store.putSettings({ [FALLBACKS_KEY]: r.data.fallbacks });
        cp.config.fallbacks = r.data.fallbacks;
        await cp.applyRouting();
        return { fallbacks: cp.config.fallbacks, origin: 'admin' };
      },
    },
    {
      method: 'GET',
      url: '/api/settings/server',
      tag: 'settings',
      summary: `Settings that apply at the next start (${SERVER_SETTING_KEYS.join(', ')}): what runs now and what is saved for the next start.`,
      handler: async () => serverSettingsView(cp, listeningPort(cp)),
    },
    {
      method: 'PATCH',
      url: '/api/settings/server',
      tag: 'settings',
      summary: 'Save settings for the next start (null = back to the config file). They override the config file until it changes them.',
      body: serverSettingsBody,
      handler: async ({ body }) => {
        await saveServerSettings(cp, body as Record<string, unknown>);
        return serverSettingsView(cp, listeningPort(cp));
      },
    },
  ];
}

// ---- the console's own routes: static files, login, session, events ----

interface StaticFile {
  body: Buffer;
  type: string;
  immutable: boolean;
}

function readDist(root: string): Map<string, StaticFile> | undefined {
  if (!existsSync(join(root, 'index.html'))) return undefined;
  const files = new Map<string, StaticFile>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const rel = relative(root, full).split(sep).join('/');
        files.set(rel, {
          body: readFileSync(full),
          type: CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
          immutable: rel.startsWith('assets/'),
        });
      }
    }
  };
  walk(root);
  return files;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Switchyard</title>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto;padding:0 1rem">
<h1>Switchyard</h1><p>The admin console has not been built. Run <code>npm run build</code> (it builds the server and the console), then reload.</p>
<p>The gateway itself works without it; the admin API is under <code>/api/</code>.</p></body>`;

function wantsHtml(req: FastifyRequest): boolean {
  const a = req.headers.accept;
  return typeof a === 'string' && /\btext\/html\b/i.test(a);
}

function passwordHint(cp: ControlPlane, loopback: boolean): string {
  switch (cp.config.admin_password_source) {
    case 'config':
      return 'The admin password is admin_password in the config file.';
    case 'env':
      return 'The admin password is the SWITCHYARD_ADMIN_PASSWORD (or WEB_PASSWORD) environment variable.';
    case 'api_key':
      return "The admin password is the gateway's API key (api_key in the config file or SWITCHYARD_API_KEY).";
    default:
      return loopback
        ? `The admin password is the key Switchyard generated at its first start: it is printed in the terminal where Switchyard started, and saved in ${join(cp.config.data_dir, 'api_key')}. Set admin_password to choose your own.`
        : 'The admin password is the key Switchyard generated at its first start: it is printed in the terminal where Switchyard started, and saved as api_key in its data directory.';
  }
}

function baseUrls(req: FastifyRequest, cp: ControlPlane) {
  const origin = `http://${req.headers.host ?? `${cp.config.host}:${cp.config.port}`}`;
  return { openai: `${origin}/v1`, anthropic: origin, gemini: origin };
}

/** The session cookie's name: per port, since cookies are shared by every port of a host. */
function cookieName(req: FastifyRequest): string {
  const m = /:(\d+)$/.exec(req.headers.host ?? '');
  return m ? `${SESSION_COOKIE}_${m[1]}` : SESSION_COOKIE;
}

export function registerConsole(app: FastifyInstance, cp: ControlPlane, gateway: () => Gateway): void {
  const state = stateOf(cp);
  state.gateway = gateway;
  let dist: Map<string, StaticFile> | undefined | null = null;
  const files = () => (dist === null ? (dist = readDist(WEB_DIST)) : dist);

  startConsoleSettings(app, cp);
  app.addHook('preClose', (done) => {
    state.closeAll();
    done();
  });

  // Only browsers asking for a page get the console at /; API clients keep the root path's 404 advice.
  app.addConstraintStrategy({
    name: 'consolePage',
    storage() {
      const handlers = new Map<string, unknown>();
      return {
        get: (k: string) => (handlers.get(k) ?? null) as never,
        set: (k: string, v: unknown) => void handlers.set(k, v),
      };
    },
    deriveConstraint: (req: { headers: Record<string, string | string[] | undefined> }) =>
      typeof req.headers.accept === 'string' && /\btext\/html\b/i.test(req.headers.accept) ? 'html' : 'other',
    mustMatchWhenDerived: false,
  });

  const serve = (reply: FastifyReply, path: string, fallbackToIndex: boolean) => {
    const all = files();
    if (!all) return reply.code(fallbackToIndex ? 200 : 404).headers(HTML_HEADERS).type('text/html; charset=utf-8').send(NOT_BUILT);
    let f = all.get(path);
    if (!f && fallbackToIndex) f = all.get('index.html');
    if (!f) return reply.code(404).header('cache-control', 'no-store').send({ error: { message: `No console file /ui/${path}.`, code: 'not_found' } });
    if (f.type.startsWith('text/html')) reply.headers(HTML_HEADERS);
    else reply.headers({ 'x-content-type-options': 'nosniff', 'cache-control': f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache' });
    return reply.type(f.type).send(f.body);
  };

  app.route({ method: 'GET', url: '/', constraints: { consolePage: 'html' }, handler: (_req, reply) => serve(reply, 'index.html', true) });
  app.get('/ui', (_req, reply) => serve(reply, 'index.html', true));
  app.get('/ui/*', (req, reply) => {
    const rest = (req.params as { '*': string })['*'];
    let path: string;
    try {
      path = decodeURIComponent(rest);
    } catch {
      path = rest;
    }
    return serve(reply, path === '' ? 'index.html' : path, wantsHtml(req));
  });

  // ---- login, logout, session ----

  app.post('/api/login', (req, reply) => {
    reply.header('cache-control', 'no-store');
    if (!sameOrigin(req.headers)) {
      return reply.code(403).send({ error: { message: 'Log in from the console itself (same origin).', code: 'forbidden' } });
    }
    let password: unknown;
    try {
      const raw = req.body;
      const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : '';
      password = (JSON.parse(text || '{}') as { password?: unknown }).password;
    } catch {
      password = undefined;
    }
    if (typeof password !== 'string' || password === '') {
      return reply.code(400).send({ error: { message: 'Send {"password": "<admin password>"}.', code: 'invalid_request' } });
    }
    const verdict = cp.adminGuard.login(password, req.ip);
    if (!verdict.ok) {
      if (verdict.retryAfterSeconds !== undefined) reply.header('retry-after', String(verdict.retryAfterSeconds));
      const message = verdict.status === 401 ? 'That is not the admin password.' : verdict.message;
      return reply.code(verdict.status).send({ error: { message, code: verdict.status === 429 ? 'too_many_attempts' : 'unauthorized' } });
    }
    const s = cp.adminGuard.sessions.create();
    reply.header('set-cookie', `${cookieName(req)}=${s.token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(SESSION_MAX_MS / 1000)}`);
    return reply.send({ authenticated: true, expires_at: new Date(s.expiresAt).toISOString() });
  });

  app.post('/api/logout', (req, reply) => {
    reply.header('cache-control', 'no-store');
    if (!sameOrigin(req.headers)) return reply.code(403).send({ error: { message: 'Log out from the console itself (same origin).', code: 'forbidden' } });
    for (const t of sessionCookies(req.headers.cookie)) {
      cp.adminGuard.sessions.end(t);
      state.endSession(t);
    }
    reply.header('set-cookie', `${cookieName(req)}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return reply.send({ authenticated: false });
  });

  app.get('/api/session', (req, reply) => {
    reply.header('cache-control', 'no-store');
    const loopback = isLoopbackAddress(req.ip);
    const tokens = sessionCookies(req.headers.cookie);
    const live = req.headers.authorization === undefined ? tokens.find((t) => cp.adminGuard.sessions.expiresAt(t) !== undefined) : undefined;
    const bearer = req.headers.authorization !== undefined && cp.adminGuard.check(req.headers.authorization, req.ip).ok;
    if (!live && !bearer) return reply.send({ authenticated: false, version: VERSION, password_hint: passwordHint(cp, loopback) });
    if (live) cp.adminGuard.sessions.valid(live);
    return reply.send({
      authenticated: true,
      version: VERSION,
      via: live ? 'session' : 'bearer',
      expires_at: live ? new Date(cp.adminGuard.sessions.expiresAt(live) ?? Date.now()).toISOString() : null,
      auth_mode: cp.config.effective_auth_mode,
      host: cp.config.host,
      base_urls: baseUrls(req, cp),
      console_header: CONSOLE_HEADER,
    });
  });

  // ---- live events ----

  app.get('/api/events', (req, reply) => {
    if (!cp.checkAdmin(req, reply)) return reply;
    if (state.clients.size >= MAX_EVENT_CLIENTS) {
      return reply.code(503).header('retry-after', '10').send({ error: { message: 'Too many consoles are listening to live events.', code: 'overloaded' } });
    }
    state.open(req, reply);
    return reply;
  });
}
