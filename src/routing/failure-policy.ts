import type { GatewayError } from '../canonical/errors.js';
import type { Credential } from './credential.js';

// What an upstream failure does to the credential that got it, and whether another credential
// should be tried. One table, so the behaviour is stated in one place:
//
// | upstream says                                  | credential                                  | next |
// | 429 with Retry-After / reset header / retryDelay | cooling until then, for that model         | yes  |
// | 429 / quota exhausted without a time           | cooling, exponential (base … cap) per repeat | yes  |
// | 401                                            | invalid, until reset                         | yes  |
// | 403                                            | disabled (a person must act), until reset    | yes  |
// | 5xx, 529, timeout, refused / reset connection  | breaker failure (opens after N in a row)     | yes, after backoff |
// | 400 and other client errors                    | untouched                                     | no: relayed at once |

export interface PolicySettings {
  cooldownBaseMs: number;
  cooldownCapMs: number;
  circuitFailures: number;
  circuitOpenMs: number;
}

export type FailureAction = { retry: false } | { retry: true; backoff: boolean };

/** Applies the table to `credential` and says whether to move on. */
export function applyFailure(err: GatewayError, credential: Credential, model: string, s: PolicySettings, now = Date.now()): FailureAction {
  const status = err.upstream?.status ?? err.status;
  if (status === 429) {
    credential.failed(err.message);
    if (err.retryAfterMs !== undefined) {
      credential.untimedLimits = 0;
      credential.cool(Math.max(err.retryAfterMs, 250), 'rate limited (429)', model, now);
    } else {
      credential.untimedLimits++;
      const ms = Math.min(s.cooldownCapMs, s.cooldownBaseMs * 2 ** (credential.untimedLimits - 1));
      credential.cool(ms, quotaExhausted(err) ? 'quota exhausted (429)' : 'rate limited (429, no retry time)', undefined, now);
    }
    return { retry: true, backoff: false };
  }
  if (status === 401) {
    credential.failed(err.message);
    credential.invalidate(`upstream rejected the key (401): ${err.message}`);
    return { retry: true, backoff: false };
  }
  if (status === 403) {
    credential.failed(err.message);
    credential.disable(`upstream refused the key (403): ${err.message}`);
    return { retry: true, backoff: false };
  }
  if (err.retryable) {
    credential.failed(err.message);
    credential.breakerFailure(s.circuitFailures, s.circuitOpenMs, now);
    return { retry: true, backoff: true };
  }
  credential.released(); // a bad request says nothing about the key
  return { retry: false };
}

function quotaExhausted(err: GatewayError): boolean {
  const t = `${err.upstream?.type ?? ''} ${err.message}`.toLowerCase();
  return t.includes('quota') || t.includes('resource_exhausted') || t.includes('insufficient');
}

/** Exponential backoff with full jitter for the k-th retry (k ≥ 1). */
export function backoffMs(k: number, baseMs: number, capMs: number, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, k - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}
