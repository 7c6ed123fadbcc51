import { createHash, randomBytes } from 'node:crypto';

/** A random id with a vendor-looking prefix, e.g. `msg_…`, `chatcmpl-…`. */
export function randomId(prefix: string, bytes = 12): string {
  return prefix + randomBytes(bytes).toString('hex');
}

/**
 * A stable tool-call id for dialects that have none (Gemini without `id`). Stable means the same call
 * in a re-sent history gets the same id, so tool results still match their calls turn after turn.
 */
export function stableCallId(name: string, args: unknown, ordinal: number, prefix = 'call_'): string {
  const h = createHash('sha256').update(`${ordinal}\u0000${name}\u0000${JSON.stringify(args ?? {})}`).digest('hex');
  return prefix + h.slice(0, 24);
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
