import type { IncomingHttpHeaders } from 'node:http';

// What a web page could make a browser send to a gateway on the user's machine, and is refused on the
// proxy routes (with auth off, the loopback default, such a request would spend the user's upstream
// quota):
//
// - A "simple" cross-site POST — text/plain or form data, no custom headers — which browsers send
//   without asking the server first (no CORS preflight). The page cannot read the answer, but the
//   request runs. API clients (SDKs, CLIs, Electron apps) send JSON as application/json, which a
//   browser only sends cross-site after a preflight this gateway never approves; `curl -d` sends no
//   Origin. Local web pages (Origin on localhost / 127.x / [::1]) are not foreign.
// - DNS rebinding: a page on evil.example:8045 whose name is re-pointed to 127.0.0.1 sends same-origin
//   requests (JSON too) and could read the answers. Its signature is an Origin naming the same host
//   and port as the Host header, by a DNS name. Checked only where no key is needed (a key the page
//   cannot know stops it otherwise): the only pages this gateway serves (the console) do not call the
//   proxy routes, and a web client put behind a reverse proxy on the same name has a key to send.

const LOOPBACK_NAME = /^(localhost|.+\.localhost)$/i;
const LOOPBACK_IP = /^(127(?:\.\d{1,3}){3}|\[::1\])$/;
const IP_LITERAL = /^(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/i;

function originUrl(origin: string): URL | undefined {
  try {
    return new URL(origin);
  } catch {
    return undefined; // "null" (sandboxed frames, file: pages) and anything unparsable
  }
}

function declaresJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const media = contentType.split(';', 1)[0].trim().toLowerCase();
  return media === 'application/json' || media.endsWith('+json');
}

/** Why a web page's request must be refused, or undefined when it is not one (or is harmless). */
export function forgedBrowserPost(method: string, headers: IncomingHttpHeaders, keyRequired: boolean): string | undefined {
  const origin = headers.origin;
  if (method !== 'POST' || origin === undefined) return undefined;
  const url = originUrl(origin);
  const hostname = url?.hostname ?? '';
  const local = LOOPBACK_NAME.test(hostname) || LOOPBACK_IP.test(hostname);
  if (!declaresJson(headers['content-type'])) {
    if (local) return undefined;
    return `a web page (origin ${origin}) sent this request from a browser without declaring it JSON, which any site can do to a local gateway. API clients send Content-Type: application/json; if this is your own web app, send that header`;
  }
  if (!keyRequired && url && !local && !IP_LITERAL.test(hostname) && url.host.toLowerCase() === String(headers.host ?? '').toLowerCase()) {
    return `a web page on ${url.host} sent this request as its own origin: the name ${hostname} was pointed at this gateway (DNS rebinding). Clients reach Switchyard by its address (127.0.0.1, localhost or its IP)`;
  }
  return undefined;
}
