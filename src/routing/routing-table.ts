import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { buildProviders, type Provider } from '../providers/index.js';
import { ModelCatalog } from '../providers/model-catalog.js';
import { Router } from './router.js';

/** The part of the configuration that decides where requests go; it can change while running. */
export type RoutingConfig = Pick<Config, 'providers' | 'model_mapping'>;

/**
 * Where requests go, swappable at run time (the admin API edits providers and mapping without a
 * restart). An update builds new providers and swaps them in one assignment: requests already in
 * flight finish on what they started with.
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
    const providers = buildProviders(config.providers);
    const catalog = new ModelCatalog(providers, config.model_mapping, this.log);
    const router = new Router(providers, config.model_mapping, () => catalog.ids());
    this.current = { providers, router, catalog };
  }
}
