import type { Config, ProviderConfig, Settings } from '../config/schema.js';
import { SETTING_KEYS } from '../config/schema.js';
import type { SecretBox } from './crypto.js';
import type { Store } from './types.js';

// Which wins, the config file or the admin API? The one changed last.
//
// At every start the config file seeds the store, section by section (each provider, the model
// mapping, each setting): a section the file says something new about (its fingerprint differs from
// what the file said at the previous start) is written to the store; a section the file has not
// changed keeps whatever the admin API made of it. A provider that came from the file and was not
// edited through the API since is removed when it is removed from the file; one edited through the
// API (origin `admin`) stays until deleted through the API. Fingerprints are keyed HMACs, so the
// store holds no unsalted hash of a credential.

export interface SeedReport {
  providers: string[];
  removedProviders: string[];
  mapping: boolean;
  settings: string[];
}

/** JSON with object keys sorted, so equal values give equal text. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function providerSettings(p: ProviderConfig): Record<string, unknown> & { name: string; type: string } {
  const { api_keys: _keys, ...settings } = p;
  return settings;
}

export async function seedFromConfig(
  store: Store,
  box: SecretBox,
  config: Pick<Config, 'providers' | 'model_mapping'> & Settings,
): Promise<SeedReport> {
  const report: SeedReport = { providers: [], removedProviders: [], mapping: false, settings: [] };
  const seeds = await store.getSeeds();
  const print = (v: unknown) => box.fingerprint(stableJson(v));

  const inFile = new Set<string>();
  for (const [i, p] of config.providers.entries()) {
    inFile.add(p.name);
    const section = `provider:${p.name}`;
    const fp = print(p);
    if (seeds.get(section) === fp) continue;
    await store.putProvider({ name: p.name, settings: providerSettings(p), origin: 'config', position: i });
    await store.replaceCredentials(p.name, p.api_keys);
    await store.setSeed(section, fp);
    report.providers.push(p.name);
  }
  for (const stored of await store.listProviders()) {
    if (inFile.has(stored.name) || stored.origin !== 'config') continue;
    await store.deleteProvider(stored.name);
    report.removedProviders.push(stored.name);
  }
  for (const section of seeds.keys()) {
    if (section.startsWith('provider:') && !inFile.has(section.slice('provider:'.length))) await store.setSeed(section, undefined);
  }

  const mapping = Object.entries(config.model_mapping);
  const mfp = print(mapping);
  if (seeds.get('model_mapping') !== mfp) {
    await store.setMapping(mapping);
    await store.setSeed('model_mapping', mfp);
    // An empty mapping seeded on the very first start is not news.
    report.mapping = seeds.has('model_mapping') || mapping.length > 0;
  }

  const changed: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const fp = print(config[key]);
    if (seeds.get(`setting:${key}`) === fp) continue;
    changed[key] = config[key];
    await store.setSeed(`setting:${key}`, fp);
    report.settings.push(key);
  }
  if (Object.keys(changed).length > 0) await store.putSettings(changed);
  return report;
}
