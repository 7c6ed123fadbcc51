import { GatewayError } from '../canonical/errors.js';
import type { Provider } from '../providers/index.js';
import { mapModel } from './model-mapping.js';

export interface Route {
  requestedModel: string;
  /** After model_mapping. */
  model: string;
  mappingRule?: string;
  provider: Provider;
}

/**
 * Decides where a request goes: mapping first, then the first enabled provider (config order) whose
 * `models` patterns match the mapped name.
 */
export class Router {
  constructor(
    private readonly providers: Provider[],
    private readonly mapping: Record<string, string>,
    /** Names to suggest when a model is unknown. */
    private readonly knownModels: () => string[],
  ) {}

  route(requestedModel: string): Route {
    if (this.providers.length === 0) {
      throw new GatewayError(
        'upstream_error',
        'Switchyard has no upstream providers configured. Add one under `providers:` in config.yaml (type openai, anthropic or gemini, with api_keys) and restart.',
        { status: 503 },
      );
    }
    const mapped = mapModel(requestedModel, this.mapping);
    const provider = this.providers.find((p) => p.serves(mapped.model));
    if (!provider) {
      const known = this.knownModels();
      const list = known.length > 0 ? ` Available models: ${known.slice(0, 40).join(', ')}${known.length > 40 ? ', …' : ''}.` : '';
      const via = mapped.rule ? ` (mapped from "${requestedModel}" by model_mapping "${mapped.rule}")` : '';
      throw new GatewayError(
        'not_found',
        `The model "${mapped.model}"${via} is not served by any configured provider.${list} Add it to a provider's \`models\` or to \`model_mapping\`.`,
      );
    }
    return { requestedModel, model: mapped.model, mappingRule: mapped.rule, provider };
  }
}
