import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { buildProviders, type Provider } from '../providers/index.js';
import { ModelCatalog } from '../providers/model-catalog.js';
import type { CredentialSnapshot } from './credential.js';
import { Router } from './router.js';

/** The part of the configuration that decides where requests go; it can change while running. */
export type RoutingConfig = Pick<Config, 'providers' | 'model_mapping'> & Partial<Pick<Config, 'fallbacks' | 'background'>>;

export interface ProviderPoolView {
  name: string;
  type: string;
  /** Explicit priority; null = its position in the list. */
  priority: number | null;
  weight: number;
  strategy: string;
  models: string[];
  credentials: CredentialSnapshot[];
}

/**
 * Where requests go, swappable at run time (the admin API edits providers and mapping without a
 * restart). An update builds new providers and swaps them in one assignment: requests already in
 * flight finish on what they started with, and credentials whose key did not change keep their state.
 */
export class RoutingTable {
  private current!: { providers: Provider[]; router: Router; catalog: ModelCatalog };

  constructor(
    config: RoutingConfig,
    private readonly log?: Logger,
  ) {
    this.update(config);
  }

  get providers(): Provider[] {
    return this.current.providers;
  }
  get router(): Router {
    return this.current.router;
  }
  get catalog(): ModelCatalog {
    return this.current.catalog;
  }

  update(config: RoutingConfig): void {
    const providers = buildProviders(
      config.providers,
      (provider, cred, from, to) => {
        // One line per state change, never the key itself.
        const until = to.until ? new Date(to.until).toISOString() : undefined;
        this.log?.warn({ provider, key: cred.masked, from, to: to.status, until, reason: to.reason }, `credential ${from} → ${to.status}`);
      },
      this.current?.providers,
    );
    const catalog = new ModelCatalog(providers, config.model_mapping, this.log);
    const router = new Router(
      providers,
      { mapping: config.model_mapping, fallbacks: config.fallbacks ?? {}, background: config.background },
      () => catalog.ids(),
    );
    this.current = { providers, router, catalog };
  }

  poolState(now = Date.now()): ProviderPoolView[] {
    return this.providers.map((p) => ({
      name: p.name,
      type: p.type,
      priority: p.config.priority ?? null,
      weight: p.config.weight,
      strategy: p.config.strategy,
      models: p.config.models ?? [],
      credentials: p.pool.credentials.map((c) => c.snapshot(now)),
    }));
  }

  /** Resets one credential, all of a provider's, or every credential (no arguments). Returns how many. */
  reset(provider?: string, index?: number): number {
    let n = 0;
    for (const p of this.providers) {
      if (provider !== undefined && p.name !== provider) continue;
      for (const c of p.pool.credentials) {
        if (index !== undefined && c.index !== index) continue;
        c.reset('reset by admin');
        n++;
      }
    }
    return n;
  }
}
