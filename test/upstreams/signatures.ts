// Fake-but-stable reasoning signatures. Numbers are unique per vendor across the whole test process, so a
// signature handed out by one upstream is recognisable if Switchyard replays it to another.
import type { SignatureLedger, Vendor } from './types.js';

const PREFIX: Record<Vendor, string> = { anthropic: 'sig-anthropic-', gemini: 'sig-gemini-', openai: 'enc-openai-' };
const counters: Record<Vendor, number> = { anthropic: 0, gemini: 0, openai: 0 };
/** Every signature any upstream of a vendor issued (or served from a recording): what that vendor can verify. */
const known: Record<Vendor, Set<string>> = { anthropic: new Set(), gemini: new Set(), openai: new Set() };

/** Gemini's documented escape hatch for function calls that have no real signature. */
export const GEMINI_SKIP_SIGNATURE = 'skip_thought_signature_validator';

export class Signatures implements SignatureLedger {
  readonly issued: string[] = [];
  readonly received: string[] = [];

  constructor(private readonly vendor: Vendor) {}

  issue(): string {
    counters[this.vendor] += 1;
    const sig = `${PREFIX[this.vendor]}${counters[this.vendor]}`;
    this.adopt(sig);
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
