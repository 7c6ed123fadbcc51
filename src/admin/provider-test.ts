import { request } from 'undici';
import type { ProviderConfig } from '../config/schema.js';
import { buildProviders } from '../providers/index.js';
import { redactBody } from '../observability/redact.js';

// "Test" for a provider credential: the cheapest call every vendor answers with the key's verdict —
// the model list. Reports ok, or the upstream's status and its own error message (never the key).

export interface CredentialTest {
  ok: boolean;
  status?: number;
  latency_ms: number;
  /** How many models the upstream listed, when it answered. */
  models?: number;
  error?: string;
}

function messageOf(text: string): string {
  try {
    const b = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof b.error === 'object' && b.error ? b.error.message : (b.error ?? b.message);
    if (typeof m === 'string' && m) return m;
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 500) || '(empty answer)';
}

export async function testCredential(config: ProviderConfig, secret: string, timeoutMs = 10_000): Promise<CredentialTest> {
  const [provider] = buildProviders([{ ...config, api_keys: [secret], enabled: true }]);
  const url = provider.adapter.modelsUrl(provider.baseUrl);
  const started = Date.now();
  const scrub = (s: string) => redactBody(s, [secret], 1000) ?? '';
  try {
    const res = await request(url, {
      method: 'GET',
      headers: provider.adapter.headers(secret, {}, false),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.body.text();
    const latency_ms = Date.now() - started;
    if (res.statusCode >= 400) return { ok: false, status: res.statusCode, latency_ms, error: scrub(messageOf(text)) };
    let models: number | undefined;
    try {
      models = provider.adapter.parseModelList(JSON.parse(text)).length;
    } catch {
      models = undefined;
    }
    return { ok: true, status: res.statusCode, latency_ms, models };
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    return { ok: false, latency_ms: Date.now() - started, error: scrub(`could not reach ${provider.baseUrl} (${code})`) };
  }
}
