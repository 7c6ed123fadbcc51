// The real clients' own requests (test/fixtures/clients/*.json, captured from Claude Code, Codex CLI and
// Gemini CLI) replayed byte for byte through the real gateway to each upstream type. Plain `fetch` is
// used on purpose: the bodies and headers ARE what those clients send. Each upstream validates like its
// vendor, so a 200 means nothing it would reject was forwarded; what it received is then checked for
// what matters to the agent: its instructions, every tool, and the tool round trip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { startAnthropicUpstream, startGeminiUpstream, startOpenAIUpstream, type Upstream } from '../upstreams/index.js';
import {
  CAPTURED_MODELS,
  clientOf,
  loadCapture,
  replayHeaders,
  type CaptureName,
  type CapturedRequest,
  type ClientKind,
  type Json,
} from './fixtures.js';
import {
  arr,
  foreignSchemaKeys,
  generationRequests,
  isObj,
  parseSse,
  readAnthropicStream,
  readGeminiChunks,
  readResponsesStream,
  upstreamRoundTrip,
  upstreamSystemText,
  upstreamTools,
  type ClientAnswer,
  type UpstreamDialect,
} from './helpers.js';

const CLIENT_KEY = 'sy-client-key-for-tests';
const UP_KEY = 'up-key-1';

