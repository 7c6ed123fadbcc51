import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../canonical/errors.js';
import { formatByteSize } from '../config/byte-size.js';

// The request body, read whole (the relay forwards it untouched, the codecs parse it), within the
// size limit: a declared length over the limit is refused before a byte is read, a chunked body as
// soon as it passes the limit.

export type BodyResult = { ok: true; body: Buffer | undefined } | { ok: false; reason: 'too_large' | 'aborted' };

/** Whether the request announces a body at all (GETs and empty POSTs skip reading). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

export function readBody(req: IncomingMessage, limit: number, done: (result: BodyResult) => void): void {
  if (!hasBody(req)) {
    done({ ok: true, body: undefined });
    return;
  }
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    done({ ok: false, reason: 'too_large' });
    return;
  }
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let size = 0;
  let settled = false;
  const settle = (result: BodyResult) => {
    if (settled) return;
    settled = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onAbort);
    req.off('aborted', onAbort);
    done(result);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      req.pause();
      settle({ ok: false, reason: 'too_large' });
      return;
    }
    if (first === undefined) first = chunk;
    else (chunks ??= [first]).push(chunk);
  };
  const onEnd = () => settle({ ok: true, body: chunks ? Buffer.concat(chunks, size) : (first ?? undefined) });
  const onAbort = () => settle({ ok: false, reason: 'aborted' });
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onAbort);
  req.on('aborted', onAbort);
}

/** The 413 a body over max_body_size gets, wherever it was read. */
export function bodyTooLarge(limit: number): GatewayError {
  return new GatewayError(
    'request_too_large',
    `The request body is larger than Switchyard's limit of ${formatByteSize(limit)}. Raise max_body_size (or SWITCHYARD_MAX_BODY_SIZE) if this is intended.`,
  );
}
