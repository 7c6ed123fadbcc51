import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { GatewayError, invalidRequest, toGatewayError } from '../canonical/errors.js';
import type { Config } from '../config/schema.js';
import { formatByteSize } from '../config/byte-size.js';
import { codecs } from '../dialects/index.js';
import type { Provider } from '../providers/index.js';
import { handleCountTokens } from '../relay/handle-count-tokens.js';
import { handleGeneration, type GenerationOutcome, type RelayDeps } from '../relay/handle-generation.js';
import { createUpstreamAgent } from '../relay/send-upstream.js';
import type { GatewayHooks, RequestRecord } from '../observability/request-record.js';
import { ControlPlane } from '../admin/control-plane.js';
import { RoutingTable, type ProviderPoolView, type RoutingConfig } from '../routing/routing-table.js';
import type { RequestTraits, RoutePlan } from '../routing/router.js';
import { registerConsole } from '../admin/console-routes.js';
import { JsonSyntaxError, parseJson } from '../util/parse-json.js';
import { VERSION } from '../version.js';
import { extractClientKey, routeNeedsKey } from './auth.js';
import { getModel, listModels } from './handlers/models.js';
import { notFoundBody } from './not-found.js';
import { clientSignals, guessDialect, resolvePath, type BodyShape, type ResolvedRoute } from './paths/resolve-path.js';
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

const REWRITE_HEADER = 'x-switchyard-path-rewrite';

