import { GatewayError } from '../canonical/errors.js';
import { ROUTE_LIST, type UnresolvedRoute } from './paths/resolve-path.js';
import { renderError } from './render-error.js';

/**
 * The 404 body: in the client's dialect (so its SDK shows the message), saying what arrived, what was
 * probably wrong with the base URL, and the base URL to use for each kind of client.
 */
export function notFoundBody(method: string, url: string, resolution: UnresolvedRoute, origin: string): unknown {
  const baseUrls = {
    openai: `${origin}/v1`,
    anthropic: origin,
    gemini: origin,
  };
  const message =
    `Switchyard has no endpoint at ${method} ${url}: ${resolution.reason}. ` +
    `Base URLs to use: OpenAI SDKs and OpenAI-compatible clients ${baseUrls.openai}; ` +
    `Anthropic clients such as Claude Code ${baseUrls.anthropic}; Gemini clients ${baseUrls.gemini}.`;
  const rendered = renderError(resolution.dialect, new GatewayError('not_found', message)).body as Record<string, unknown>;
  return Object.assign(rendered, {
    switchyard: { path: url, method, probable_cause: resolution.reason, base_urls: baseUrls, routes: ROUTE_LIST },
  });
}
