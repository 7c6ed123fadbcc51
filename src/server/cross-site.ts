import type { IncomingHttpHeaders } from 'node:http';

// A browser lets any web page send a "simple" cross-site POST — text/plain or form data, no custom
// headers — without asking the server first (no CORS preflight). The page cannot read the answer,
// but the request still runs: on a gateway without a key (auth_mode off, the loopback default) it
// would spend the user's upstream quota. API clients (SDKs, CLIs, Electron apps) send JSON as
// application/json, which a browser only sends cross-site after a preflight this gateway never
// approves; tools like `curl -d` send no Origin. So a POST with a foreign Origin and a body that is
// not declared JSON is refused. Local web pages (Origin on localhost / 127.x / [::1]) are not foreign.

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

function isLoopbackOrigin(origin: string): boolean {
  try {
    return LOOPBACK_HOST.test(new URL(origin).hostname);
  } catch {
    return false; // "null" (sandboxed frames, file: pages) and anything unparsable
  }
}

function declaresJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const media = contentType.split(';', 1)[0].trim().toLowerCase();
  return media === 'application/json' || media.endsWith('+json');
}

/** The web origin a request must be refused for, or undefined when it is not a cross-site simple POST. */
export function foreignSimplePost(method: string, headers: IncomingHttpHeaders): string | undefined {
  if (method !== 'POST') return undefined;
  const origin = headers.origin;
  if (origin === undefined || declaresJson(headers['content-type'])) return undefined;
  return isLoopbackOrigin(origin) ? undefined : origin;
}
