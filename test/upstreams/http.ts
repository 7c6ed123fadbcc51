// The shared HTTP shell of every upstream: records requests, applies per-key faults, routes, authenticates,
// and turns validator errors into the vendor's error reply. Vendor modules plug in a VendorProtocol.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VendorRequestError, type ErrorReply } from './errors.js';
import { FaultBook, isStatusFault } from './faults.js';
import { Signatures } from './signatures.js';
import { Responder } from './sse.js';
import type { Fault, RecordedRequest, ScriptFn, Upstream, UpstreamOptions, Vendor } from './types.js';

export interface UpstreamState {
  vendor: Vendor;
  options: UpstreamOptions;
  script: ScriptFn | undefined;
  signatures: Signatures;
  /** Generation calls answered so far (scripts see it as callIndex). */
  calls: number;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  rawBody: string;
  recorded: RecordedRequest;
  key: string | undefined;
  responder: Responder;
  state: UpstreamState;
}

export type RouteHandler = (ctx: RequestContext) => Promise<void> | void;

export interface VendorProtocol {
  vendor: Vendor;
  keyOf(req: IncomingMessage, url: URL): string | undefined;
  /** The error for a missing or rejected key, or undefined when the request may proceed. */
  authenticate(key: string | undefined, req: IncomingMessage, validKeys: string[] | undefined): ErrorReply | undefined;
  notFound(method: string, url: URL): ErrorReply;
  faultReply(fault: { status: number; retryAfter?: number; message?: string }): ErrorReply;
  /** Reply for an unexpected crash in a handler (a bug in the upstream itself). */
  internalError(message: string): ErrorReply;
  route(method: string, url: URL): RouteHandler | undefined;
}

export async function startUpstream(protocol: VendorProtocol, options: UpstreamOptions = {}): Promise<Upstream> {
  const requests: RecordedRequest[] = [];
  const faults = new FaultBook(options.faults);
  const state: UpstreamState = {
    vendor: protocol.vendor,
    options,
    script: options.script,
    signatures: new Signatures(protocol.vendor),
    calls: 0,
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Last resort: never leave a request hanging because of a bug here.
      if (!res.headersSent) send(res, protocol.internalError(String(err)));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const key = protocol.keyOf(req, url);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: flattenHeaders(req),
      body: parseMaybeJson(rawBody),
      key,
    };
    requests.push(recorded);

    const fault: Fault = faults.take(key);
    if (fault !== 'ok') {
      if ('hang' in fault) return; // never answered; close() tears the socket down
      if ('reset' in fault) {
        req.socket.destroy();
        return;
      }
      if (isStatusFault(fault)) {
        send(res, protocol.faultReply(fault));
        return;
      }
    }

    const handler = protocol.route(req.method ?? 'GET', url);
    if (!handler) {
      send(res, protocol.notFound(req.method ?? 'GET', url));
      return;
    }
    const authError = protocol.authenticate(key, req, options.keys);
    if (authError) {
      send(res, authError);
      return;
    }
    const responder = new Responder(res, {
      delayMs: options.chunkDelayMs ?? 0,
      dropAfterChunks: typeof fault === 'object' && 'dropAfterChunks' in fault ? fault.dropAfterChunks : undefined,
    });
    try {
      await handler({ req, res, url, rawBody, recorded, key, responder, state });
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
      } else if (err instanceof VendorRequestError) {
        send(res, err.reply);
      } else {
        send(res, protocol.internalError(err instanceof Error ? err.stack ?? err.message : String(err)));
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    vendor: protocol.vendor,
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    signatures: state.signatures,
    setScript(fn) {
      state.script = fn;
    },
    setFaults(plan) {
      faults.set(plan);
    },
    requestCount(key) {
      return faults.count(key);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // also ends hung requests and idle keep-alive sockets
      });
    },
  };
}

export function send(res: ServerResponse, reply: ErrorReply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...reply.headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseMaybeJson(text: string): unknown {
  if (text.length === 0) return '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The parsed JSON object body of a request, or the vendor's error for anything else. */
export function jsonObjectBody(ctx: RequestContext, invalid: () => VendorRequestError): Record<string, unknown> {
  const body = ctx.recorded.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid();
  return body as Record<string, unknown>;
}