type Target = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';
const TARGETS: Target[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

/** The model each upstream type serves the captured names as (current models with the strictest contracts). */
const TARGET_MODEL: Record<Target, string> = {
  'openai-chat': 'gpt-5',
  'openai-responses': 'gpt-5',
  anthropic: 'claude-sonnet-4-5-20250929',
  gemini: 'gemini-3-pro-preview',
};

const CLIENT_DIALECT: Record<ClientKind, UpstreamDialect> = {
  'claude-code': 'anthropic',
  codex: 'openai-responses',
  'gemini-cli': 'gemini',
};

/** The wire dialect the upstream is spoken to in, for a client of that kind. */
function upstreamDialect(target: Target, client: ClientKind): UpstreamDialect {
  if (target === 'openai-responses') return client === 'codex' ? 'openai-responses' : 'openai-chat';
  return target;
}

const ups = {} as Record<Target, Upstream>;
const gws = {} as Record<Target, RunningGateway>;

beforeAll(async () => {
  ups['openai-chat'] = await startOpenAIUpstream({ keys: [UP_KEY] });
  ups['openai-responses'] = await startOpenAIUpstream({ keys: [UP_KEY] });
  ups.anthropic = await startAnthropicUpstream({ keys: [UP_KEY] });
  ups.gemini = await startGeminiUpstream({ keys: [UP_KEY] });
  const allModels = Object.values(CAPTURED_MODELS).flat();
  for (const t of TARGETS) {
    const type = t.startsWith('openai') ? 'openai' : t;
    gws[t] = await startGateway({
      auth_mode: 'strict',
      api_key: CLIENT_KEY,
      providers: [{ name: `to-${t}`, type, base_url: ups[t].url, api_keys: [UP_KEY], ...(t === 'openai-responses' && { responses: true }) }],
      model_mapping: Object.fromEntries(allModels.map((m) => [m, TARGET_MODEL[t]])),
    });
  }
});

afterAll(async () => {
  await Promise.all(Object.values(gws).map((g) => g.close()));
  await Promise.all(Object.values(ups).map((u) => u.close()));
});

// ---------------------------------------------------------------------------------------------

async function replay(target: Target, req: CapturedRequest, body: Json = req.body): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${gws[target].url}${req.path}`, {
    method: req.method,
    headers: replayHeaders(req, CLIENT_KEY),
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Parses the answer the way the client would and returns what it got. */
function readAnswer(client: ClientKind, req: CapturedRequest, text: string): ClientAnswer & { finishReason?: string } {
  switch (client) {
    case 'claude-code':
      return readAnthropicStream(parseSse(text));
    case 'codex':
      return readResponsesStream(parseSse(text));
    case 'gemini-cli': {
      if (req.path.includes(':streamGenerateContent')) return readGeminiChunks(parseSse(text).map((f) => f.json ?? {}));
      return readGeminiChunks([JSON.parse(text) as Json]);
    }
  }
}

/** Instructions the client sent: Claude Code's system blocks, Codex's developer messages, Gemini CLI's systemInstruction. */
function clientInstructions(client: ClientKind, body: Json): string[] {
  switch (client) {
    case 'claude-code':
      return arr(body.system).map((b) => String(b.text));
    case 'codex':
      return arr(body.input)
        .filter((i) => i.role === 'developer')
        .flatMap((i) => arr(i.content).map((c) => String(c.text)));
    case 'gemini-cli':
      return arr((body.systemInstruction as Json).parts).map((p) => String(p.text));
  }
}

/** Mid-conversation instructions (Claude Code's `role: "system"` message), which must reach the upstream too. */
function midConversationInstructions(client: ClientKind, body: Json): string[] {
  if (client !== 'claude-code') return [];
  return arr(body.messages)
    .filter((m) => m.role === 'system')
    .flatMap((m) => (typeof m.content === 'string' ? [m.content] : arr(m.content).map((c) => String(c.text))));
}

/** Codex's flat form of a namespaced function (codex-rs tool_name.rs canonical_flat_name). */
const flatName = (ns: string, name: string) => `${ns.replace(/_+$/, '')}__${name.replace(/^_+/, '')}`;

/** The function tools the upstream must be offered, by name, for a translated request. */
function expectedToolNames(client: ClientKind, body: Json): string[] {
  switch (client) {
    case 'claude-code':
      return arr(body.tools).map((t) => String(t.name));
    case 'codex':
      return arr(body.tools).flatMap((t) =>
        t.type === 'function' ? [String(t.name)] : t.type === 'namespace' ? arr(t.tools).map((i) => flatName(String(t.name), String(i.name))) : [],
      );
    case 'gemini-cli':
      return arr(body.tools).flatMap((t) => arr(t.functionDeclarations).map((d) => String(d.name)));
  }
}

/** Every string value in a JSON document, for "this text reached the upstream somewhere". */
function allStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) allStrings(x, out);
  else if (isObj(v)) for (const x of Object.values(v)) allStrings(x, out);
  return out;
}

interface Expectation {
  /** The tool call/result pair in this request's history, and the result text. */
  roundTrip?: { name: string; output: string };
}

const CASES: Array<{ name: CaptureName; index: number } & Expectation> = [
  { name: 'claude-code-p-apikey', index: 0 },
  { name: 'claude-code-p-sonnet', index: 0 },
  { name: 'claude-code-p-tool-roundtrip', index: 0 },
  { name: 'claude-code-p-tool-roundtrip', index: 1, roundTrip: { name: 'Bash', output: 'stub-tool-ok' } },
  { name: 'codex-exec-responses', index: 0 },
  { name: 'codex-exec-tool-roundtrip', index: 0 },
  { name: 'codex-exec-tool-roundtrip', index: 1, roundTrip: { name: 'exec_command', output: 'stub-tool-ok' } },
  { name: 'gemini-cli', index: 0 },
  { name: 'gemini-cli', index: 1 },
  { name: 'gemini-cli-tool-roundtrip', index: 0 },
  { name: 'gemini-cli-tool-roundtrip', index: 1 },
  { name: 'gemini-cli-tool-roundtrip', index: 2, roundTrip: { name: 'list_directory', output: 'Directory <tmp-workdir> is empty.' } },
];

describe.each(TARGETS)('captured client requests → %s upstream', (target) => {
  it.each(CASES)('$name request $index', async ({ name, index, roundTrip }) => {
    const req = loadCapture(name)[index];
    const client = clientOf(name);
    const dialect = upstreamDialect(target, client);
    const same = dialect === CLIENT_DIALECT[client];
    const up = ups[target];
    const before = generationRequests(up).length;

    const res = await replay(target, req);
    expect(res.status, res.text.slice(0, 600)).toBe(200);

    // Exactly one upstream call, which the strict upstream accepted (else the client would see its 400).
    const sent = generationRequests(up).slice(before);
    expect(sent).toHaveLength(1);
    const seen = sent[0].body as Json;
    expect(sent[0].key).toBe(UP_KEY);
    expect(JSON.stringify(sent[0].headers)).not.toContain(CLIENT_KEY);

    // The answer parses in the client's dialect and ends with the dialect's terminal event.
    const answer = readAnswer(client, req, res.text);
    expect(answer.error, JSON.stringify(answer.error)).toBeUndefined();
    expect(answer.completed).toBe(true);
    if (client === 'codex') expect((answer.usage as Json | undefined)?.total_tokens).toEqual(expect.any(Number));
    expect(answer.text.length + answer.calls.length).toBeGreaterThan(0);

    if (same) {
      // The relay fast path: the client's own body, only the model renamed.
      const expected = client === 'gemini-cli' ? req.body : { ...req.body, model: TARGET_MODEL[target] };
      expect(seen).toEqual(expected);
    }

    // Instructions: every block of the system prompt, in the upstream's instruction slot.
    const sys = upstreamSystemText(dialect, seen);
    for (const text of clientInstructions(client, req.body)) expect(sys, `system text lost: ${text.slice(0, 60)}`).toContain(text);
    const strings = allStrings(seen);
    for (const text of midConversationInstructions(client, req.body)) {
      expect(strings.some((s) => s.includes(text)), `mid-conversation system text lost: ${text.slice(0, 60)}`).toBe(true);
    }

    // Tools: every one, names preserved (Codex namespaces flattened the way Codex names them).
    const tools = upstreamTools(dialect, seen);
    if (!same) {
      expect(tools.map((t) => t.name)).toEqual(expectedToolNames(client, req.body));
      for (const t of tools) expect(isObj(t.schema) || t.schema === undefined, `${t.name} schema`).toBe(true);
      // defer_loading is Anthropic's tool-search flag; no other vendor knows the field.
      if (dialect !== 'anthropic') expect(JSON.stringify(seen.tools ?? [])).not.toContain('defer_loading');
    } else if (client === 'claude-code') {
      expect(arr(seen.tools).find((t) => t.name === 'DeferredToolPlaceholder')?.defer_loading).toBe(true);
    }
    if (dialect === 'gemini') {
      for (const t of tools) expect(foreignSchemaKeys(t.schema), `${t.name} parameters`).toEqual([]);
    }

    // The tool round trip: the result reaches the upstream paired with its call, and the model saw it.
    if (roundTrip) {
      const rt = upstreamRoundTrip(dialect, seen, roundTrip.name);
      expect(rt, `${roundTrip.name} call/result pair`).toBeDefined();
      expect(rt?.resultText).toContain(roundTrip.output);
      expect(answer.text).toContain('tool result was:');
      expect(answer.text).toContain(roundTrip.output);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('Codex namespace tools map back to namespace + name', () => {
  it.each(['openai-chat', 'anthropic', 'gemini'] as const)('a call to a flattened tool from %s reaches Codex as its namespaced function', async (target) => {
    const req = loadCapture('codex-exec-responses')[0];
    const up = ups[target];
    up.setScript(() => ({ kind: 'reply', reply: { toolCalls: [{ name: 'multi_agent_v1__spawn_agent', arguments: { task_name: 'x', message: 'do it' } }] } }));
    try {
      const res = await replay(target, req);
      expect(res.status).toBe(200);
      const answer = readResponsesStream(parseSse(res.text));
      expect(answer.completed).toBe(true);
      expect(answer.calls).toEqual([expect.objectContaining({ name: 'spawn_agent', namespace: 'multi_agent_v1', args: { task_name: 'x', message: 'do it' } })]);
    } finally {
      up.setScript(undefined);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// count_tokens: Claude Code asks before sending big prompts; Gemini CLI's SDK has countTokens.

const COUNT_FIELDS = ['model', 'messages', 'system', 'tools', 'thinking'];

function claudeCountBody(): { req: CapturedRequest; body: Json } {
  const req = loadCapture('claude-code-p-apikey')[0];
  const body: Json = {};
  for (const k of COUNT_FIELDS) if (req.body[k] !== undefined) body[k] = req.body[k];
  return { req: { ...req, path: '/v1/messages/count_tokens?beta=true' }, body };
}

function geminiCountBody(): { req: CapturedRequest; body: Json } {
  const req = loadCapture('gemini-cli')[1];
  const { contents, systemInstruction, tools } = req.body;
  return {
    req: { ...req, path: '/v1beta/models/gemini-3.8-flash:countTokens' },
    body: { generateContentRequest: { model: 'models/gemini-3.8-flash', contents, systemInstruction, tools } },
  };
}

/** What the vendor itself counts for the same body (asked directly, no gateway in between). */
async function vendorCount(vendor: 'anthropic' | 'gemini', body: Json): Promise<number> {
  if (vendor === 'anthropic') {
    const r = await fetch(`${ups.anthropic.url}/v1/messages/count_tokens`, {
      method: 'POST',
      // Claude Code's betas: its mid-conversation system message carries per-turn-control's output_config.
      headers: { 'content-type': 'application/json', 'x-api-key': UP_KEY, 'anthropic-version': '2023-06-01', 'anthropic-beta': claudeCountBody().req.headers['anthropic-beta'] },
      body: JSON.stringify({ ...body, model: TARGET_MODEL.anthropic }),
    });
    expect(r.status).toBe(200);
    return ((await r.json()) as { input_tokens: number }).input_tokens;
  }
  const r = await fetch(`${ups.gemini.url}/v1beta/models/${TARGET_MODEL.gemini}:countTokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': UP_KEY },
    body: JSON.stringify({ generateContentRequest: { ...(body.generateContentRequest as Json), model: `models/${TARGET_MODEL.gemini}` } }),
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { totalTokens: number }).totalTokens;
}

