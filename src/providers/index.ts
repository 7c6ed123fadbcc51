import type { ProviderConfig } from '../config/schema.js';
import { anthropicAdapter } from './anthropic.js';
import { geminiAdapter } from './gemini.js';
import { openaiAdapter } from './openai.js';
import { createProvider, type Provider, type ProviderAdapter } from './provider.js';

function adapterFor(config: ProviderConfig): ProviderAdapter {
  switch (config.type) {
    case 'openai':
      return openaiAdapter({ responses: config.responses, extraHeaders: config.headers });
    case 'anthropic':
      return anthropicAdapter({ extraHeaders: config.headers });
    case 'gemini':
      return geminiAdapter({ extraHeaders: config.headers });
  }
}

export function buildProviders(configs: ProviderConfig[]): Provider[] {
  return configs.filter((c) => c.enabled).map((c) => createProvider(c, adapterFor(c)));
}

export type { Provider } from './provider.js';
