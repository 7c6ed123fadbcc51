// Given the base URL a user typed into a client, which paths each client family would send, and whether
// Switchyard serves them (as is, rewritten, or not at all) — decided by the gateway's own path resolver.

import { resolvePath, type ClientSignals, type RouteName } from '../../server/paths/resolve-path.js';

export interface FamilyProbe {
  method: 'GET' | 'POST';
  /** Appended to the typed base URL's path, as the client does. */
  suffix: string;
  expect: RouteName;
  body?: { messages: boolean; input: boolean; contents: boolean };
}

export interface ClientFamily {
  id: 'openai' | 'anthropic' | 'gemini' | 'genai3';
  label: string;
  /** Where the user types the base URL for this family. */
  setting: string;
  /** The base URL to type, given the gateway's origin. */
  recommended(origin: string): string;
  signals: ClientSignals;
  probes: FamilyProbe[];
}

const NO_SIGNALS: ClientSignals = { anthropicVersion: false, googApiKey: false, xApiKey: false, bearer: false };
const MODEL = 'gemini-2.5-flash';

export const CLIENT_FAMILIES: ClientFamily[] = [
  {
    id: 'openai',
    label: 'OpenAI SDKs, Codex, opencode, Kilo',
    setting: 'OPENAI_BASE_URL / baseURL / base_url',
    recommended: (o) => `${o}/v1`,
    signals: { ...NO_SIGNALS, bearer: true },
    probes: [
      { method: 'POST', suffix: '/chat/completions', expect: 'openai.chat', body: { messages: true, input: false, contents: false } },
      { method: 'POST', suffix: '/responses', expect: 'openai.responses', body: { messages: false, input: true, contents: false } },
      { method: 'GET', suffix: '/models', expect: 'models.list' },
    ],
  },
  {
    id: 'anthropic',
    label: 'Claude Code, Anthropic SDKs',
    setting: 'ANTHROPIC_BASE_URL / baseURL',
    recommended: (o) => o,
    signals: { ...NO_SIGNALS, anthropicVersion: true, xApiKey: true },
    probes: [
      { method: 'POST', suffix: '/v1/messages', expect: 'anthropic.messages', body: { messages: true, input: false, contents: false } },
      { method: 'POST', suffix: '/v1/messages/count_tokens', expect: 'anthropic.count_tokens', body: { messages: true, input: false, contents: false } },
    ],
  },
  {
    id: 'gemini',
    label: 'Gemini CLI, @google/genai 2.x',
    setting: 'GOOGLE_GEMINI_BASE_URL / httpOptions.baseUrl',
    recommended: (o) => o,
    signals: { ...NO_SIGNALS, googApiKey: true },
    probes: [
      { method: 'POST', suffix: `/v1beta/models/${MODEL}:streamGenerateContent`, expect: 'gemini.stream', body: { messages: false, input: false, contents: true } },
      { method: 'GET', suffix: '/v1beta/models', expect: 'models.list' },
    ],
  },
  {
    id: 'genai3',
    label: '@google/genai 3.x',
    setting: 'httpOptions.baseUrl',
    recommended: (o) => o,
    signals: { ...NO_SIGNALS, googApiKey: true },
    probes: [
      { method: 'POST', suffix: `/v1/models/${MODEL}:generateContent`, expect: 'gemini.generate', body: { messages: false, input: false, contents: true } },
    ],
  },
];

export interface PathPrediction {
  method: string;
  /** What the client sends. */
  sent: string;
  /** What Switchyard serves it as, when it resolves to the intended endpoint. */
  servedAs?: string;
  ok: boolean;
  rewritten: boolean;
  /** Why it does not resolve, or what the resolver said to fix. */
  reason?: string;
}

export interface FamilyPrediction {
  family: ClientFamily;
  verdict: 'ok' | 'rewritten' | 'broken';
  paths: PathPrediction[];
  /** One line: what to type instead (when the verdict is not ok). */
  advice?: string;
}

/** Splits what the user typed into the origin and the path prefix clients append to. */
export function splitBaseUrl(typed: string): { origin: string; prefix: string } {
  const u = new URL(typed.trim());
  return { origin: u.origin, prefix: u.pathname.replace(/\/+$/, '') };
}

export function predictFamily(family: ClientFamily, typed: string): FamilyPrediction {
  const { origin, prefix } = splitBaseUrl(typed);
  const paths = family.probes.map((p): PathPrediction => {
    const sent = prefix + p.suffix;
    const r = resolvePath({ method: p.method, path: sent, signals: family.signals, body: p.body, origin });
    if (r.kind !== 'route') return { method: p.method, sent, ok: false, rewritten: false, reason: r.reason };
    if (r.route !== p.expect) {
      return { method: p.method, sent, servedAs: r.path, ok: false, rewritten: r.rewritten, reason: `served as ${r.path}, a different endpoint than the client meant` };
    }
    return { method: p.method, sent, servedAs: r.path, ok: true, rewritten: r.rewritten, ...(r.fix && { reason: r.fix }) };
  });
  const recommended = family.recommended(origin);
  const advice = `set ${family.setting} to ${recommended}`;
  if (paths.some((p) => !p.ok)) return { family, verdict: 'broken', paths, advice };
  if (paths.some((p) => p.rewritten)) return { family, verdict: 'rewritten', paths, advice };
  return { family, verdict: 'ok', paths };
}

export function predictAll(typed: string): FamilyPrediction[] {
  return CLIENT_FAMILIES.map((f) => predictFamily(f, typed));
}
