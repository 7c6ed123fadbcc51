import type { Dialect } from '../canonical/types.js';
import type { ProviderConfig, ProviderType } from '../config/schema.js';
import type { StateChange } from '../routing/credential.js';
import { CredentialPool } from '../routing/credential-pool.js';
import { matchesGlob } from '../routing/glob.js';

export type Headers = Record<string, string>;

/** What a provider adapter needs to know about one upstream call. */
export interface UpstreamCall {
  dialect: Dialect;
  model: string;
  stream: boolean;
  /** Gemini only: keep the client's `alt` choice on the same-dialect relay (SSE vs JSON array). */
  geminiSse?: boolean;
  /** Anthropic only: the client's count_tokens call. */
  countTokens?: boolean;
}

/** A thin adapter: where to send a call, with which headers, and how to list models. */
export interface ProviderAdapter {
  readonly type: ProviderType;
  /** The upstream dialect a request arrives in, given what the client spoke. */
  upstreamDialect(client: Dialect): Dialect;
  url(baseUrl: string, call: UpstreamCall): string;
  headers(key: string, clientHeaders: Record<string, string | string[] | undefined>, sameDialect: boolean): Headers;
  /** Where to GET the model list, and how to read ids out of it. */
  modelsUrl(baseUrl: string): string;
  parseModelList(body: unknown): string[];
}

export interface Provider {
  readonly name: string;
  readonly type: ProviderType;
  readonly baseUrl: string;
  readonly adapter: ProviderAdapter;
  readonly pool: CredentialPool;
  readonly config: ProviderConfig;
  /** Whether this provider serves the (mapped) model name. */
  serves(model: string): boolean;
}

export function createProvider(
  config: ProviderConfig,
  adapter: ProviderAdapter,
  onChange?: StateChange,
  /** The provider this one replaces (same name): its credentials keep their state. */
  previous?: Provider,
): Provider {
  const patterns = config.models;
  return {
    name: config.name,
    type: config.type,
    baseUrl: config.base_url as string,
    adapter,
    pool: new CredentialPool(config.api_keys, config.strategy, onChange, previous?.pool),
    config,
    serves: (model) => !patterns || patterns.length === 0 || patterns.some((p) => matchesGlob(p, model)),
  };
}

export function firstHeader(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
