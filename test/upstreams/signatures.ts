// Fake-but-stable reasoning signatures. Numbers are unique per vendor across the whole test process, so a
// signature handed out by one upstream is recognisable if Switchyard replays it to another.
import type { SignatureLedger, Vendor } from './types.js';

const PREFIX: Record<Vendor, string> = { anthropic: 'sig-anthropic-', gemini: 'sig-gemini-', openai: 'enc-openai-' };
const counters: Record<Vendor, number> = { anthropic: 0, gemini: 0, openai: 0 };
/** Every signature any upstream of a vendor issued (or served from a recording): what that vendor can verify. */
const known: Record<Vendor, Set<string>> = { anthropic: new Set(), gemini: new Set(), openai: new Set() };
/** The content a signature was issued for, where the vendor binds the two (Anthropic thinking text). */
const signedContent: Record<Vendor, Map<string, string>> = { anthropic: new Map(), gemini: new Map(), openai: new Map() };

/** Gemini's documented escape hatch for function calls that have no real signature. */
export const GEMINI_SKIP_SIGNATURE = 'skip_thought_signature_validator';

export class Signatures implements SignatureLedger {
  readonly issued: string[] = [];
  readonly received: string[] = [];

  constructor(private readonly vendor: Vendor) {}

  /** A new signature; `content` is what it signs, when the vendor checks that on replay. */
  issue(content?: string): string {
    counters[this.vendor] += 1;
    const sig = `${PREFIX[this.vendor]}${counters[this.vendor]}`;
    this.adopt(sig);
    if (content !== undefined) signedContent[this.vendor].set(sig, content);
    return sig;
  }

  /** Treats a signature served from a recording as this upstream's own. */
  adopt(sig: string): void {
    known[this.vendor].add(sig);
    this.issued.push(sig);
  }

  receive(sig: string): void {
    this.received.push(sig);
  }

  /** Whether the vendor would accept it: issued by some local upstream of the same vendor. */
  verifiable(sig: string): boolean {
    return known[this.vendor].has(sig);
  }

  /** Whether `content` is what `sig` was issued for (true when the signature bound no content). */
  unmodified(sig: string, content: string): boolean {
    const signed = signedContent[this.vendor].get(sig);
    return signed === undefined || signed === content;
  }

  foreign(): string[] {
    const mine = new Set(this.issued);
    return this.received.filter((s) => !mine.has(s));
  }
}

/** Collects the signature-bearing fields of a vendor payload (used to adopt replayed recordings). */
export function findSignatures(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) findSignatures(v, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'signature' || k === 'thoughtSignature' || k === 'encrypted_content' || k === 'data') && typeof v === 'string' && v.length > 0) {
        if (k !== 'data' || (value as { type?: unknown }).type === 'redacted_thinking') out.push(v);
      } else {
        findSignatures(v, out);
      }
    }
  }
  return out;
}
