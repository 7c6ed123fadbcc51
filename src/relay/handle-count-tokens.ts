import { invalidRequest } from '../canonical/errors.js';
import type { CanonicalRequest } from '../canonical/types.js';
import type { Provider } from '../providers/index.js';
import { estimateInputTokens } from '../tokens/estimate.js';
import type { GenerationOutcome, GenerationRequest, RelayDeps } from './handle-generation.js';
import { sendUpstream } from './send-upstream.js';

// Anthropic count_tokens and Gemini countTokens. The upstream counts when it can (Anthropic and
// Gemini both have an endpoint, and only they know their tokenizers); an OpenAI-type upstream has
// none, so we estimate locally and say so in `x-switchyard-token-count: estimate`.

const COUNT_HEADER = 'x-switchyard-token-count';

/** Gemini accepts `{contents}` or `{generateContentRequest: {…}}`; we read both. */
function geminiCountBody(body: Record<string, unknown>): Record<string, unknown> {
  const inner = body.generateContentRequest;
  return inner && typeof inner === 'object' ? (inner as Record<string, unknown>) : body;
}

export async function handleCountTokens(req: GenerationRequest, deps: RelayDeps, outcome: GenerationOutcome): Promise<void> {
  const isGemini = req.clientDialect === 'gemini';
  const requested = isGemini ? (req.pathModel ?? '').replace(/^models\//, '') : req.body.model;
  if (typeof requested !== 'string' || requested === '') throw invalidRequest('`model` is required and must be a non-empty string.');
  const route = deps.routing.router.route(requested);
  const provider = route.provider;
  Object.assign(outcome, { model: requested, upstreamModel: route.model, provider: provider.name, stream: false });

  const clientCodec = deps.codecs[req.clientDialect];
  const decodeBody = isGemini ? geminiCountBody(req.body) : { ...req.body, max_tokens: 1 };
  let canonical: CanonicalRequest | undefined;
  const canonicalOf = () => (canonical ??= clientCodec.decodeRequest(decodeBody, { pathModel: requested, pathStream: false }));

  let tokens: number;
  let source: 'upstream' | 'estimate';
  if (provider.type === 'anthropic' || provider.type === 'gemini') {
    tokens = await countUpstream(req, deps, provider, route.model, canonicalOf, outcome);
    source = 'upstream';
  } else {
    tokens = await estimateInputTokens(canonicalOf());
    source = 'estimate';
  }
  const body = isGemini ? { totalTokens: tokens } : { input_tokens: tokens };
  req.raw.writeHead(200, { ...req.responseHeaders, [COUNT_HEADER]: source, 'content-type': 'application/json; charset=utf-8' });
  req.raw.end(JSON.stringify(body));
}

async function countUpstream(
  req: GenerationRequest,
  deps: RelayDeps,
  provider: Provider,
  model: string,
  canonicalOf: () => CanonicalRequest,
  outcome: GenerationOutcome,
): Promise<number> {
  const same = provider.type === req.clientDialect;
  let body: Record<string, unknown>;
  if (provider.type === 'anthropic') {
    if (same) body = { ...req.body, model };
    else {
      // count_tokens takes the message-shaped fields only; generation settings are rejected.
      const full = deps.codecs.anthropic.encodeRequest(canonicalOf(), { upstreamModel: model });
      body = pick(full, ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking']);
    }
  } else {
    const inner = same ? geminiCountBody(req.body) : deps.codecs.gemini.encodeRequest(canonicalOf(), { upstreamModel: model });
    body = { generateContentRequest: { ...pick(inner, ['contents', 'systemInstruction', 'tools', 'toolConfig']), model: `models/${model}` } };
  }
  outcome.translated = !same;
  const dialect = provider.type as 'anthropic' | 'gemini';
  const answer = await sendUpstream({
    provider,
    call: { dialect, model, stream: false, countTokens: true },
    body: JSON.stringify(body),
    clientHeaders: req.headers,
    sameDialect: same,
    upstreamCodec: deps.codecs[dialect],
    signal: req.signal,
    dispatcher: deps.dispatcher,
    log: req.log,
  });
  outcome.attempts = answer.attempts;
  const json = (await answer.response.body.json()) as { input_tokens?: unknown; totalTokens?: unknown };
  const n = provider.type === 'anthropic' ? json.input_tokens : json.totalTokens;
  return typeof n === 'number' ? n : 0;
}

function pick(obj: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}
