// Path resolution: the one place that understands what a client meant when its base URL was off.
//
// Clients append their own paths to the base URL the user typed, so a wrong base URL shows up as
// `/v1/v1/messages`, `/chat/completions`, `/v1/chat/completions/chat/completions`,
// `/v1beta/v1beta/models/…`. This pure function maps (method, path, client signals, body shape) to a
// route, the path it stands for, and — when it had to guess — the fix the user should make.
// Whatever it cannot place gets a reason that the 404 turns into advice.

import type { Dialect } from '../../canonical/types.js';

export type RouteName =
  | 'health'
  | 'hello'
  | 'event_logging'
  | 'models.list'
  | 'models.get'
  | 'openai.chat'
  | 'openai.responses'
  | 'anthropic.messages'
  | 'anthropic.count_tokens'
  | 'gemini.generate'
  | 'gemini.stream'
  | 'gemini.count_tokens';

export type ClientDialect = Dialect | 'none';

/** What the request's headers say about the client, without reading secrets. */
export interface ClientSignals {
  anthropicVersion: boolean;
  googApiKey: boolean;
  xApiKey: boolean;
  bearer: boolean;
}

/** Reads the client signals from request headers (only whether each is present; no secret is read). */
export function clientSignals(headers: Record<string, string | string[] | undefined>): ClientSignals {
  const auth = headers.authorization;
  return {
    anthropicVersion: headers['anthropic-version'] !== undefined,
    googApiKey: headers['x-goog-api-key'] !== undefined,
    xApiKey: headers['x-api-key'] !== undefined,
    bearer: typeof auth === 'string' && /^bearer\s/i.test(auth),
  };
}

/** Which top-level keys the JSON body has, for the few paths only the body can disambiguate. */
export interface BodyShape {
  messages: boolean;
  input: boolean;
  contents: boolean;
}

export interface ResolveInput {
  method: string;
  /** Path without the query string, exactly as received. */
  path: string;
  signals: ClientSignals;
  body?: BodyShape;
  /** `http://host:port` the client used, for advice. */
  origin: string;
}

export interface ResolvedRoute {
  kind: 'route';
  route: RouteName;
  dialect: ClientDialect;
  /** The canonical path this request is served as. */
  path: string;
  /** Gemini model from the path, or the id in `GET …/models/{id}`. */
  model?: string;
  /** True when `path` differs from what the client sent. */
  rewritten: boolean;
  /** What the user should change, when the path was rewritten. */
  fix?: string;
}

export interface UnresolvedRoute {
  kind: 'not_found' | 'method_not_allowed';
  dialect: ClientDialect;
  /** Why nothing matched, in words a user can act on. */
  reason: string;
  /** For 405: the methods the path does accept. */
  allow?: string[];
  /** For 405: the route the path would have been. */
  path?: string;
}

export type Resolution = ResolvedRoute | UnresolvedRoute;

const VERSION_SEGMENTS = new Set(['v1', 'v1beta', 'v1alpha', 'v2', 'v3']);
/** Segments people put into base URLs because other gateways use them; harmless to skip. */
const VENDOR_SEGMENTS = new Set(['api', 'openai', 'anthropic', 'gemini', 'google', 'claude', 'proxy']);
/** Endpoint segments that show up in a prefix when a full endpoint was used as the base URL. */
const ENDPOINT_SEGMENTS = new Set(['chat', 'completions', 'responses', 'messages', 'models', 'count_tokens']);

const GEMINI_ACTIONS: Record<string, RouteName> = {
  generateContent: 'gemini.generate',
  streamGenerateContent: 'gemini.stream',
  countTokens: 'gemini.count_tokens',
};

interface Tail {
  route: RouteName;
  /** Number of trailing segments the endpoint uses. */
  length: number;
  methods: string[];
  dialect: ClientDialect;
  model?: string;
}

