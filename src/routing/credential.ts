// One upstream key and everything Switchyard has learned about it: whether it may be used now, and
// why not. States, checked in this order:
//   disabled  — a person must act (403, or disabled by an admin); until reset
//   invalid   — the upstream rejected the key (401); until reset
//   open      — its circuit breaker opened after N consecutive failures; until `openUntil`,
//               then half-open: one trial request decides between healthy and open again
//   cooling   — rate limited; until the time the upstream named (per model where it limits per model)
//   healthy

export type CredentialStatus = 'healthy' | 'cooling' | 'open' | 'half_open' | 'invalid' | 'disabled';

export interface CredentialState {
  status: CredentialStatus;
  /** Unix ms when the credential is usable again (cooling / open). */
  until?: number;
  reason?: string;
}

export interface CredentialSnapshot extends CredentialState {
  index: number;
  key: string; // masked
  inFlight: number;
  successes: number;
  failures: number;
  consecutiveFailures: number;
  lastError?: string;
  lastUsedAt?: number;
  /** Per-model cooldowns still running: model → unix ms. */
  modelCooldowns: Record<string, number>;
}

/** Emitted on every state change, for the one-line log. */
export type StateChange = (c: Credential, from: CredentialStatus, to: CredentialState) => void;

export function maskKey(key: string): string {
  return key.length <= 12 ? `${key.slice(0, 2)}…` : `${key.slice(0, 4)}…${key.slice(-4)}`;
}

export class Credential {
  readonly masked: string;
  inFlight = 0;
  successes = 0;
  failures = 0;
  consecutiveFailures = 0;
  /** Consecutive 429s that named no retry time (drives the exponential cooldown). */
  untimedLimits = 0;
  lastError: string | undefined;
  lastUsedAt: number | undefined;

  private coolingUntil = 0;
  private coolReason: string | undefined;
  private readonly modelCooling = new Map<string, { until: number; reason: string }>();
  private openUntil = 0;
  private halfOpenTrial = false;
  private invalidReason: string | undefined;
  private disabledReason: string | undefined;

  constructor(
    readonly index: number,
    readonly key: string,
    private readonly onChange: StateChange = () => undefined,
  ) {
    this.masked = maskKey(key);
  }

  state(model: string | undefined, now = Date.now()): CredentialState {
    if (this.disabledReason !== undefined) return { status: 'disabled', reason: this.disabledReason };
    if (this.invalidReason !== undefined) return { status: 'invalid', reason: this.invalidReason };
    if (this.openUntil > 0) {
      if (now < this.openUntil) return { status: 'open', until: this.openUntil, reason: this.lastError };
      return { status: 'half_open', reason: this.lastError };
    }
    if (this.coolingUntil > now) return { status: 'cooling', until: this.coolingUntil, reason: this.coolReason };
    const perModel = model !== undefined ? this.modelCooling.get(model) : undefined;
    if (perModel && perModel.until > now) return { status: 'cooling', until: perModel.until, reason: perModel.reason };
    return { status: 'healthy' };
  }

  /** Whether a new request may use it now (a half-open credential admits one trial at a time). */
  usable(model: string | undefined, now = Date.now()): boolean {
    const s = this.state(model, now).status;
    return s === 'healthy' || (s === 'half_open' && !this.halfOpenTrial);
  }

  /** Milliseconds until usable for `model` (Infinity when a person must act). */
  freeIn(model: string | undefined, now = Date.now()): number {
    const s = this.state(model, now);
    if (s.status === 'invalid' || s.status === 'disabled') return Infinity;
    return s.until !== undefined ? Math.max(0, s.until - now) : 0;
  }

  begin(model: string | undefined, now = Date.now()): void {
    if (this.state(model, now).status === 'half_open') this.halfOpenTrial = true;
    this.inFlight++;
    this.lastUsedAt = now;
  }

  /** The upstream answered with a success status. */
  succeeded(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.successes++;
    this.consecutiveFailures = 0;
    this.untimedLimits = 0;
    if (this.openUntil > 0) {
      const from = this.state(undefined).status;
      this.openUntil = 0;
      this.halfOpenTrial = false;
      this.onChange(this, from, { status: 'healthy', reason: 'trial request succeeded' });
    }
  }

  /** The attempt ended without a verdict on the key (client left, request invalid): only release it. */
  released(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.halfOpenTrial = false;
  }

  /** Records a failure; the policy decides what it does to the state. */
  failed(reason: string): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.failures++;
    this.lastError = reason;
  }

  cool(ms: number, reason: string, model?: string, now = Date.now()): void {
    const until = now + ms;
    const from = this.state(model, now).status;
    if (model !== undefined) {
      const prev = this.modelCooling.get(model);
      if (!prev || prev.until < until) this.modelCooling.set(model, { until, reason });
    } else if (until > this.coolingUntil) {
      this.coolingUntil = until;
      this.coolReason = reason;
    }
    this.onChange(this, from, { status: 'cooling', until, reason: model !== undefined ? `${reason} (model ${model})` : reason });
  }

  /** A failure that counts toward the circuit breaker (5xx, timeout, reset). */
  breakerFailure(threshold: number, openMs: number, now = Date.now()): void {
    this.consecutiveFailures++;
    const halfOpen = this.openUntil > 0 && now >= this.openUntil;
    if (halfOpen || this.consecutiveFailures >= threshold) {
      const from = this.state(undefined, now).status;
      this.openUntil = now + openMs;
      this.halfOpenTrial = false;
      this.onChange(this, from, {
        status: 'open',
        until: this.openUntil,
        reason: halfOpen ? `trial request failed: ${this.lastError}` : `${this.consecutiveFailures} failures in a row: ${this.lastError}`,
      });
    }
  }

  invalidate(reason: string): void {
    const from = this.state(undefined).status;
    this.invalidReason = reason;
    if (from !== 'invalid') this.onChange(this, from, { status: 'invalid', reason });
  }

  disable(reason: string): void {
    const from = this.state(undefined).status;
    this.disabledReason = reason;
    if (from !== 'disabled') this.onChange(this, from, { status: 'disabled', reason });
  }

  /** Back to healthy: clears cooldowns, the breaker, and invalid/disabled marks. */
  reset(reason = 'reset'): void {
    const from = this.state(undefined).status;
    this.coolingUntil = 0;
    this.coolReason = undefined;
    this.modelCooling.clear();
    this.openUntil = 0;
    this.halfOpenTrial = false;
    this.invalidReason = undefined;
    this.disabledReason = undefined;
    this.consecutiveFailures = 0;
    this.untimedLimits = 0;
    if (from !== 'healthy') this.onChange(this, from, { status: 'healthy', reason });
  }

  snapshot(now = Date.now()): CredentialSnapshot {
    const modelCooldowns: Record<string, number> = {};
    for (const [m, c] of this.modelCooling) if (c.until > now) modelCooldowns[m] = c.until;
    return {
      index: this.index,
      key: this.masked,
      ...this.state(undefined, now),
      inFlight: this.inFlight,
      successes: this.successes,
      failures: this.failures,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
      lastUsedAt: this.lastUsedAt,
      modelCooldowns,
    };
  }
}
