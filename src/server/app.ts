import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { GatewayError, toGatewayError } from '../canonical/errors.js';
import type { Config } from '../config/schema.js';
import { codecs } from '../dialects/index.js';
import type { Provider } from '../providers/index.js';
import type { RelayDeps } from '../relay/handle-generation.js';
import { createUpstreamAgent } from '../relay/send-upstream.js';
import type { GatewayHooks } from '../observability/request-record.js';
import { requestId } from '../observability/request-id.js';
import { ControlPlane } from '../admin/control-plane.js';
import { RoutingTable, type ProviderPoolView, type RoutingConfig } from '../routing/routing-table.js';
import type { RequestTraits, RoutePlan } from '../routing/router.js';
import { registerConsole } from '../admin/console-routes.js';
import { clientSignals, guessDialect } from './paths/resolve-path.js';
import { createProxyHandler } from './proxy-handler.js';
import { bodyTooLarge } from './read-body.js';
import { errorHeaders, renderError } from './render-error.js';

export interface Gateway {
  app: FastifyInstance;
  config: Config;
  /** The providers requests are routed to now. */
  readonly providers: Provider[];
  /** Swaps providers and model mapping at run time (requests in flight finish on the old ones). */
  reconfigure(next: RoutingConfig): void;
  /** Every provider's credentials and their state, for the admin API. */
  poolState(): ProviderPoolView[];
  /** Resets a credential's cooldown, breaker and invalid/disabled marks (all when no arguments). */
  resetCredential(provider?: string, index?: number): number;
  /** Where a request for this model would go now (mapping, candidates in order); throws like a request would. */
  previewRoute(model: string, traits?: RequestTraits): RoutePlan;
  /** Store, admin API, request log, stats, metrics, user keys (src/admin/control-plane.ts). */
  readonly control: ControlPlane;
  /** Starts listening; resolves to the URL. */
  listen(): Promise<string>;
  /** Re-reads the upstreams' model lists (also done in the background at start and when stale). */
  refreshModels(): Promise<void>;
  /** Stops accepting, lets in-flight requests finish within the grace period, then closes. */
  close(): Promise<void>;
}

/** The paths Fastify serves: the console at / and /ui, the admin API under /api/, and /metrics. */
function ownedByFastify(url: string | undefined): boolean {
  if (!url) return true;
  const c = url.charCodeAt(1);
  // Only paths starting /a, /m, /u or exactly / can be Fastify's; everything else is a proxy path.
  if (c !== 97 && c !== 109 && c !== 117 && url.length > 1 && c !== 63) return false;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path === '/' || path === '/metrics' || path === '/ui' || path.startsWith('/ui/') || path === '/api' || path.startsWith('/api/');
}

