import type { ProviderType } from './schema.js';

// Users copy base URLs from vendor docs, SDK defaults and other gateways, so the same upstream
// arrives as `https://api.openai.com`, `…/v1`, `…/v1/`, `…/v1/chat/completions`. We normalise to
// each vendor SDK's own convention: OpenAI-style servers include their version path (`/v1`,
// `/api/v1`, `/v1beta/openai`); Anthropic and Gemini are the bare origin (we append the version).

const ENDPOINT_SUFFIXES = [/\/chat\/completions$/, /\/responses$/, /\/messages$/, /\/models$/, /\/completions$/];

export function normalizeBaseUrl(type: ProviderType, raw: string): string {
  let url = raw.trim().replace(/\/+$/, '');
  for (const re of ENDPOINT_SUFFIXES) url = url.replace(re, '');
  url = url.replace(/\/+$/, '');
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\/+$/, '');
  if (type === 'openai') {
    // A bare origin means the server's API lives under /v1 (OpenAI and nearly every compatible server).
    return path === '' ? `${parsed.origin}/v1` : `${parsed.origin}${path}`;
  }
  // Anthropic and Gemini: strip a version the user included, we add the right one per call.
  const stripped = path.replace(/\/(v1beta|v1alpha|v1)(\/models)?$/, '');
  return `${parsed.origin}${stripped}`;
}