/** An estimate may err high, never much lower than the vendor's own count. */
const ESTIMATE_FLOOR = 0.9;

describe('Anthropic count_tokens with the Claude Code body', () => {
  it('routed to anthropic: the upstream counts', async () => {
    const { req, body } = claudeCountBody();
    const before = ups.anthropic.requests.length;
    const res = await replay('anthropic', req, body);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('x-switchyard-token-count')).toBe('upstream');
    const seen = ups.anthropic.requests.slice(before).find((r) => r.path.startsWith('/v1/messages/count_tokens'));
    expect(seen).toBeDefined();
    expect((JSON.parse(res.text) as { input_tokens: number }).input_tokens).toBe(await vendorCount('anthropic', body));
  });

  it('routed to gemini: translated and counted by the upstream', async () => {
    const { req, body } = claudeCountBody();
    const before = ups.gemini.requests.length;
    const res = await replay('gemini', req, body);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('x-switchyard-token-count')).toBe('upstream');
    const seen = ups.gemini.requests.slice(before).find((r) => r.path.includes(':countTokens'));
    expect(seen?.path).toBe(`/v1beta/models/${TARGET_MODEL.gemini}:countTokens`);
    const inner = (seen?.body as Json).generateContentRequest as Json;
    for (const t of upstreamTools('gemini', inner)) expect(foreignSchemaKeys(t.schema)).toEqual([]);
    expect((JSON.parse(res.text) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
  });

  it.each(['openai-chat', 'openai-responses'] as const)('routed to %s: a local estimate, marked, not much below the vendor count', async (target) => {
    const { req, body } = claudeCountBody();
    const before = ups[target].requests.length;
    const res = await replay(target, req, body);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('x-switchyard-token-count')).toBe('estimate');
    expect(ups[target].requests.length).toBe(before); // nothing sent upstream
    const estimate = (JSON.parse(res.text) as { input_tokens: number }).input_tokens;
    expect(estimate).toBeGreaterThanOrEqual(Math.floor(ESTIMATE_FLOOR * (await vendorCount('anthropic', body))));
  });
});

