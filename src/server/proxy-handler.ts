import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { GatewayError, invalidRequest, toGatewayError } from '../canonical/errors.js';
import type { Config } from '../config/schema.js';
import type { ControlPlane, ProxyRequestContext } from '../admin/control-plane.js';
import { requestId } from '../observability/request-id.js';
import type { RequestRecord } from '../observability/request-record.js';
import { logRequestLine, type LineValue } from '../observability/request-line.js';
import { ClientAbort } from '../relay/client-abort.js';
import { handleCountTokens } from '../relay/handle-count-tokens.js';
import { handleGeneration, type GenerationOutcome, type RelayDeps } from '../relay/handle-generation.js';
import type { RoutingTable } from '../routing/routing-table.js';
import { JsonSyntaxError, parseJson } from '../util/parse-json.js';
import { RequestLog } from '../util/log.js';
import { VERSION } from '../version.js';
import { extractClientKey, routeNeedsKey } from './auth.js';
import { getModel, listModels } from './handlers/models.js';
import { notFoundBody } from './not-found.js';
import { clientSignals, guessDialect, resolvePath, type BodyShape, type ClientDialect, type ResolvedRoute } from './paths/resolve-path.js';
import { forgedBrowserPost } from './cross-site.js';
import { bodyTooLarge, readBody } from './read-body.js';
import { errorHeaders, renderError } from './render-error.js';

// Every client request of the AI dialects (and health, and every path no other route owns) is
// served here, on node:http's request and response objects. Performance (bench/README.md, scenario
// 1b): this is the hot path, and Fastify's per-request machinery (request/reply objects, hooks,
// content-type parsing, a child logger) cost ~40 µs of CPU per request against ~30 µs for a whole
// raw node:http exchange; Fastify keeps serving the admin API, /metrics and the console.
//
// One request: read the body (within max_body_size), parse JSON (so a syntax error can say where it
// broke), resolve the path (src/server/paths), check the key, and hand generation to the relay. Every
// answer carries x-request-id, every error is in the client's dialect, and every request ends with
// one log line and one record (src/admin/control-plane.ts `finish`).

export interface ProxyHandlerDeps {
  config: Config;
  log: Logger;
  control: ControlPlane;
  routing: RoutingTable;
  relay: RelayDeps;
}

/** Serves one request; `body` when it was read already (a request that came through Fastify). */
export type ProxyHandler = (req: IncomingMessage, res: ServerResponse, body?: Buffer) => void;

const REWRITE_HEADER = 'x-switchyard-path-rewrite';
const JSON_TYPE = 'application/json; charset=utf-8';
/** The query of a URL without one (only ever read). */
const NO_QUERY = new URLSearchParams();

function bodyShape(body: unknown): BodyShape | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  return { messages: 'messages' in b, input: 'input' in b, contents: 'contents' in b };
}

/**
 * The request's log line. The attempt list only when there was more than one attempt (each failed one
 * has its own warning line too), and then through pino; otherwise the fast writer (request-line.ts).
 */
function logOutcome(log: Logger, reqId: string, outcome: GenerationOutcome, tail: Record<string, LineValue>, msg: string): void {
  const { attemptLog } = outcome;
  if (attemptLog && attemptLog.length > 1) log.info({ reqId, ...outcome, ...tail }, msg);
  else logRequestLine(log, { reqId, ...(outcome as Record<string, LineValue>), attemptLog: undefined, ...tail }, msg);
}

/** One request in flight: what every answer and the final record need. */
interface Exchange {
  id: string;
  req: IncomingMessage;
  res: ServerResponse;
  url: string;
  path: string;
  log: RequestLog;
  ctx: ProxyRequestContext;
  headers: Record<string, string>;
}

