import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { GatewayError, invalidRequest, toGatewayError } from '../canonical/errors.js';
import type { CanonicalRequest, Dialect, Usage } from '../canonical/types.js';
import { mergeUsage } from '../canonical/usage.js';
import type { DialectCodec, StreamEncoder } from '../dialects/codec.js';
import type { AttemptRecord } from '../observability/request-record.js';
import type { RouteCandidate } from '../routing/router.js';
import { sessionKey } from '../routing/session-key.js';
import type { RoutingTable } from '../routing/routing-table.js';
import type { Log } from '../util/log.js';
import { SseParser } from '../util/sse.js';
import type { ClientAbort } from './client-abort.js';
import { ClientStream, SSE_HEADERS } from './client-stream.js';
import { isOpenAIReasoningModel } from '../dialects/openai-chat/encode-request.js';
import { carriesForeignHistory } from './foreign-history.js';
import { sendUpstream, type PreparedCall, type RetrySettings, type UpstreamAnswer } from './send-upstream.js';
import { streamErrorFrame } from './stream-error-frame.js';
import { UsageTap } from './usage-tap.js';
import type { UpstreamResponse } from './upstream-response.js';

// One generation request, end to end: pick the provider, build the upstream body (the client's own
// bytes on the same-dialect relay, a translation otherwise), send it with key rotation, and answer
// in the client's dialect — streamed chunk by chunk as the upstream produces it.

export interface RelayDeps {
  routing: RoutingTable;
  codecs: Record<Dialect, DialectCodec>;
  dispatcher: Dispatcher;
  keepaliveMs: number;
  retry: RetrySettings;
}

export interface GenerationRequest {
  clientDialect: Dialect;
  /** Gemini: the model and stream flag come from the path. */
  pathModel?: string;
  pathStream?: boolean;
  body: Record<string, unknown>;
  rawBody: Buffer;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  raw: ServerResponse;
  /** Set when the client disconnects (aborts the upstream request). */
  signal: ClientAbort;
  /** Headers every answer carries (request id, path rewrite marker). */
  responseHeaders: Record<string, string>;
  log: Log;
}

/** What the caller logs about the request once it is done. */
export interface GenerationOutcome {
  model?: string;
  upstreamModel?: string;
  provider?: string;
  translated?: boolean;
  stream?: boolean;
  attempts?: number;
  /** Which key of the provider's pool answered (index, never the key). */
  keyIndex?: number;
  /** Token usage as the upstream reported it. */
  usage?: Usage;
  /** Milliseconds from the start of handling to the first byte written to the client. */
  ttfbMs?: number;
  /** Why the request failed after its status was sent (a broken stream), if it did. */
  error?: string;
  /** Each upstream attempt, in order (for the request log). */
  attemptLog?: AttemptRecord[];
}

/** What every upstream call made for a client request shares: its headers and abort, the pool settings, its log and attempt list. */
export function callContext(req: GenerationRequest, deps: RelayDeps, outcome: GenerationOutcome) {
  return {
    clientHeaders: req.headers,
    signal: req.signal,
    dispatcher: deps.dispatcher,
    retry: deps.retry,
    log: req.log,
    onAttempt: (a: AttemptRecord) => (outcome.attemptLog ??= []).push(a),
  };
}

