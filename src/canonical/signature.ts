import type { Dialect, Signature } from './types.js';

// A client dialect can only carry a signature where it has a field for one (Anthropic thinking
// `signature`, Gemini `thoughtSignature`, Responses reasoning `encrypted_content`). When the signature
// came from a DIFFERENT upstream dialect than the client speaks, we wrap it so that, when the client
// echoes it back, we know where it came from and send it only there. A signature without the wrapper
// is native to the client's own dialect.

const PREFIX = 'sy1.';
const ORIGINS: Record<string, Dialect> = {
  a: 'anthropic',
  g: 'gemini',
  r: 'openai-responses',
  c: 'openai-chat',
};
const CODES = Object.fromEntries(Object.entries(ORIGINS).map(([code, d]) => [d, code])) as Record<Dialect, string>;

/** The string to put in the client's signature field. */
export function wrapSignature(signature: Signature, clientDialect: Dialect): string {
  if (signature.origin === clientDialect) return signature.value;
  return `${PREFIX}${CODES[signature.origin]}.${signature.value}`;
}

/** Reads a signature field a client sent back. */
export function unwrapSignature(raw: string, clientDialect: Dialect): Signature {
  if (raw.startsWith(PREFIX)) {
    const origin = ORIGINS[raw.charAt(PREFIX.length)];
    if (origin && raw.charAt(PREFIX.length + 1) === '.') {
      return { origin, value: raw.slice(PREFIX.length + 2) };
    }
  }
  return { origin: clientDialect, value: raw };
}

/** The signature to send to an upstream of `upstream` dialect, or undefined if it belongs elsewhere. */
export function signatureFor(signature: Signature | undefined, upstream: Dialect): string | undefined {
  return signature && signature.origin === upstream ? signature.value : undefined;
}