export function createProxyHandler(deps: ProxyHandlerDeps): ProxyHandler {
  const { config, log, control, routing } = deps;
  const rewritesLogged = new Set<string>();
  const fallbackHost = `${config.host}:${config.port}`;
  const origin = (req: IncomingMessage) => `http://${req.headers.host ?? fallbackHost}`;

  function sendJson(x: Exchange, status: number, body: string, extra?: Record<string, string>): void {
    const { res } = x;
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    res.writeHead(status, Object.assign({}, x.headers, extra, { 'content-type': JSON_TYPE, 'content-length': String(Buffer.byteLength(body)) }));
    res.end(body);
  }

  function sendError(x: Exchange, dialect: ClientDialect, err: GatewayError, extra?: Record<string, string>): void {
    const rendered = renderError(dialect, err);
    if (err.status >= 500) x.log.warn({ status: err.status, kind: err.kind }, err.message);
    sendJson(x, rendered.status, JSON.stringify(rendered.body), Object.assign(errorHeaders(err), extra));
  }

  /** The dialect an error goes out in before the path is resolved (or when resolution is not known). */
  function guessedDialect(x: Exchange): ClientDialect {
    return guessDialect(x.path, clientSignals(x.req.headers));
  }

  /**
   * An exchange's record: what it says about the request itself, then `fields`. Written as a literal
   * that ends in the spread, never one that starts with it: on Node 20 (V8 11) an object cloned from a
   * spread and then given more properties gets a map of its own, every time, in old space, and that map
   * keeps the request's young objects alive through scavenges (bench/README.md, finding 14).
   */
  function recordOf(x: Exchange, fields: Omit<RequestRecord, 'id' | 'startedAt' | 'method' | 'pathSent' | 'clientAddress' | 'userAgent'>): RequestRecord {
    return {
      id: x.id,
      startedAt: x.ctx.startedAt,
      method: x.req.method ?? 'GET',
      pathSent: x.url,
      clientAddress: x.req.socket.remoteAddress,
      userAgent: x.req.headers['user-agent'],
      ...fields,
    };
  }

  /** The record of a request the relay did not serve (health, models, 404s, refusals). */
  function finishPlain(x: Exchange, dialect: ClientDialect, routeName: string, error?: string): void {
    const { ctx } = x;
    const status = x.res.statusCode;
    const route = ctx.route;
    const record = recordOf(x, {
      clientDialect: route?.dialect ?? dialect,
      route: route?.route ?? routeName,
      pathResolved: route?.path ?? x.path,
      requestedModel: ctx.model,
      status,
      error: status >= 400 ? (error ?? `HTTP ${status}`) : undefined,
      latencyMs: Date.now() - ctx.startedAt,
    });
    logRequestLine(log, { reqId: x.id, path: record.pathResolved, route: record.route, status, ms: record.latencyMs }, 'request');
    control.finish(ctx, record);
  }

  /** An error answered before the relay took over, recorded as such. */
  function refuse(x: Exchange, dialect: ClientDialect, err: GatewayError, routeName: string, extra?: Record<string, string>): void {
    sendError(x, dialect, err, extra);
    finishPlain(x, dialect, routeName, err.message);
  }

  function handle(x: Exchange, raw: Buffer | undefined): void {
    const { req } = x;
    const method = req.method ?? 'GET';
    const query = x.path.length === x.url.length ? NO_QUERY : new URLSearchParams(x.url.slice(x.path.length + 1));
    const signals = clientSignals(req.headers);

    let body: unknown;
    if (raw && raw.length > 0 && method === 'POST') {
      try {
        body = parseJson(raw.toString('utf8'));
      } catch (err) {
        const where = err instanceof JsonSyntaxError ? err.message : 'not valid JSON';
        refuse(x, guessDialect(x.path, signals), invalidRequest(`The request body is not valid JSON: ${where}.`), 'unresolved');
        return;
      }
    }

    const resolution = resolvePath({ method, path: x.path, signals, body: bodyShape(body), origin: origin(req) });
    if (resolution.kind === 'not_found') {
      const rendered = notFoundBody(method, x.url, resolution, origin(req)) as { error?: { message?: string } };
      sendJson(x, 404, JSON.stringify(rendered));
      finishPlain(x, resolution.dialect, 'not_found', rendered.error?.message);
      return;
    }
    if (resolution.kind !== 'route') {
      const err = new GatewayError('invalid_request', `${method} ${x.path}: ${resolution.reason}.`, {
        status: 405,
        headers: { allow: (resolution.allow ?? []).join(', ') },
      });
      refuse(x, resolution.dialect, err, 'method_not_allowed');
      return;
    }

    const route = resolution;
    const needsKey = routeNeedsKey(config.effective_auth_mode, route.route);
    const forged = forgedBrowserPost(method, req.headers, needsKey);
    if (forged !== undefined) {
      refuse(x, route.dialect, new GatewayError('permission', `Refused: ${forged}.`, { status: 403 }), route.route);
      return;
    }
    if (route.rewritten) {
      x.headers[REWRITE_HEADER] = `${x.path} -> ${route.path}`;
      // Bounded, so a client inventing endless path variants cannot grow memory.
      if (!rewritesLogged.has(x.path) && rewritesLogged.size < 1000) {
        rewritesLogged.add(x.path);
        x.log.warn({ received: x.path, served_as: route.path }, `path rewritten: ${route.fix}`);
      }
    }

    try {
      // The key (config key, user key or none, as auth_mode allows), a user key's models and limits.
      control.authorize(x.ctx, route, extractClientKey(req.headers, query), needsKey, body);
      if (serveLocally(x, route)) return;
    } catch (err) {
      const gerr = toGatewayError(err);
      if (gerr.kind === 'internal') x.log.error({ err }, 'unexpected error');
      refuse(x, route.dialect, gerr, route.route);
      return;
    }
    relay(x, route, body, raw, query).catch((err: unknown) => fail(x, err));
  }

  /** Health, housekeeping and model lists: answered here. False for generation routes. */
  function serveLocally(x: Exchange, route: ResolvedRoute): boolean {
    let answer: unknown;
    switch (route.route) {
      case 'health':
        answer = { status: 'ok', version: VERSION };
        break;
      case 'hello':
        answer = { status: 'ok' };
        break;
      case 'event_logging':
        answer = {};
        break;
      case 'models.list':
        answer = listModels(routing.catalog, route.dialect);
        break;
      case 'models.get':
        answer = getModel(routing.catalog, route.dialect, route.model ?? '');
        break;
      default:
        return false;
    }
    sendJson(x, 200, JSON.stringify(answer));
    finishPlain(x, route.dialect, route.route);
    return true;
  }

  async function relay(x: Exchange, route: ResolvedRoute, body: unknown, raw: Buffer | undefined, query: URLSearchParams): Promise<void> {
    const { req, res } = x;
    const dialect = route.dialect === 'none' ? 'openai-chat' : route.dialect;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      refuse(x, dialect, invalidRequest('The request body must be a JSON object.'), route.route);
      return;
    }
    const abort = new ClientAbort();
    // A client that disconnects aborts its upstream request.
    const onClose = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.on('close', onClose);
    const outcome: GenerationOutcome = {};
    const started = x.ctx.startedAt;
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
      raw: res,
      signal: abort,
      responseHeaders: x.headers,
      log: x.log,
    };
    try {
      if (route.route === 'anthropic.count_tokens' || route.route === 'gemini.count_tokens') {
        await handleCountTokens(genReq, deps.relay, outcome);
      } else {
        await handleGeneration(genReq, deps.relay, outcome);
      }
      logOutcome(log, x.id, outcome, { path: route.path, ms: Date.now() - started, status: res.statusCode }, 'request');
    } catch (err) {
      const gerr = toGatewayError(err);
      if (gerr.kind === 'internal') x.log.error({ err }, 'unexpected error');
      failure = gerr.message;
      logOutcome(log, x.id, outcome, { path: route.path, ms: Date.now() - started, status: gerr.status, error: gerr.message }, 'request failed');
      const rendered = renderError(dialect, gerr);
      sendJson(x, rendered.status, JSON.stringify(rendered.body), errorHeaders(gerr)); // an answer already begun is just ended
    } finally {
      res.off('close', onClose);
      const record = recordOf(x, {
        clientDialect: dialect,
        route: route.route,
        pathResolved: route.path,
        requestedModel: outcome.model,
        resolvedModel: outcome.upstreamModel,
        provider: outcome.provider,
        credentialIndex: outcome.keyIndex,
        translated: outcome.translated,
        stream: outcome.stream,
        status: res.statusCode,
        error: failure ?? outcome.error,
        attempts: outcome.attempts,
        attemptLog: outcome.attemptLog,
        latencyMs: Date.now() - started,
        ttfbMs: outcome.ttfbMs,
        usage: outcome.usage,
      });
      // Log, stats, metrics and GatewayHooks.onRequestFinished, off the hot path.
      control.finish(x.ctx, record);
    }
  }

  return (req, res, preread) => {
    const startedAt = Date.now();
    const id = requestId(startedAt);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const x: Exchange = {
      id,
      req,
      res,
      url,
      path: q < 0 ? url : url.slice(0, q),
      log: new RequestLog(log, id),
      ctx: control.begin(res, startedAt),
      headers: { 'x-request-id': id },
    };
    try {
      if (!control.allows(req.socket.remoteAddress)) {
        const err = new GatewayError('permission', `Switchyard does not accept requests from ${req.socket.remoteAddress} (ip_allow / ip_deny).`);
        refuse(x, guessedDialect(x), err, 'ip_denied');
        return;
      }
      if (preread !== undefined) {
        x.ctx.body = preread;
        handle(x, preread);
        return;
      }
      readBody(req, config.max_body_size, (result) => {
        try {
          if (result.ok) {
            x.ctx.body = result.body;
            handle(x, result.body);
          } else if (result.reason === 'too_large') {
            const err = bodyTooLarge(config.max_body_size);
            // The rest of the body is never read: the connection closes after the answer.
            refuse(x, guessedDialect(x), err, 'unresolved', { connection: 'close' });
          } else res.destroy(); // the client went away mid-body: nobody to answer
        } catch (err) {
          fail(x, err);
        }
      });
    } catch (err) {
      fail(x, err);
    }
  };

  /** A bug of ours: the client still gets an explanation in its dialect, and the log the stack. */
  function fail(x: Exchange, err: unknown): void {
    x.log.error({ err }, 'unexpected error');
    const gerr = toGatewayError(err);
    const dialect = guessedDialect(x);
    sendError(x, dialect, gerr);
    if (!x.ctx.done) finishPlain(x, dialect, 'unresolved', gerr.message);
  }
}