/** Matches the known endpoint at the end of the segment list. */
function matchTail(seg: string[]): Tail | undefined {
  const n = seg.length;
  const last = seg[n - 1];
  const prev = seg[n - 2];
  if (n === 0) return undefined;
  if (last === 'healthz' || last === 'health') return { route: 'health', length: 1, methods: ['GET', 'HEAD'], dialect: 'none' };
  if (prev === 'api' && last === 'hello') return { route: 'hello', length: 2, methods: ['HEAD', 'GET'], dialect: 'anthropic' };
  if (prev === 'api' && last === 'event_logging') return { route: 'event_logging', length: 2, methods: ['POST'], dialect: 'anthropic' };
  if (seg[n - 3] === 'api' && prev === 'event_logging' && last === 'batch')
    return { route: 'event_logging', length: 3, methods: ['POST'], dialect: 'anthropic' };
  if (prev === 'chat' && last === 'completions') return { route: 'openai.chat', length: 2, methods: ['POST'], dialect: 'openai-chat' };
  if (last === 'responses') return { route: 'openai.responses', length: 1, methods: ['POST'], dialect: 'openai-responses' };
  if (prev === 'messages' && last === 'count_tokens')
    return { route: 'anthropic.count_tokens', length: 2, methods: ['POST'], dialect: 'anthropic' };
  if (last === 'messages') return { route: 'anthropic.messages', length: 1, methods: ['POST'], dialect: 'anthropic' };
  if (last === 'models') return { route: 'models.list', length: 1, methods: ['GET'], dialect: 'none' };
  const colon = last.indexOf(':');
  if (prev === 'models' && colon > 0) {
    const route = GEMINI_ACTIONS[last.slice(colon + 1)];
    if (route) return { route, length: 2, methods: ['POST'], dialect: 'gemini', model: last.slice(0, colon) };
  }
  if (prev === 'models' && colon < 0 && !ENDPOINT_SEGMENTS.has(last))
    return { route: 'models.get', length: 2, methods: ['GET'], dialect: 'none', model: last };
  return undefined;
}

/** Which dialect a models route answers in: the path version first, then the headers. */
function modelsDialect(prefix: string[], signals: ClientSignals): ClientDialect {
  if (prefix.includes('v1beta')) return 'gemini';
  if (signals.anthropicVersion) return 'anthropic';
  if (signals.googApiKey && !signals.bearer) return 'gemini';
  return 'openai-chat';
}

/** The dialect a client most likely speaks, for unresolved paths (so its 404 parses). */
export function guessDialect(path: string, signals: ClientSignals): ClientDialect {
  if (signals.anthropicVersion || /\/messages\b/.test(path)) return 'anthropic';
  if (signals.googApiKey || /v1beta|:(generate|streamGenerate|count)/i.test(path)) return 'gemini';
  return 'openai-chat';
}

function canonicalPrefix(route: RouteName, dialect: ClientDialect, prefix: string[]): string {
  switch (route) {
    case 'health':
      return '';
    case 'hello':
      return '';
    case 'event_logging':
      return '/v1';
    case 'openai.responses':
      // `/responses` is served as-is too (the reference system lists it; Codex without /v1 sends it).
      return prefix.length === 0 ? '' : '/v1';
    case 'gemini.generate':
    case 'gemini.stream':
    case 'gemini.count_tokens':
      // @google/genai 3.x uses /v1, everything else /v1beta; both are native.
      return prefix[prefix.length - 1] === 'v1' && prefix.length === 1 ? '/v1' : '/v1beta';
    case 'models.list':
    case 'models.get':
      if (dialect === 'gemini') return prefix.length === 1 && prefix[0] === 'v1' ? '/v1' : '/v1beta';
      return '/v1';
    default:
      return '/v1';
  }
}

function baseUrlAdvice(route: RouteName, dialect: ClientDialect, origin: string): string {
  if (route.startsWith('gemini.') || dialect === 'gemini')
    return `set the Gemini base URL (GOOGLE_GEMINI_BASE_URL / httpOptions.baseUrl) to ${origin}, without /v1beta or /v1`;
  if (route.startsWith('anthropic.') || dialect === 'anthropic')
    return `set the Anthropic base URL (ANTHROPIC_BASE_URL / baseURL) to ${origin}, without /v1 — Anthropic clients append /v1/messages themselves`;
  return `set the OpenAI base URL (OPENAI_BASE_URL / baseURL) to ${origin}/v1 — OpenAI clients append /chat/completions or /responses themselves`;
}

