import type { ProviderAdapter } from './provider.js';
import { firstHeader } from './provider.js';

// https://docs.anthropic.com/en/api/messages — base URL is the origin; we append /v1/messages.
const DEFAULT_VERSION = '2023-06-01';

export function anthropicAdapter(opts: { extraHeaders: Record<string, string> }): ProviderAdapter {
  return {
    type: 'anthropic',
    upstreamDialect: () => 'anthropic',
    url(baseUrl, call) {
      return call.countTokens ? `${baseUrl}/v1/messages/count_tokens` : `${baseUrl}/v1/messages`;
    },
    headers(key, clientHeaders, sameDialect) {
      const h: Record<string, string> = { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': DEFAULT_VERSION };
      if (sameDialect) {
        // On the relay path the client's API version and betas are what its body was written for.
        const version = firstHeader(clientHeaders, 'anthropic-version');
        if (version && /^\d{4}-\d{2}-\d{2}$/.test(version)) h['anthropic-version'] = version;
        const beta = firstHeader(clientHeaders, 'anthropic-beta');
        if (beta) h['anthropic-beta'] = beta;
      }
      return Object.assign(h, opts.extraHeaders);
    },
    modelsUrl: (baseUrl) => `${baseUrl}/v1/models?limit=1000`,
    parseModelList(body) {
      const data = (body as { data?: unknown }).data;
      return Array.isArray(data) ? data.map((m) => (m as { id?: unknown }).id).filter((id): id is string => typeof id === 'string') : [];
    },
  };
}