function bodyShape(body: unknown): BodyShape | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  return { messages: 'messages' in b, input: 'input' in b, contents: 'contents' in b };
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
      backoffBaseMs: r.backoff_base_ms,
      backoffCapMs: r.backoff_cap_ms,
      cooldownBaseMs: r.cooldown_base_seconds * 1000,
      cooldownCapMs: r.cooldown_cap_seconds * 1000,
      circuitFailures: r.circuit_failures,
      circuitOpenMs: r.circuit_open_seconds * 1000,
    },
  };
  const control = new ControlPlane(config, log, hooks, () => gateway);
  const rewritesLogged = new Set<string>();

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // One line per request is written by us, with model and provider; Fastify's own pair is noise.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.max_body_size,
    exposeHeadRoutes: false,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    return503OnClosing: false,
    forceCloseConnections: false,
    routerOptions: { ignoreDuplicateSlashes: false, ignoreTrailingSlash: false },
  });

  // Bodies arrive as raw bytes whatever the content type: the same-dialect relay forwards them
  // untouched, and JSON is parsed by us so a syntax error can say where it broke.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const origin = (req: FastifyRequest) => `http://${req.headers.host ?? `${config.host}:${config.port}`}`;

  function sendError(req: FastifyRequest, reply: FastifyReply, dialect: ReturnType<typeof guessDialect>, err: GatewayError) {
    const rendered = renderError(dialect, err);
    if (err.status >= 500) req.log.warn({ status: err.status, kind: err.kind }, err.message);
    return reply
      .code(rendered.status)
      .headers({ ...errorHeaders(err), 'x-request-id': String(req.id) })
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(rendered.body));
  }

  // Errors raised before our handler runs (body too large, broken content-length, …).
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, req, reply) => {
    const dialect = guessDialect(req.url, clientSignals(req.headers));
    let gerr: GatewayError;
    if (error instanceof GatewayError) gerr = error;
    else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
      gerr = new GatewayError(
        'request_too_large',
        `The request body is larger than Switchyard's limit of ${formatByteSize(config.max_body_size)}. Raise max_body_size (or SWITCHYARD_MAX_BODY_SIZE) if this is intended.`,
      );
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      gerr = new GatewayError('invalid_request', `The request could not be read: ${error.message}`, { status: error.statusCode });
    } else gerr = toGatewayError(error);
    return sendError(req, reply, dialect, gerr);
  });

  async function handle(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const url = req.raw.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const signals = clientSignals(req.headers);

    let body: unknown;
    const raw = req.body as Buffer | undefined;
    if (raw && raw.length > 0 && req.method === 'POST') {
      try {
        body = parseJson(raw.toString('utf8'));
      } catch (err) {
        const dialect = guessDialect(path, signals);
        const where = err instanceof JsonSyntaxError ? err.message : 'not valid JSON';
        return sendError(req, reply, dialect, invalidRequest(`The request body is not valid JSON: ${where}.`));
      }
    }

    const resolution = resolvePath({ method: req.method, path, signals, body: bodyShape(body), origin: origin(req) });
    if (resolution.kind === 'not_found') {
      const rendered = notFoundBody(req.method, url, resolution, origin(req));
      return reply.code(404).header('x-request-id', String(req.id)).type('application/json; charset=utf-8').send(JSON.stringify(rendered));
    }
    if (resolution.kind !== 'route') {
      const err = new GatewayError('invalid_request', `${req.method} ${path}: ${resolution.reason}.`, {
        status: 405,
        headers: { allow: (resolution.allow ?? []).join(', ') },
      });
      return sendError(req, reply, resolution.dialect, err);
    }

    const route = resolution;
    const responseHeaders: Record<string, string> = { 'x-request-id': String(req.id) };
    if (route.rewritten) {
      responseHeaders[REWRITE_HEADER] = `${path} -> ${route.path}`;
      // Bounded, so a client inventing endless path variants cannot grow memory.
      if (!rewritesLogged.has(path) && rewritesLogged.size < 1000) {
        rewritesLogged.add(path);
        req.log.warn({ received: path, served_as: route.path }, `path rewritten: ${route.fix}`);
      }
    }
    reply.headers(responseHeaders);

    try {
      // The key (config key, user key or none, as auth_mode allows), a user key's models and limits.
      control.authorize(req, route, extractClientKey(req.headers, query), routeNeedsKey(config.effective_auth_mode, route.route), body);
      return await dispatch(req, reply, route, body, raw, query, responseHeaders);
    } catch (err) {
      const gerr = toGatewayError(err);
      if (gerr.kind === 'internal') req.log.error({ err }, 'unexpected error');
      if (reply.raw.headersSent) {
        reply.raw.end();
        return reply;
      }
      return sendError(req, reply, route.dialect, gerr);
    }
  }

  async function dispatch(
    req: FastifyRequest,
    reply: FastifyReply,
    route: ResolvedRoute,
    body: unknown,
    raw: Buffer | undefined,
    query: URLSearchParams,
    responseHeaders: Record<string, string>,
  ): Promise<unknown> {
    switch (route.route) {
      case 'health':
        return reply.send({ status: 'ok', version: VERSION });
      case 'hello':
        return reply.code(200).send(req.method === 'HEAD' ? undefined : { status: 'ok' });
      case 'event_logging':
        return reply.code(200).send({});
      case 'models.list':
        return reply.send(listModels(routing.catalog, route.dialect));
      case 'models.get':
        return reply.send(getModel(routing.catalog, route.dialect, route.model ?? ''));
      default:
        break;
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw invalidRequest('The request body must be a JSON object.');
    }
    const dialect = route.dialect === 'none' ? 'openai-chat' : route.dialect;
    const abort = new AbortController();
    // A client that disconnects aborts its upstream request.
    const onClose = () => {
      if (!reply.raw.writableFinished) abort.abort();
    };
    reply.raw.on('close', onClose);
    const outcome: GenerationOutcome = {};
    const started = Date.now();
    let failure: string | undefined;
    const genReq = {
      clientDialect: dialect,
      pathModel: route.model,
      // Only Gemini decides streaming in the path; for the others `false` here would override the
      // body's `stream` in their decoders (and drop e.g. chat's stream_options.include_usage).
      pathStream: dialect === 'gemini' ? route.route === 'gemini.stream' : undefined,
      body: body as Record<string, unknown>,
      rawBody: raw as Buffer,
      query,
      headers: req.headers,
      raw: reply.raw,
      signal: abort.signal,
      responseHeaders,
      log: req.log,
    };
    reply.hijack();
    control.hijacked(req);
    try {
      if (route.route === 'anthropic.count_tokens' || route.route === 'gemini.count_tokens') {
        await handleCountTokens(genReq, relayDeps, outcome);
      } else {
        await handleGeneration(genReq, relayDeps, outcome);
      }
      req.log.info({ ...outcome, path: route.path, ms: Date.now() - started, status: reply.raw.statusCode }, 'request');
    } catch (err) {
      const gerr = toGatewayError(err);
      if (gerr.kind === 'internal') req.log.error({ err }, 'unexpected error');
      failure = gerr.message;
      req.log.info({ ...outcome, path: route.path, ms: Date.now() - started, status: gerr.status, error: gerr.message }, 'request failed');
      if (!reply.raw.headersSent) {
        const rendered = renderError(dialect, gerr);
        reply.raw.writeHead(rendered.status, {
          ...responseHeaders,
          ...errorHeaders(gerr),
          'content-type': 'application/json; charset=utf-8',
        });
        reply.raw.end(JSON.stringify(rendered.body));
      } else if (!reply.raw.writableEnded) reply.raw.end();
    } finally {
      reply.raw.off('close', onClose);
      const record: RequestRecord = {
        id: String(req.id),
        startedAt: started,
        method: req.method,
        clientDialect: dialect,
        route: route.route,
        pathSent: req.url,
        pathResolved: route.path,
        requestedModel: outcome.model,
        resolvedModel: outcome.upstreamModel,
        provider: outcome.provider,
        credentialIndex: outcome.keyIndex,
        translated: outcome.translated,
        stream: outcome.stream,
        status: reply.raw.statusCode,
        error: failure ?? outcome.error,
        attempts: outcome.attempts,
        attemptLog: outcome.attemptLog,
        latencyMs: Date.now() - started,
        ttfbMs: outcome.ttfbMs,
        usage: outcome.usage,
        clientAddress: req.ip,
        userAgent: req.headers['user-agent'],
      };
      // Log, stats, metrics and GatewayHooks.onRequestFinished, off the hot path.
      control.finish(req, record);
    }
    return reply;
  }

  // The admin API (/api/…), /metrics and the request hooks, before the catch-all.
  control.register(app);
  registerConsole(app, control, () => gateway); // the browser console at / and /ui/…, and its API (src/admin/console-routes.ts)
  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], url: '*', handler: handle });

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
