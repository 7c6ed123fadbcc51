import type { ProviderConfig } from '../config/schema.js';
import type { Credential, CredentialState, CredentialStatus } from '../routing/credential.js';
import { anthropicAdapter } from './anthropic.js';
import { geminiAdapter } from './gemini.js';
import { openaiAdapter } from './openai.js';
import { createProvider, type Provider, type ProviderAdapter } from './provider.js';

/** A credential changed state: (provider name, credential, old status, new state). */
export type StateChange = (provider: string, c: Credential, from: CredentialStatus, to: CredentialState) => void;

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

/**
 * Providers from config; enabled ones only. With `previous`, a provider of the same name and type
 * keeps the state of credentials whose key did not change (cooldowns survive a config edit).
 */
export function buildProviders(configs: ProviderConfig[], onChange?: StateChange, previous: Provider[] = []): Provider[] {
  return configs
    .filter((c) => c.enabled)
    .map((c) => {
      const old = previous.find((p) => p.name === c.name && p.type === c.type);
      return createProvider(c, adapterFor(c), (cred, from, to) => onChange?.(c.name, cred, from, to), old);
    });
}

export type { Provider } from './provider.js';
