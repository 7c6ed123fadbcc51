import { randomBytes } from 'node:crypto';
import { stableCallId } from '../../canonical/ids.js';

// Gemini function calls often come without an `id` (the Developer API and Vertex do not send one;
// Gemini CLI makes up its own). Where none is given we synthesize one with a prefix of our own, so the
// upstream encoder can recognise it and NOT send it to Gemini (Gemini matches responses to calls by
// name and order then, exactly as in the original conversation).

const PREFIX = 'gcall_';
const SYNTHESIZED = /^gcall_[0-9a-f]{24}$/;

export function isSynthesizedCallId(id: string): boolean {
  return SYNTHESIZED.test(id);
}

/** `fields` with the call's `id` first — left out when we synthesized it (see above). */
export function withCallId<T extends object>(id: string, fields: T): T & { id?: string } {
  return Object.assign(isSynthesizedCallId(id) ? {} : { id }, fields);
}

/**
 * Id for a call in a client's history. Stable across re-sends of the same history (the history only
 * grows), unique within it: a repeat of the same call (same name, args and position in its turn)
 * gets a different id than its earlier twin.
 */
export class HistoryCallIds {
  private readonly seen = new Map<string, number>();

  next(name: string, args: unknown, ordinalInTurn: number): string {
    const base = stableCallId(name, args, ordinalInTurn, PREFIX);
    const repeats = this.seen.get(base) ?? 0;
    this.seen.set(base, repeats + 1);
    return repeats === 0 ? base : stableCallId(`${name}#${repeats}`, args, ordinalInTurn, PREFIX);
  }
}

/**
 * Id for a call in an upstream response: salted with the response id, so the same call made in two
 * different turns does not collide in the client's history (Anthropic rejects duplicate tool ids).
 */
export function responseCallId(salt: string, name: string, ordinal: number): string {
  return stableCallId(name, salt, ordinal, PREFIX);
}

/** A salt for responses that carry no responseId. */
export function randomSalt(): string {
  return randomBytes(8).toString('hex');
}
