// Reads "when may I try again" from an upstream's answer. Vendors say it in different places:
// the Retry-After header (seconds or HTTP date), OpenAI's x-ratelimit-reset-* ("1s", "6m0s", "20ms"),
// Anthropic's anthropic-ratelimit-*-reset (RFC 3339 time), Gemini's RetryInfo.retryDelay ("34.4s")
// or a quotaResetDelay in error details.

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** "1s", "6m0s", "20ms", "1h2m3.5s", "34.4s" -> milliseconds. */
export function parseGoDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = false;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    matched = true;
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
  }
  return matched ? Math.ceil(total) : undefined;
}

export function parseRetryAfterHeader(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Milliseconds until retry is allowed, from headers and/or a (Gemini-style) error body. */
export function retryAfterMs(headers: Headers, body: unknown, now = Date.now()): number | undefined {
  const candidates: number[] = [];
  const ra = parseRetryAfterHeader(header(headers, 'retry-after'), now);
  if (ra !== undefined) candidates.push(ra);
  const raMs = header(headers, 'retry-after-ms');
  if (raMs && /^\d+$/.test(raMs)) candidates.push(Number(raMs));
  if (candidates.length === 0) {
    for (const name of ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']) {
      const v = header(headers, name);
      const ms = v ? parseGoDuration(v) : undefined;
      if (ms !== undefined) candidates.push(ms);
    }
    for (const name of ['anthropic-ratelimit-requests-reset', 'anthropic-ratelimit-tokens-reset', 'anthropic-ratelimit-input-tokens-reset', 'anthropic-ratelimit-output-tokens-reset']) {
      const v = header(headers, name);
      const at = v ? Date.parse(v) : NaN;
      if (!Number.isNaN(at)) candidates.push(Math.max(0, at - now));
    }
  }
  const details = (body as { error?: { details?: unknown } } | undefined)?.error?.details;
  if (Array.isArray(details)) {
    for (const d of details as Array<Record<string, unknown>>) {
      const delay = d?.retryDelay ?? (d?.metadata as Record<string, unknown> | undefined)?.quotaResetDelay;
      if (typeof delay === 'string') {
        const ms = parseGoDuration(delay);
        if (ms !== undefined) candidates.push(ms);
      }
    }
  }
  if (candidates.length === 0) return undefined;
  // When several limits reset at different times, the request can go once the longest has passed.
  return Math.max(...candidates);
}