describe('Gemini countTokens with the Gemini CLI body', () => {
  it('routed to gemini: the upstream counts', async () => {
    const { req, body } = geminiCountBody();
    const res = await replay('gemini', req, body);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('x-switchyard-token-count')).toBe('upstream');
    expect((JSON.parse(res.text) as { totalTokens: number }).totalTokens).toBe(await vendorCount('gemini', body));
  });

  it('routed to anthropic: translated and counted by the upstream', async () => {
    const { req, body } = geminiCountBody();
    const before = ups.anthropic.requests.length;
    const res = await replay('anthropic', req, body);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('x-switchyard-token-count')).toBe('upstream');
    const seen = ups.anthropic.requests.slice(before).find((r) => r.path.startsWith('/v1/messages/count_tokens'));
    expect(upstreamTools('anthropic', seen?.body as Json).map((t) => t.name)).toEqual(expectedToolNames('gemini-cli', req.body));
    expect((JSON.parse(res.text) as { totalTokens: number }).totalTokens).toBeGreaterThan(0);
  });

  it('a bare {contents} body (what @google/genai sends) counts too', async () => {
    const { req } = geminiCountBody();
    const res = await replay('anthropic', req, { contents: loadCapture('gemini-cli')[1].body.contents });
    expect(res.status, res.text).toBe(200);
    expect((JSON.parse(res.text) as { totalTokens: number }).totalTokens).toBeGreaterThan(0);
  });

  it.each(['openai-chat', 'openai-responses'] as const)('routed to %s: a local estimate, marked, not much below the vendor count', async (target) => {
    const { req, body } = geminiCountBody();
    const res = await replay(target, req, body);
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('x-switchyard-token-count')).toBe('estimate');
    const estimate = (JSON.parse(res.text) as { totalTokens: number }).totalTokens;
    expect(estimate).toBeGreaterThanOrEqual(Math.floor(ESTIMATE_FLOOR * (await vendorCount('gemini', body))));
  });
});
