import type { ServerResponse } from 'node:http';

// Bodies kept in the request log (only with the `store_bodies` setting) are capped and have their
// secrets removed: every secret Switchyard knows (upstream credentials, the client's key, the
// admin password) wherever it appears, the values of JSON fields whose names say "secret", and
// strings shaped like vendor API keys or bearer tokens.

export const REDACTED = '[redacted]';

const SECRET_FIELD = /^(api[-_]?key|key|x-api-key|x-goog-api-key|authorization|proxy-authorization|password|passwd|secret|client[-_]?secret|access[-_]?token|refresh[-_]?token|id[-_]?token|token|bearer|credentials?)$/i;

const SECRET_SHAPES: RegExp[] = [
  /\b(sk|rk|pk)-[A-Za-z0-9_-]{12,}/g, // OpenAI, Anthropic (sk-ant-…), Switchyard keys
  /\bAIza[0-9A-Za-z_-]{20,}/g, // Google API keys
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\bya29\.[0-9A-Za-z_-]{20,}/g, // Google OAuth access tokens
];

function walk(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(walk);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = SECRET_FIELD.test(k) && (typeof x === 'string' || typeof x === 'number') ? REDACTED : walk(x);
    return out;
  }
  return v;
}

/** Query parameters that carry keys (`?key=` is how Gemini clients send theirs). */
const SECRET_PARAM = /^(key|api[-_]?key|access[-_]?token|token|auth|password|secret|sig|signature)$/i;

/** A URL as the log keeps it: the values of key-carrying query parameters replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // keep it as it came
      }
      return eq >= 0 && SECRET_PARAM.test(decoded) ? `${name}=${encodeURIComponent(REDACTED)}` : pair;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

/** Free text (an error message) with every known secret and key-shaped string replaced. */
export function scrubText(text: string, secrets: Iterable<string>): string {
  return replaceAll(text, secrets);
}

function replaceAll(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4 && out.includes(s)) out = out.split(s).join(REDACTED);
  for (const re of SECRET_SHAPES) out = out.replace(re, REDACTED);
  return out;
}

/**
 * The body as the log keeps it: secrets removed, at most `max` bytes, then a marker with the whole
 * size (`totalBytes` when the caller only kept the start of it).
 */
export function redactBody(body: string | Buffer | undefined, secrets: Iterable<string>, max: number, totalBytes?: number): string | undefined {
  if (body === undefined) return undefined;
  const full = typeof body === 'string' ? body : body.toString('utf8');
  if (full === '') return undefined;
  let text = full;
  const trimmed = full.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      text = JSON.stringify(walk(JSON.parse(full)));
    } catch {
      // not JSON after all (or an SSE stream): text rules only
    }
  }
  text = replaceAll(text, secrets);
  const bytes = Buffer.byteLength(text);
  if (bytes <= max && (totalBytes === undefined || totalBytes <= max)) return text;
  // Cut on a character boundary, then say how big it was.
  const cut = Buffer.from(text).subarray(0, max).toString('utf8').replace(/\uFFFD$/, '');
  return `${cut}…[truncated; ${Math.max(bytes, totalBytes ?? 0)} bytes in all]`;
}

/** Copies what is written to a response, up to `max` bytes (plus a little, to know it was cut). */
export class ResponseCapture {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  /** Bytes written in all. */
  total = 0;

  constructor(
    res: ServerResponse,
    private readonly max: number,
  ) {
    type Writer = (this: ServerResponse, ...args: unknown[]) => unknown;
    const write = res.write as unknown as Writer;
    const end = res.end as unknown as Writer;
    const take = (chunk: unknown, encoding: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      const b = Buffer.isBuffer(chunk)
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk)
          : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      this.total += b.length;
      if (this.size >= this.max) return;
      const part = b.subarray(0, this.max - this.size);
      this.chunks.push(Buffer.from(part));
      this.size += part.length;
    };
    (res as unknown as { write: Writer }).write = function (this: ServerResponse, ...args: unknown[]) {
      take(args[0], args[1]);
      return write.apply(this, args);
    };
    (res as unknown as { end: Writer }).end = function (this: ServerResponse, ...args: unknown[]) {
      take(args[0], args[1]);
      return end.apply(this, args);
    };
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