function describeFix(opts: {
  route: RouteName;
  dialect: ClientDialect;
  prefix: string[];
  stacked: boolean;
  slashesOnly: boolean;
  origin: string;
}): string {
  const { route, dialect, prefix, stacked, origin } = opts;
  if (opts.slashesOnly) return 'the path had a trailing or doubled slash; remove the trailing slash from the base URL';
  const advice = baseUrlAdvice(route, dialect, origin);
  if (stacked) return `the base URL already contained an endpoint path and the client appended another; ${advice}`;
  const versions = prefix.filter((s) => VERSION_SEGMENTS.has(s));
  if (versions.length > 1) return `the base URL repeats the API version (${versions.map((v) => '/' + v).join('')}); ${advice}`;
  if (prefix.some((s) => VENDOR_SEGMENTS.has(s))) return `the base URL has an extra path segment (${prefix.map((s) => '/' + s).join('')}); ${advice}`;
  if (versions.length === 0) return `the path had no API version prefix; ${advice}`;
  return advice;
}

function normalize(path: string): { segments: string[]; decoded: string; slashesOnly: boolean } {
  let decoded = path;
  // Gemini clients may percent-encode the colon in `model:action`; that is not a mistake.
  if (decoded.includes('%3A') || decoded.includes('%3a')) decoded = decoded.replace(/%3a/gi, ':');
  const segments = decoded.split('/').filter((s) => s.length > 0);
  const clean = '/' + segments.join('/');
  return { segments, decoded, slashesOnly: clean !== decoded };
}

/**
 * Resolutions that depend on the method and the path alone, by `method path`. Performance (bench/README.md,
 * finding 19): resolving took ~7 µs of a request at c=1, and nearly every request of a client sends one of
 * a handful of paths. Only what was served as sent (a rewrite's advice names the Host the client used) and
 * is not a models route (whose dialect comes from the headers) is kept; the body shape only matters to
 * stacked paths, which are rewrites. Bounded like the upstream URL cache: cleared at 1,000 paths (a Gemini
 * path holds the model name).
 */
const servedAsSent = new Map<string, ResolvedRoute>();

export function resolvePath(input: ResolveInput): Resolution {
  const key = `${input.method} ${input.path}`;
  const known = servedAsSent.get(key);
  if (known) return known;
  const resolution = resolveAfresh(input);
  if (resolution.kind === 'route' && !resolution.rewritten && resolution.route !== 'models.list' && resolution.route !== 'models.get') {
    if (servedAsSent.size >= 1000) servedAsSent.clear();
    servedAsSent.set(key, Object.freeze(resolution));
  }
  return resolution;
}

