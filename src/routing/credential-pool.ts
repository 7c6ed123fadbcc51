import type { Strategy } from '../config/schema.js';
import { Credential, type StateChange } from './credential.js';

// A provider's keys and how a request picks one:
//   round-robin     — each request takes the next usable key (default)
//   least-in-flight — the usable key with the fewest requests running (ties: round-robin order)
//   fill-first      — the first usable key in config order, until it cools; then the next
//   sticky          — the same conversation keeps the same key while it is usable (prompt caches
//                     live per key); moves only when that key cannot serve. No session: round-robin.

const MAX_SESSIONS = 10_000;

export class CredentialPool {
  readonly credentials: Credential[];
  private cursor = 0;
  private readonly sessions = new Map<string, number>();

  constructor(
    keys: readonly string[],
    readonly strategy: Strategy,
    onChange?: StateChange,
    /** Credentials to keep (same key, same position) from the pool this one replaces. */
    previous?: CredentialPool,
  ) {
    this.credentials = keys.map((key, i) => {
      const old = previous?.credentials.find((c) => c.key === key);
      return old && old.index === i ? old : new Credential(i, key, onChange);
    });
  }

  get size(): number {
    return this.credentials.length;
  }

  pick(model: string | undefined, tried: ReadonlySet<number>, session?: string, now = Date.now()): Credential | undefined {
    const usable = (c: Credential) => !tried.has(c.index) && c.usable(model, now);
    if (this.strategy === 'sticky' && session !== undefined) {
      const bound = this.sessions.get(session);
      const c = bound !== undefined ? this.credentials[bound] : undefined;
      if (c && usable(c)) return this.touchSession(session, c);
      const next = this.roundRobin(usable);
      return next ? this.touchSession(session, next) : undefined;
    }
    switch (this.strategy) {
      case 'fill-first':
        return this.credentials.find(usable);
      case 'least-in-flight': {
        let best: Credential | undefined;
        const n = this.credentials.length;
        for (let i = 0; i < n; i++) {
          const c = this.credentials[(this.cursor + i) % n];
          if (usable(c) && (!best || c.inFlight < best.inFlight)) best = c;
        }
        if (best) this.cursor = (best.index + 1) % n;
        return best;
      }
      default:
        return this.roundRobin(usable);
    }
  }

  /** A usable credential for a side call (model lists), without moving the rotation. */
  peek(now = Date.now()): Credential | undefined {
    return this.credentials.find((c) => c.usable(undefined, now));
  }

  /** Milliseconds until some credential can serve `model` again (Infinity if none ever will by itself). */
  soonestFreeIn(model: string | undefined, now = Date.now()): number {
    let soonest = Infinity;
    for (const c of this.credentials) soonest = Math.min(soonest, c.freeIn(model, now));
    return soonest;
  }

  private roundRobin(usable: (c: Credential) => boolean): Credential | undefined {
    const n = this.credentials.length;
    for (let i = 0; i < n; i++) {
      const c = this.credentials[(this.cursor + i) % n];
      if (usable(c)) {
        this.cursor = (c.index + 1) % n;
        return c;
      }
    }
    return undefined;
  }

  private touchSession(session: string, c: Credential): Credential {
    // Map keeps insertion order: re-inserting marks it recent, and the oldest goes first when full.
    this.sessions.delete(session);
    this.sessions.set(session, c.index);
    if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    return c;
  }
}
