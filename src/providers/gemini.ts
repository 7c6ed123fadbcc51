import type { ProviderAdapter } from './provider.js';

// https://ai.google.dev/api/generate-content — base URL is the origin; we append /v1beta/models/….
export function geminiAdapter(opts: { extraHeaders: Record<string, string> }): ProviderAdapter {
  return {
    type: 'gemini',
    upstreamDialect: () => 'gemini',
    url(baseUrl, call) {
      const model = encodeURIComponent(call.model.replace(/^models\//, ''));
      if (call.countTokens) return `${baseUrl}/v1beta/models/${model}:countTokens`;
      if (!call.stream) return `${baseUrl}/v1beta/models/${model}:generateContent`;
      return `${baseUrl}/v1beta/models/${model}:streamGenerateContent${call.geminiSse === false ? '' : '?alt=sse'}`;
    },
    headers(key) {
      return { 'content-type': 'application/json', 'x-goog-api-key': key, ...opts.extraHeaders };
    },
    modelsUrl: (baseUrl) => `${baseUrl}/v1beta/models?pageSize=1000`,
    parseModelList(body) {
      const models = (body as { models?: unknown }).models;
      return Array.isArray(models)
        ? models
            .map((m) => (m as { name?: unknown }).name)
            .filter((n): n is string => typeof n === 'string')
            .map((n) => n.replace(/^models\//, ''))
        : [];
    },
  };
}
