import { checkClientKey, type KeyChecker } from '../server/auth.js';
import type { ClientDialect, RouteName } from '../server/paths/resolve-path.js';
import type { UserKeyRecord } from '../store/types.js';
import type { UsageLimiter } from './limiter.js';
import { checkModel, checkUsable, type UserKeyRegistry } from './user-keys.js';

// Who is calling, and may they? One decision per proxy request, after the IP lists:
//   - the config's api_key / api_keys: unrestricted;
//   - a user key: must be usable (not revoked, disabled or expired), may only ask for its allowed
//     models, and is held to its limits; usage is attributed to it;
//   - anything else: refused with a 401 when the route needs a key (auth_mode), else anonymous.
// With auth_mode off a presented user key is still recognised, attributed and limited; no key (or
// an unknown one) is anonymous.

export type Principal = { kind: 'anonymous' } | { kind: 'api_key' } | { kind: 'user'; key: UserKeyRecord };

/** Requests that count toward a user key's rpm and daily quotas: the ones that generate. */
export const BILLABLE_ROUTES: ReadonlySet<RouteName> = new Set<RouteName>([
  'openai.chat',
  'openai.responses',
  'anthropic.messages',
  'gemini.generate',
  'gemini.stream',
]);

/** Requests whose model a user key's allowed models restrict. */
const MODEL_ROUTES: ReadonlySet<RouteName> = new Set<RouteName>([...BILLABLE_ROUTES, 'anthropic.count_tokens', 'gemini.count_tokens']);

export interface AuthInput {
  presented: string | undefined;
  needsKey: boolean;
  dialect: ClientDialect;
  route: RouteName;
  /** The requested model, for routes that name one. */
  model?: string;
}

export interface Admission {
  principal: Principal;
  /** Counted toward the key's quotas (its tokens are added when the answer ends). */
  billable: boolean;
}

export class ClientAuth {
  constructor(
    private readonly checker: KeyChecker,
    private readonly registry: UserKeyRegistry,
    private readonly limiter: UsageLimiter,
  ) {}

  identify(presented: string | undefined): Principal {
    if (presented === undefined || presented === '') return { kind: 'anonymous' };
    // Hashing the presented key costs real time per request; skip what cannot match (auth off and
    // no keys is the common local setup, yet every SDK sends some key).
    if (this.checker.size > 0 && this.checker.matches(presented)) return { kind: 'api_key' };
    if (this.registry.size === 0) return { kind: 'anonymous' };
    const key = this.registry.lookup(presented);
    return key ? { kind: 'user', key } : { kind: 'anonymous' };
  }

  /** Throws the 401 / 403 / 429 the client gets (rendered in its dialect by the caller). */
  admit(input: AuthInput, now = Date.now(), principal: Principal = this.identify(input.presented)): Admission {
    if (principal.kind === 'anonymous') {
      if (input.needsKey) checkClientKey(this.checker, input.presented, input.dialect); // throws the right 401
      return { principal, billable: false };
    }
    if (principal.kind === 'api_key') return { principal, billable: false };
    const key = principal.key;
    checkUsable(key, now);
    if (input.model !== undefined && MODEL_ROUTES.has(input.route)) checkModel(key, input.model);
    if (!BILLABLE_ROUTES.has(input.route)) return { principal, billable: false };
    this.limiter.admit(key, now);
    return { principal, billable: true };
  }
}
