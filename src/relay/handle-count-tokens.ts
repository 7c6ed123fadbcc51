import { invalidRequest } from '../canonical/errors.js';
import type { CanonicalRequest } from '../canonical/types.js';
import type { RouteCandidate } from '../routing/router.js';
import { estimateInputTokens } from '../tokens/estimate.js';
import { callContext, type GenerationOutcome, type GenerationRequest, type RelayDeps } from './handle-generation.js';
import { carriesForeignHistory } from './foreign-history.js';
import { sendUpstream, type PreparedCall } from './send-upstream.js';

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
  const plan = deps.routing.router.plan(requested, { hasTools: true });
  Object.assign(outcome, { model: requested, upstreamModel: plan.model, stream: false });

  const clientCodec = deps.codecs[req.clientDialect];
  const decodeBody = isGemini ? geminiCountBody(req.body) : Object.assign({}, req.body, { max_tokens: 1 });
  let canonical: CanonicalRequest | undefined;
  const canonicalOf = () => (canonical ??= clientCodec.decodeRequest(decodeBody, { pathModel: requested, pathStream: false }));

  // Only Anthropic and Gemini upstreams can count; the plan keeps its order among them.
  const counters = plan.candidates.filter((c) => c.provider.type === 'anthropic' || c.provider.type === 'gemini');
  let tokens: number;
  let source: 'upstream' | 'estimate';
  if (counters.length > 0) {
    const answer = await sendUpstream({
      plan: Object.assign({}, plan, { candidates: counters }),
      prepare: (c) => prepareCount(req, deps, c, canonicalOf),
      session: () => '',
      ...callContext(req, deps, outcome),
    });
    Object.assign(outcome, {
      provider: answer.candidate.provider.name,
      upstreamModel: answer.candidate.model,
      attempts: answer.attempts,
      keyIndex: answer.credential.index,
      translated: !answer.prepared.sameDialect,
    });
    const json = (await answer.response.body.json()) as { input_tokens?: unknown; totalTokens?: unknown };
    answer.finish();
    const n = answer.candidate.provider.type === 'anthropic' ? json.input_tokens : json.totalTokens;
    tokens = typeof n === 'number' ? n : 0;
    source = 'upstream';
  } else {
    tokens = await estimateInputTokens(canonicalOf());
    source = 'estimate';
    outcome.provider = plan.candidates[0]?.provider.name;
  }
  const body = isGemini ? { totalTokens: tokens } : { input_tokens: tokens };
  req.raw.writeHead(200, Object.assign({}, req.responseHeaders, { [COUNT_HEADER]: source, 'content-type': 'application/json; charset=utf-8' }));
  req.raw.end(JSON.stringify(body));
}

function prepareCount(req: GenerationRequest, deps: RelayDeps, c: RouteCandidate, canonicalOf: () => CanonicalRequest): PreparedCall {
  const dialect = c.provider.type as 'anthropic' | 'gemini';
  const same = dialect === req.clientDialect;
  // History from another vendor (its signatures) cannot be relayed as is; the encoders drop it.
  const relay = same && !carriesForeignHistory(req.clientDialect, geminiCountBody(req.body));
  let body: Record<string, unknown>;
  if (dialect === 'anthropic') {
    if (relay) body = Object.assign({}, req.body, { model: c.model });
    else {
      // count_tokens takes the message-shaped fields only; generation settings are rejected.
      const full = deps.codecs.anthropic.encodeRequest(canonicalOf(), { upstreamModel: c.model });
      body = pick(full, ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking']);
    }
  } else {
    const inner = relay ? geminiCountBody(req.body) : deps.codecs.gemini.encodeRequest(canonicalOf(), { upstreamModel: c.model });
    body = { generateContentRequest: Object.assign(pick(inner, ['contents', 'systemInstruction', 'tools', 'toolConfig']), { model: `models/${c.model}` }) };
  }
  return {
    call: { dialect, model: c.model, stream: false, countTokens: true },
    body: JSON.stringify(body),
    upstreamCodec: deps.codecs[dialect],
    sameDialect: same,
  };
}

function pick(obj: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}