function requestedModel(req: GenerationRequest): string {
  if (req.clientDialect === 'gemini') return (req.pathModel ?? '').replace(/^models\//, '');
  const model = req.body.model;
  if (typeof model !== 'string' || model === '') throw invalidRequest('`model` is required and must be a non-empty string.');
  return model;
}

function wantsStream(req: GenerationRequest): boolean {
  if (req.clientDialect === 'gemini') return req.pathStream === true;
  const s = req.body.stream;
  if (s !== undefined && typeof s !== 'boolean') throw invalidRequest('`stream` must be true or false.');
  return s === true;
}

export async function handleGeneration(req: GenerationRequest, deps: RelayDeps, outcome: GenerationOutcome): Promise<void> {
  const model = requestedModel(req);
  const stream = wantsStream(req);
  const plan = deps.routing.router.plan(model, { hasTools: hasTools(req.body) });
  Object.assign(outcome, { model, upstreamModel: plan.model, stream });
  if (plan.background) req.responseHeaders['x-switchyard-background'] = `${model} -> ${plan.model}`;

  const clientCodec = deps.codecs[req.clientDialect];
  const clientGeminiSse = req.query.get('alt') === 'sse';
  // History from another vendor's upstream cannot take the byte relay: its signatures would fail the
  // request there. The encoders send each signature only to the dialect that issued it.
  // Computed on first need: only a same-dialect candidate asks, and it walks the whole history.
  let foreign: boolean | undefined;
  const foreignHistory = () => (foreign ??= carriesForeignHistory(req.clientDialect, req.body));
  // Decoded once, and only if some candidate needs a translation.
  let canonical: CanonicalRequest | undefined;
  const prepare = (c: RouteCandidate): PreparedCall => {
    const upstreamDialect = c.provider.adapter.upstreamDialect(req.clientDialect);
    const same = upstreamDialect === req.clientDialect;
    const relay = same && !foreignHistory();
    const upstreamCodec = deps.codecs[upstreamDialect];
    let body: string | Buffer;
    if (relay) body = relayBody(req, c.model);
    else {
      canonical ??= Object.assign(clientCodec.decodeRequest(req.body, { pathModel: req.pathModel, pathStream: req.pathStream }), { stream });
      body = JSON.stringify(upstreamCodec.encodeRequest(canonical, { upstreamModel: c.model }));
    }
    return { call: { dialect: upstreamDialect, model: c.model, stream, geminiSse: relay ? clientGeminiSse : true }, body, upstreamCodec, sameDialect: same };
  };

  const sse = stream && !(req.clientDialect === 'gemini' && !clientGeminiSse);
  const client = new ClientStream(req.raw, req.signal, deps.keepaliveMs, sse);
  const streamHeaders = sse ? SSE_HEADERS : { 'content-type': 'application/json; charset=utf-8' };
  const newEncoder = () =>
    clientCodec.createStreamEncoder({ requestModel: model, includeUsage: canonical?.streamUsage === true, geminiSse: clientGeminiSse });
  // While the upstream thinks before its first byte, keep the client's connection alive. Once we
  // have pinged, the status is committed (200): later failures become in-stream error events.
  if (stream) client.startKeepalive(() => client.start(200, Object.assign({}, streamHeaders, req.responseHeaders)));

  let answer: UpstreamAnswer;
  try {
    answer = await sendUpstream({
      plan,
      prepare,
      session: () => sessionKey(req.clientDialect, req.headers, req.body),
      ...callContext(req, deps, outcome),
    });
  } catch (err) {
    if (!client.headersSent) {
      client.stopKeepalive();
      throw err;
    }
    const gerr = toGatewayError(err);
    outcome.error = gerr.message;
    const enc = newEncoder();
    client.end(enc.push({ type: 'error', error: gerr.info() }) + enc.end());
    return;
  }
  const { candidate, prepared } = answer;
  // sameDialect also means the client's API version and betas go upstream; the relay needs more.
  const same = prepared.sameDialect && !foreignHistory();
  Object.assign(outcome, {
    upstreamModel: candidate.model,
    provider: candidate.provider.name,
    translated: !same,
    attempts: answer.attempts,
    keyIndex: answer.credential.index,
  });
  if (candidate.fallbackFor) req.responseHeaders['x-switchyard-fallback'] = `${candidate.fallbackFor} -> ${candidate.model}`;
  const upstreamCodec = prepared.upstreamCodec;
  const encoder: StreamEncoder | undefined = stream && !same ? newEncoder() : undefined;
  const res = answer.response;

  try {
    if (same) {
      const tap = new UsageTap(upstreamCodec, sse ? 'sse' : 'json');
      await pipeThrough(res, client, req, stream ? streamHeaders : undefined, tap);
      outcome.usage = tap.end();
    } else if (!stream) {
      client.stopKeepalive();
      const decoded = upstreamCodec.decodeResponse(await res.body.json());
      outcome.usage = decoded.usage;
      const out = clientCodec.encodeResponse(decoded, { requestModel: model });
      client.start(200, { 'content-type': 'application/json; charset=utf-8', ...req.responseHeaders }, false); // headers leave with the body, one write
      client.end(JSON.stringify(out));
    } else {
      outcome.usage = await translateStream(res, client, upstreamCodec, encoder as StreamEncoder, Object.assign({}, streamHeaders, req.responseHeaders));
    }
    outcome.ttfbMs = client.firstByteMs;
    answer.finish();
  } catch (err) {
    client.stopKeepalive();
    outcome.ttfbMs = client.firstByteMs;
    if (req.signal.aborted) {
      answer.finish('the client closed the connection');
      outcome.error = 'the client closed the connection';
      return; // nothing left to tell it
    }
    const gerr = err instanceof GatewayError ? err : upstreamDropped(candidate.provider.name, err);
    answer.finish(gerr.message);
    if (!client.headersSent) throw gerr;
    outcome.error = gerr.message;
    req.log.warn({ provider: candidate.provider.name, reason: gerr.message }, 'stream failed after it started');
    client.end(encoder ? encoder.push({ type: 'error', error: gerr.info() }) + encoder.end() : streamErrorFrame(req.clientDialect, gerr, clientGeminiSse));
  }
}

/** Whether the request offers tools (in any dialect's field); housekeeping requests never do. */
function hasTools(body: Record<string, unknown>): boolean {
  return Array.isArray(body.tools) && body.tools.length > 0;
}

/**
 * The client's own bytes, with only the model name changed when mapping changed it — and, for OpenAI
 * reasoning models, `max_tokens` renamed to `max_completion_tokens`: OpenAI answers 400 "Unsupported
 * parameter: 'max_tokens'" otherwise, and OpenAI-compatible clients (opencode's default provider sends
 * `max_tokens: 32000`) do not know which models need the new name. Translated requests already get it.
 */
function relayBody(req: GenerationRequest, model: string): string | Buffer {
  if (req.clientDialect === 'gemini') return req.rawBody;
  const renameMax =
    req.clientDialect === 'openai-chat' &&
    isOpenAIReasoningModel(model) &&
    req.body.max_tokens !== undefined &&
    req.body.max_completion_tokens === undefined;
  if (req.body.model === model && !renameMax) return req.rawBody;
  if (!renameMax) return JSON.stringify(Object.assign({}, req.body, { model }));
  const { max_tokens: maxTokens, ...rest } = req.body;
  return JSON.stringify(Object.assign(rest, { model, max_completion_tokens: maxTokens }));
}

function upstreamDropped(provider: string, err: unknown): GatewayError {
  const what = (err as Error)?.name === 'BodyTimeoutError' ? 'went silent for longer than the idle timeout' : 'dropped the connection';
  return new GatewayError('upstream_error', `Provider "${provider}" ${what} in the middle of the answer.`, {
    retryable: false,
  });
}

/** Same-dialect relay: status and bytes as the upstream sent them, chunk by chunk. */
async function pipeThrough(
  res: UpstreamResponse,
  client: ClientStream,
  req: GenerationRequest,
  streamHeaders: Record<string, string> | undefined,
  tap: UsageTap,
): Promise<void> {
  const upstreamType = res.headers['content-type'];
  const contentType = (Array.isArray(upstreamType) ? upstreamType[0] : upstreamType) ?? 'application/json';
  let fixedLength = false;
  if (streamHeaders) {
    // The first event usually arrived with the upstream's headers: let ours leave with it, in one
    // socket write (flushed on their own after one event-loop turn otherwise).
    client.start(res.statusCode, Object.assign({}, streamHeaders, { 'content-type': contentType }, req.responseHeaders), 'soon');
  } else {
    // Performance (bench/README.md, scenario 1): a JSON answer goes out in one socket write, as a bare
    // proxy's does. Its headers are not flushed on their own but leave with the first body bytes, and
    // the upstream's content-length is kept (the bytes are relayed unchanged: no content-encoding is
    // asked for) so no chunked framing and no separate terminating write are needed. Before this,
    // headers, body and terminator were three writes — the largest cost of the relay in the profile.
    const length = res.headers['content-length'];
    const encoding = res.headers['content-encoding'];
    const headers: Record<string, string> = { 'content-type': contentType, ...req.responseHeaders };
    if (typeof length === 'string' && (encoding === undefined || encoding === 'identity')) {
      headers['content-length'] = length;
      fixedLength = true;
    }
    client.start(res.statusCode, headers, false);
  }
  try {
    await res.body.forEach((chunk) => {
      const slow = client.write(chunk);
      tap.push(chunk); // after the client has it: reading usage never delays a byte
      return slow;
    });
  } catch (err) {
    // A body of announced length that broke off cannot take an error frame after it (the bytes would
    // be read as the next response on the connection): close the connection, the client sees the
    // answer cut short.
    if (fixedLength) req.raw.destroy();
    throw err;
  }
  client.end();
}

/** Cross-dialect stream: upstream SSE → canonical events → client dialect, event by event. */
async function translateStream(
  res: UpstreamResponse,
  client: ClientStream,
  upstreamCodec: DialectCodec,
  encoder: StreamEncoder,
  headers: Record<string, string>,
): Promise<Usage | undefined> {
  const parser = new SseParser();
  const decoder = upstreamCodec.createStreamDecoder();
  let usage: Usage | undefined;
  const emit = (events: ReturnType<typeof decoder.push>): string => {
    let text = '';
    for (const ev of events) {
      if (ev.type === 'usage' || (ev.type === 'finish' && ev.usage)) usage = mergeUsage(usage, ev.usage);
      text += encoder.push(ev);
    }
    return text;
  };
  client.start(200, headers, 'soon');
  await res.body.forEach((chunk) => {
    let out = '';
    for (const sseEvent of parser.push(chunk)) out += emit(decoder.push(sseEvent));
    return out ? client.write(out) : undefined;
  });
  let out = '';
  for (const sseEvent of parser.end()) out += emit(decoder.push(sseEvent));
  out += emit(decoder.end());
  client.end(out + encoder.end());
  return usage;
}
