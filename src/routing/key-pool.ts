// A provider's pool of API keys, used in turn. A key that answered 429 (or failed) cools down and is
// skipped until its time; when every key is cooling the caller learns the soonest time one is free.

export interface PoolKey {
  /** Position in the provider's list; stable id for logs (never the key itself). */
  index: number;
  key: string;
}

export class KeyPool {
  private next = 0;
  private readonly coolUntil: number[];

  constructor(private readonly keys: readonly string[]) {
    this.coolUntil = keys.map(() => 0);
  }

  get size(): number {
    return this.keys.length;
  }

  /** The next key in turn that is not cooling and not already tried for this request. */
  pick(tried: ReadonlySet<number>, now = Date.now()): PoolKey | undefined {
    for (let i = 0; i < this.keys.length; i++) {
      const index = (this.next + i) % this.keys.length;
      if (tried.has(index) || this.coolUntil[index] > now) continue;
      this.next = (index + 1) % this.keys.length;
      return { index, key: this.keys[index] };
    }
    return undefined;
  }

  cool(index: number, ms: number, now = Date.now()): void {
    this.coolUntil[index] = Math.max(this.coolUntil[index], now + ms);
  }

  /** Milliseconds until the soonest cooling key is free (0 if one is free now). */
  soonestFreeIn(now = Date.now()): number {
    let soonest = Infinity;
    for (const t of this.coolUntil) soonest = Math.min(soonest, Math.max(0, t - now));
    return soonest === Infinity ? 0 : soonest;
  }
}

/** The masked form of a key for logs and answers: first 4 and last 4 characters. */
export function maskKey(key: string): string {
  return key.length <= 12 ? `${key.slice(0, 2)}…` : `${key.slice(0, 4)}…${key.slice(-4)}`;
}