export function createGateway(config: Config, log: Logger, hooks: GatewayHooks = {}): Gateway {
  const routing = new RoutingTable(config, log);
  const dispatcher = createUpstreamAgent({
    connectMs: config.timeouts.connect * 1000,
    firstByteMs: config.timeouts.first_byte * 1000,
    idleMs: config.timeouts.idle * 1000,
  });
  const r = config.routing;
  const relayDeps: RelayDeps = {
    routing,
    codecs,
    dispatcher,
    keepaliveMs: config.keepalive_seconds * 1000,
    retry: {
      maxAttempts: r.max_attempts,
      deadlineMs: r.deadline_seconds * 1000,
      firstByteMs: config.timeouts.first_byte * 1000,
      backoffBaseMs: r.backoff_base_ms,
      backoffCapMs: r.backoff_cap_ms,
      cooldownBaseMs: r.cooldown_base_seconds * 1000,
      cooldownCapMs: r.cooldown_cap_seconds * 1000,
      circuitFailures: r.circuit_failures,
      circuitOpenMs: r.circuit_open_seconds * 1000,
    },
  };
  const control = new ControlPlane(config, log, hooks, () => gateway);
  const proxy = createProxyHandler({ config, log, control, routing, relay: relayDeps });

  const app = Fastify({
    // The proxy paths go straight to the proxy handler; the paths Fastify owns (admin API, /metrics,
    // console) to Fastify. See src/server/proxy-handler.ts for why.
    serverFactory: (fastifyHandler) => {
      const server = createServer((req, res) => (ownedByFastify(req.url) ? fastifyHandler(req, res) : proxy(req, res)));
      server.keepAliveTimeout = 72_000; // Fastify's own defaults, which it applies to servers it makes
      server.requestTimeout = 0;
      server.setTimeout(0);
      return server;
    },
    loggerInstance: log as FastifyBaseLogger,
    // One line per request is written by us, with model and provider; Fastify's own pair is noise.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.max_body_size,
    exposeHeadRoutes: false,
    genReqId: () => requestId(),
    requestIdHeader: false,
    return503OnClosing: false,
    forceCloseConnections: false,
    routerOptions: { ignoreDuplicateSlashes: false, ignoreTrailingSlash: false },
  });

  // Bodies arrive as raw bytes whatever the content type: the same-dialect relay forwards them
  // untouched, and JSON is parsed by us so a syntax error can say where it broke.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  function sendError(req: FastifyRequest, reply: FastifyReply, dialect: ReturnType<typeof guessDialect>, err: GatewayError) {
    const rendered = renderError(dialect, err);
    if (err.status >= 500) req.log.warn({ status: err.status, kind: err.kind }, err.message);
    return reply
      .code(rendered.status)
      .headers(Object.assign(errorHeaders(err), { 'x-request-id': String(req.id) }))
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(rendered.body));
  }

  // Errors raised before our handler runs (body too large, broken content-length, …).
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, req, reply) => {
    const dialect = guessDialect(req.url, clientSignals(req.headers));
    let gerr: GatewayError;
    if (error instanceof GatewayError) gerr = error;
    else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
      gerr = bodyTooLarge(config.max_body_size);
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      gerr = new GatewayError('invalid_request', `The request could not be read: ${error.message}`, { status: error.statusCode });
    } else gerr = toGatewayError(error);
    return sendError(req, reply, dialect, gerr);
  });

  // The admin API (/api/…) and /metrics, the browser console at / and /ui/… (src/admin/console-routes.ts).
  control.register(app);
  registerConsole(app, control, () => gateway);
  // A request that reached Fastify but none of its routes (e.g. an API client at /, /api/v1/…) gets
  // what every proxy path gets: resolution, or the 404 that says what to change.
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '*',
    handler: (req, reply) => {
      reply.hijack();
      proxy(req.raw, reply.raw, (req.body as Buffer | undefined) ?? Buffer.alloc(0));
    },
  });

  // Codex tries a WebSocket on GET /v1/responses first; refuse at once (non-101) so it falls back
  // to POST instead of waiting. Any other upgrade gets the same answer.
  app.server.on('upgrade', (req, socket: Socket) => {
    const body = JSON.stringify({
      error: {
        message: 'Switchyard does not serve WebSockets; send the request as HTTP POST (Codex falls back to POST /v1/responses by itself).',
        type: 'invalid_request_error',
        code: 'websocket_not_supported',
      },
    });
    socket.end(
      `HTTP/1.1 426 Upgrade Required\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    log.debug({ url: req.url }, 'refused a WebSocket upgrade');
  });

  let closing: Promise<void> | undefined;
  const gateway: Gateway = {
    app,
    config,
    control,
    get providers() {
      return routing.providers;
    },
    reconfigure(next) {
      routing.update(next);
      void routing.catalog.refresh();
    },
    poolState: () => routing.poolState(),
    resetCredential: (provider, index) => routing.reset(provider, index),
    previewRoute: (model, traits) => routing.router.plan(model, traits),
    refreshModels: () => routing.catalog.refresh(),
    async listen() {
      await app.listen({ host: config.host, port: config.port });
      void routing.catalog.refresh();
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    },
    close() {
      closing ??= (async () => {
        const grace = config.shutdown_grace_seconds * 1000;
        const timer = setTimeout(() => app.server.closeAllConnections(), grace);
        timer.unref();
        // Keep-alive connections go idle as their last response ends; close them as they do, so
        // shutdown waits for work in flight and not for idle sockets.
        const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
        sweep.unref();
        await app.close();
        clearTimeout(timer);
        clearInterval(sweep);
        await dispatcher.close().catch(() => undefined);
      })();
      return closing;
    },
  };
  return gateway;
}
