// `switchyard doctor [BASE_URL]`: checks a running gateway the way a client would — reachability,
// /healthz, auth, each dialect's model list, one tiny request per provider — and, for the base URL a
// user typed into a client, which paths each client family would send and whether they resolve.

import { parseArgs } from 'node:util';
import { configFlags, GATEWAY_OPTIONS } from '../gateway-options.js';
import { ConfigError, loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { maskClientKey } from './mask.js';
import { predictAll, splitBaseUrl, type FamilyPrediction } from './predict-paths.js';
import { clientOriginOf, processIo, type CommandIo } from './setup.js';

export const DOCTOR_HELP = `Usage: switchyard doctor [BASE_URL] [--key KEY] [options]

Checks a running gateway as a client would and prints a checklist (exit 1 when a gateway check fails).
BASE_URL is the address as you typed it into a client (e.g. http://127.0.0.1:8045/v1); doctor also says
which paths each kind of client would send from it and whether Switchyard serves them.

Options:
      --key KEY        the key to send (default: SWITCHYARD_API_KEY, or the configured/generated key)
      --timeout S      seconds to wait for each request (default 20)
      --no-requests    skip the one tiny generation request per provider
  -c, --config FILE / -p, --port N / --host H / --data-dir DIR   find the gateway and its key as serve does`;

export interface Check {
  ok: boolean;
  label: string;
  detail: string;
  advice?: string;
}

export function renderChecks(checks: Check[]): string {
  const width = Math.min(28, Math.max(...checks.map((c) => c.label.length)));
  return checks
    .map((c) => {
      const line = `${c.ok ? '✓' : '✗'} ${c.label.padEnd(width)}  ${c.detail}`;
      return c.advice ? `${line}\n    → ${c.advice}` : line;
    })
    .join('\n');
}

/** One line per client family for the typed base URL. */
export function pathChecks(predictions: FamilyPrediction[]): Check[] {
  return predictions.map((p) => {
    const paths = p.paths.map((x) => `${x.method} ${x.sent}${x.servedAs && x.servedAs !== x.sent ? ` → ${x.servedAs}` : ''}`).join(', ');
    if (p.verdict === 'ok') return { ok: true, label: p.family.label, detail: `${paths} (served as sent)` };
    if (p.verdict === 'rewritten') return { ok: true, label: p.family.label, detail: paths, advice: `works (Switchyard rewrites the path), but better: ${p.advice}` };
    const why = p.paths.find((x) => !x.ok)?.reason ?? 'does not resolve';
    return { ok: false, label: p.family.label, detail: `${paths} — ${why}`, advice: p.advice };
  });
}

interface Probe {
  status: number;
  body: unknown;
  ms: number;
  error?: string;
}

async function probe(url: string, init: RequestInit, timeoutMs: number): Promise<Probe> {
  const started = Date.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body, ms: Date.now() - started };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const e = err as Error;
    const error = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (cause?.code ?? cause?.message ?? e.message);
    return { status: 0, body: undefined, ms: Date.now() - started, error };
  }
}

function errorMessage(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 160);
  const b = body as { error?: { message?: unknown } | string; message?: unknown } | undefined;
  const m = typeof b?.error === 'object' ? b.error.message : (b?.error ?? b?.message);
  return typeof m === 'string' ? m.slice(0, 200) : JSON.stringify(body ?? '').slice(0, 160);
}