function resolveAfresh(input: ResolveInput): Resolution {
  const method = input.method === 'HEAD' ? 'HEAD' : input.method.toUpperCase();
  const { segments, decoded, slashesOnly } = normalize(input.path);

  const tail = matchTail(segments);
  if (!tail) {
    return { kind: 'not_found', dialect: guessDialect(input.path, input.signals), reason: unmatchedReason(segments) };
  }

  let prefix = segments.slice(0, segments.length - tail.length);
  let route = tail.route;
  let dialect = tail.dialect;
  const unknown = prefix.filter((s) => !VERSION_SEGMENTS.has(s) && !VENDOR_SEGMENTS.has(s) && !ENDPOINT_SEGMENTS.has(s));
  if (unknown.length > 0) {
    return {
      kind: 'not_found',
      dialect: dialect === 'none' ? guessDialect(input.path, input.signals) : dialect,
      reason: `the path has segments Switchyard does not know (${unknown.map((s) => '/' + s).join('')}) before the endpoint; the base URL probably contains a path from another service`,
    };
  }
  const stacked = prefix.some((s) => ENDPOINT_SEGMENTS.has(s));
  // A stacked OpenAI path (`/v1/chat/completions/responses`) is ambiguous: which endpoint the client
  // meant shows in its body — `input` is a Responses request, `messages` a Chat Completions one.
  if (stacked && input.body && (route === 'openai.chat' || route === 'openai.responses')) {
    if (input.body.input && !input.body.messages) route = 'openai.responses';
    else if (input.body.messages && !input.body.input) route = 'openai.chat';
    dialect = route === 'openai.chat' ? 'openai-chat' : 'openai-responses';
  }
  if (stacked) prefix = prefix.filter((s) => !ENDPOINT_SEGMENTS.has(s));

  if (route === 'models.list' || route === 'models.get') dialect = modelsDialect(prefix, input.signals);

  if (!tail.methods.includes(method) && !(method === 'HEAD' && tail.methods.includes('GET'))) {
    return {
      kind: 'method_not_allowed',
      dialect: dialect === 'none' ? guessDialect(input.path, input.signals) : dialect,
      allow: tail.methods,
      path: buildPath(route, dialect, prefix, tail.model),
      reason: `${method} is not supported on this path; use ${tail.methods.join(' or ')}`,
    };
  }

  const path = buildPath(route, dialect, prefix, tail.model);
  const rewritten = path !== decoded;
  const resolved: ResolvedRoute = { kind: 'route', route, dialect, path, rewritten };
  if (tail.model !== undefined) resolved.model = tail.model;
  if (rewritten) {
    resolved.fix = describeFix({
      route,
      dialect,
      prefix,
      stacked,
      slashesOnly: slashesOnly && '/' + segments.join('/') === path,
      origin: input.origin,
    });
  }
  return resolved;
}

function buildPath(route: RouteName, dialect: ClientDialect, prefix: string[], model: string | undefined): string {
  const base = canonicalPrefix(route, dialect, prefix);
  switch (route) {
    case 'health':
      return '/healthz';
    case 'hello':
      return '/api/hello';
    case 'event_logging':
      return '/v1/api/event_logging/batch';
    case 'openai.chat':
      return `${base}/chat/completions`;
    case 'openai.responses':
      return `${base}/responses`;
    case 'anthropic.messages':
      return '/v1/messages';
    case 'anthropic.count_tokens':
      return '/v1/messages/count_tokens';
    case 'models.list':
      return `${base}/models`;
    case 'models.get':
      return `${base}/models/${model}`;
    case 'gemini.generate':
      return `${base}/models/${model}:generateContent`;
    case 'gemini.stream':
      return `${base}/models/${model}:streamGenerateContent`;
    case 'gemini.count_tokens':
      return `${base}/models/${model}:countTokens`;
  }
}

function unmatchedReason(segments: string[]): string {
  const last = segments[segments.length - 1] ?? '';
  if (segments.length === 0) return 'the root path is not an API endpoint; the base URL is probably missing its path';
  if (last === 'completions')
    return 'the legacy text completions API (/v1/completions) is not served; use /v1/chat/completions or /v1/responses';
  if (last === 'embeddings') return 'embeddings are not served by Switchyard yet';
  if (last.includes(':')) {
    const action = last.slice(last.indexOf(':') + 1);
    return `the Gemini method ":${action}" is not served; use :generateContent, :streamGenerateContent or :countTokens`;
  }
  return 'no Switchyard endpoint ends this path; the client probably appended its path to a base URL with an extra or missing segment';
}

/** The routes listed in every 404, so users can see what exists. */
export const ROUTE_LIST = [
  'GET  /healthz',
  'GET  /v1/models                          (OpenAI; Anthropic with anthropic-version; Gemini with x-goog-api-key)',
  'POST /v1/chat/completions',
  'POST /v1/responses',
  'POST /v1/messages',
  'POST /v1/messages/count_tokens',
  'GET  /v1beta/models, /v1beta/models/{model}',
  'POST /v1beta/models/{model}:generateContent | :streamGenerateContent | :countTokens  (also under /v1/models/…)',
];
