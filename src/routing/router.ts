import { GatewayError } from '../canonical/errors.js';
import type { Provider } from '../providers/index.js';
import { matchesGlob } from './glob.js';
import { mapModel } from './model-mapping.js';

// Decides where a request may go, in order: model_mapping once; then every enabled provider that
// serves the mapped model — lower `priority` first, providers of equal priority in a weighted random
// order (so `weight` shares the load); then the configured fallback models, each the same way.

export interface RouteCandidate {
  provider: Provider;
  /** Model id to send upstream. */
  model: string;
  /** Set when this candidate is a fallback: the model it stands in for. */
  fallbackFor?: string;
}

export interface RoutePlan {
  requestedModel: string;
  /** After background routing and model_mapping. */
  model: string;
  mappingRule?: string;
  /** True when the background rule sent this housekeeping request to a cheaper model. */
  background: boolean;
  candidates: RouteCandidate[];
}

export interface RouterRules {
  mapping: Record<string, string>;
  fallbacks: Record<string, string[]>;
  background?: { model: string; match: string[] };
}

export interface RequestTraits {
  /** Whether the request offers tools (housekeeping requests never do). */
  hasTools: boolean;
}

/** Weighted random order without replacement (Efraimidis–Spirakis): P(first) ∝ weight. */
function weightedOrder(providers: Provider[], random: () => number): Provider[] {
  if (providers.length < 2) return providers;
  return providers
    .map((p) => ({ p, key: Math.pow(random(), 1 / p.config.weight) }))
    .sort((a, b) => b.key - a.key)
    .map((x) => x.p);
}

export class Router {
  private readonly groups = new Map<string, Provider[][]>();

  constructor(
    private readonly providers: Provider[],
    private readonly rules: RouterRules,
    /** Names to suggest when a model is unknown. */
    private readonly knownModels: () => string[],
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Providers for one model, in the order they should be tried. A provider without a `priority`
   * ranks by its position in the list, so a config without priorities keeps "first match wins".
   */
  private providersFor(model: string): Provider[] {
    const groups = this.groupsFor(model);
    if (groups.length === 1 && groups[0].length === 1) return groups[0];
    return groups.flatMap((group) => weightedOrder(group, this.random));
  }

  /**
   * The providers serving a model, grouped by priority (lowest first). Fixed for this router (a
   * config change makes a new one), so kept per model: matching every provider's model globs on
   * every request showed in the relay's profile. Bounded: cleared past 1,000 model names.
   */
  private groupsFor(model: string): Provider[][] {
    let groups = this.groups.get(model);
    if (groups) return groups;
    const byPriority = new Map<number, Provider[]>();
    this.providers.forEach((p, position) => {
      if (!p.serves(model)) return;
      const prio = p.config.priority ?? position;
      const list = byPriority.get(prio) ?? [];
      list.push(p);
      byPriority.set(prio, list);
    });
    groups = [...byPriority.keys()].sort((a, b) => a - b).map((prio) => byPriority.get(prio) ?? []);
    if (this.groups.size >= 1000) this.groups.clear();
    this.groups.set(model, groups);
    return groups;
  }

  plan(requestedModel: string, traits: RequestTraits = { hasTools: false }): RoutePlan {
    if (this.providers.length === 0) {
      throw new GatewayError(
        'upstream_error',
        'Switchyard has no upstream providers configured. Add one in the admin console (open the gateway in a browser), or under `providers:` in config.yaml (type openai, anthropic or gemini, with api_keys).',
        { status: 503 },
      );
    }
    const bg = this.rules.background;
    const background = !!bg && !traits.hasTools && bg.match.some((m) => matchesGlob(m, requestedModel.replace(/^models\//, '')));
    const mapped = mapModel(background && bg ? bg.model : requestedModel, this.rules.mapping);
    const candidates: RouteCandidate[] = this.providersFor(mapped.model).map((provider) => ({ provider, model: mapped.model }));
    for (const fb of this.rules.fallbacks[mapped.model] ?? this.rules.fallbacks[requestedModel] ?? []) {
      for (const provider of this.providersFor(fb)) candidates.push({ provider, model: fb, fallbackFor: mapped.model });
    }
    if (candidates.length === 0) {
      const known = this.knownModels();
      const list = known.length > 0 ? ` Available models: ${known.slice(0, 40).join(', ')}${known.length > 40 ? ', …' : ''}.` : '';
      const via = mapped.rule ? ` (mapped from "${requestedModel}" by model_mapping "${mapped.rule}")` : '';
      throw new GatewayError(
        'not_found',
        `The model "${mapped.model}"${via} is not served by any configured provider.${list} Add it to a provider's \`models\` or to \`model_mapping\`.`,
      );
    }
    return { requestedModel, model: mapped.model, mappingRule: mapped.rule, background, candidates };
  }
}