function listOf(body: unknown, dialect: 'openai' | 'anthropic' | 'gemini'): { id: string; owner?: string }[] {
  const b = body as { data?: { id?: unknown; owned_by?: unknown }[]; models?: { name?: unknown }[] } | undefined;
  if (dialect === 'gemini') {
    return (b?.models ?? []).map((m) => ({ id: String(m.name ?? '').replace(/^models\//, '') })).filter((m) => m.id);
  }
  return (b?.data ?? [])
    .filter((m) => typeof m.id === 'string')
    .map((m) => ({ id: m.id as string, ...(typeof m.owned_by === 'string' && { owner: m.owned_by }) }));
}

function preview(ids: string[]): string {
  const shown = ids.slice(0, 4).join(', ');
  return ids.length > 4 ? `${shown}, … (${ids.length} in all)` : shown;
}

const NOT_CHAT = /(embed|tts|whisper|dall-e|image|audio|realtime|moderation|transcribe)/i;

export interface DoctorOptions {
  baseUrl: string;
  keys: string[];
  timeoutMs: number;
  requests: boolean;
}

/** Runs every check; returns the checklist and whether every gateway check passed. */
export async function diagnose(opts: DoctorOptions): Promise<{ checks: Check[]; paths: Check[]; ok: boolean }> {
  const { origin } = splitBaseUrl(opts.baseUrl);
  const checks: Check[] = [];
  const paths = pathChecks(predictAll(opts.baseUrl));
  const t = opts.timeoutMs;

  const health = await probe(`${origin}/healthz`, {}, t);
  if (health.status === 0) {
    checks.push({
      ok: false,
      label: 'reachable',
      detail: `nothing answered at ${origin} (${health.error})`,
      advice: 'start the gateway (`switchyard`), or check the host and port (the banner prints them)',
    });
    return { checks, paths, ok: false };
  }
  checks.push({ ok: true, label: 'reachable', detail: `${origin} answered in ${health.ms} ms` });

  let healthBody = health.body as { status?: unknown; version?: unknown } | undefined;
  let healthStatus = health.status;
  if (health.status === 401 && opts.keys[0]) {
    const again = await probe(`${origin}/healthz`, { headers: { authorization: `Bearer ${opts.keys[0]}` } }, t);
    healthBody = again.body as typeof healthBody;
    healthStatus = again.status;
  }
  if (healthStatus === 200 && healthBody?.status === 'ok') {
    checks.push({ ok: true, label: '/healthz', detail: `ok${typeof healthBody.version === 'string' ? `, Switchyard ${healthBody.version}` : ''}` });
  } else {
    checks.push({
      ok: false,
      label: '/healthz',
      detail: `answered ${healthStatus}${healthStatus === 401 ? ' (auth_mode strict needs a key here too)' : ''}`,
      advice: healthStatus === 404 ? `something other than Switchyard listens at ${origin}; check the port` : 'pass the gateway key with --key',
    });
  }

  // Auth: which key (if any) opens /v1/models.
  const open = await probe(`${origin}/v1/models`, {}, t);
  let key: string | undefined;
  if (open.status === 200) {
    key = opts.keys[0] ?? 'sk-switchyard';
    checks.push({ ok: true, label: 'auth', detail: 'off — any key (or none) is accepted' });
  } else if (open.status === 401) {
    for (const k of opts.keys) {
      const r = await probe(`${origin}/v1/models`, { headers: { authorization: `Bearer ${k}` } }, t);
      if (r.status === 200) {
        key = k;
        break;
      }
    }
    if (key) checks.push({ ok: true, label: 'auth', detail: `on — key ${maskClientKey(key)} accepted` });
    else {
      checks.push({
        ok: false,
        label: 'auth',
        detail: opts.keys.length > 0 ? `on — ${opts.keys.map(maskClientKey).join(', ')} refused` : 'on — and no key was given',
        advice: 'pass the key from the banner with --key (a generated one is in <data-dir>/api_key), or set SWITCHYARD_API_KEY',
      });
      return { checks, paths, ok: false };
    }
  } else {
    checks.push({ ok: false, label: 'auth', detail: `GET /v1/models answered ${open.status || open.error}: ${errorMessage(open.body)}` });
    return { checks, paths, ok: false };
  }

  const lists: { label: string; dialect: 'openai' | 'anthropic' | 'gemini'; url: string; headers: Record<string, string> }[] = [
    { label: 'OpenAI models', dialect: 'openai', url: `${origin}/v1/models`, headers: { authorization: `Bearer ${key}` } },
    { label: 'Anthropic models', dialect: 'anthropic', url: `${origin}/v1/models`, headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' } },
    { label: 'Gemini models', dialect: 'gemini', url: `${origin}/v1beta/models`, headers: { 'x-goog-api-key': key } },
  ];
  let openaiModels: { id: string; owner?: string }[] = [];
  for (const l of lists) {
    const r = await probe(l.url, { headers: l.headers }, t);
    const ids = r.status === 200 ? listOf(r.body, l.dialect) : [];
    if (l.dialect === 'openai') openaiModels = listOf(r.body, 'openai');
    if (r.status !== 200) checks.push({ ok: false, label: l.label, detail: `answered ${r.status || r.error}: ${errorMessage(r.body)}` });
    else if (ids.length === 0)
      checks.push({ ok: false, label: l.label, detail: 'empty list', advice: 'add providers (with their models) under `providers:` in config.yaml' });
    else checks.push({ ok: true, label: l.label, detail: `${ids.length}: ${preview(ids.map((m) => m.id))}` });
  }

  // One tiny request per provider (the owner of each listed model), through the OpenAI Chat endpoint.
  const byProvider = new Map<string, string>();
  for (const m of openaiModels) {
    if (!m.owner || m.owner === 'switchyard-alias' || NOT_CHAT.test(m.id)) continue;
    if (!byProvider.has(m.owner)) byProvider.set(m.owner, m.id);
  }
  if (byProvider.size === 0) {
    checks.push({ ok: false, label: 'providers', detail: 'no provider serves a model', advice: 'add providers under `providers:` in config.yaml (see the README)' });
  } else if (!opts.requests) {
    checks.push({ ok: true, label: 'providers', detail: `${[...byProvider.keys()].join(', ')} (requests skipped)` });
  } else {
    for (const [provider, model] of byProvider) {
      const r = await probe(
        `${origin}/v1/chat/completions`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Reply with OK.' }], max_tokens: 16, stream: false }),
        },
        t,
      );
      if (r.status === 200) checks.push({ ok: true, label: `provider ${provider}`, detail: `${model} answered in ${r.ms} ms` });
      else
        checks.push({
          ok: false,
          label: `provider ${provider}`,
          detail: `${model}: ${r.status || r.error} ${errorMessage(r.body)}`,
          advice: r.status === 401 || r.status === 403 ? `check ${provider}'s api_keys` : `check ${provider}'s base_url, keys and models in config.yaml`,
        });
    }
  }
  return { checks, paths, ok: checks.every((c) => c.ok) };
}

export async function runDoctor(argv: string[], io: CommandIo = processIo()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        key: { type: 'string' },
        timeout: { type: 'string' },
        'no-requests': { type: 'boolean' },
        ...GATEWAY_OPTIONS,
      },
    });
  } catch (err) {
    io.stderr(`switchyard doctor: ${(err as Error).message}\n${DOCTOR_HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(DOCTOR_HELP + '\n');
    return 0;
  }
  if (positionals.length > 1) {
    io.stderr(`switchyard doctor: one base URL at most\n${DOCTOR_HELP}\n`);
    return 2;
  }
  let config: Config | undefined;
  try {
    config = loadConfig(configFlags(values), io.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (!positionals[0]) {
      io.stderr(`switchyard doctor: ${err.message}\n`);
      return 2;
    }
  }
  const baseUrl = positionals[0] ?? clientOriginOf(config as Config);
  try {
    splitBaseUrl(baseUrl);
  } catch {
    io.stderr(`switchyard doctor: '${baseUrl}' is not a URL (like http://127.0.0.1:8045/v1)\n`);
    return 2;
  }
  const timeout = Number(values.timeout ?? 20);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    io.stderr('switchyard doctor: --timeout takes a number of seconds\n');
    return 2;
  }
  const keys = [values.key, io.env.SWITCHYARD_API_KEY, io.env.API_KEY, ...(config?.api_keys ?? [])].filter((k): k is string => !!k);
  const result = await diagnose({ baseUrl, keys: [...new Set(keys)], timeoutMs: timeout * 1000, requests: !values['no-requests'] });
  io.stdout(`switchyard doctor: ${baseUrl}\n${renderChecks(result.checks)}\n\nThe base URL ${baseUrl}, typed into:\n${renderChecks(result.paths)}\n`);
  io.stdout(result.ok ? '\nAll gateway checks passed.\n' : '\nSome gateway checks failed; see the → lines.\n');
  return result.ok ? 0 : 1;
}
