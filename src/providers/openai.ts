import type { Dialect } from '../canonical/types.js';
import type { ProviderAdapter } from './provider.js';

// https://platform.openai.com/docs/api-reference — base URL includes the version path (`…/v1`).
export function openaiAdapter(opts: { responses: boolean; extraHeaders: Record<string, string> }): ProviderAdapter {
  return {
    type: 'openai',
    upstreamDialect(client: Dialect): Dialect {
      // Responses requests go upstream as Responses only when the provider says it speaks them;
      // many OpenAI-compatible servers only have chat completions.
      return client === 'openai-responses' && opts.responses ? 'openai-responses' : 'openai-chat';
    },
    url(baseUrl, call) {
      return call.dialect === 'openai-responses' ? `${baseUrl}/responses` : `${baseUrl}/chat/completions`;
    },
    headers(key) {
      return { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...opts.extraHeaders };
    },
    modelsUrl: (baseUrl) => `${baseUrl}/models`,
    parseModelList(body) {
      const data = (body as { data?: unknown }).data;
      return Array.isArray(data) ? data.map((m) => (m as { id?: unknown }).id).filter((id): id is string => typeof id === 'string') : [];
    },
  };
}
