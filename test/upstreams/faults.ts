// Per-key fault queues and request counters.
import type { Fault, FaultPlan } from './types.js';

export class FaultBook {
  private queues = new Map<string, Fault[]>();
  private counts = new Map<string, number>();

  constructor(plan: FaultPlan = {}) {
    this.set(plan);
  }

  /** Replaces the queues for the keys in `plan` (other keys keep theirs). */
  set(plan: FaultPlan): void {
    for (const [key, faults] of Object.entries(plan)) this.queues.set(key, [...faults]);
  }

  /** Counts the request and consumes the key's next fault (`'ok'` once the queue is empty). */
  take(key: string | undefined): Fault {
    const k = key ?? '';
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    return this.queues.get(k)?.shift() ?? 'ok';
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

export function isStatusFault(f: Fault): f is { status: number; retryAfter?: number; message?: string } {
  return typeof f === 'object' && 'status' in f;
}
