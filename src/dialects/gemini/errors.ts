import type { GatewayError } from '../../canonical/errors.js';
import type { ErrorKind } from '../../canonical/types.js';
import type { RenderedError } from '../codec.js';
import { upstreamError } from '../openai-chat/errors.js';

// https://ai.google.dev/gemini-api/docs/troubleshooting — {"error":{"code","message","status"}}

const STATUS_BY_KIND: Record<ErrorKind, string> = {
  invalid_request: 'INVALID_ARGUMENT',
  authentication: 'UNAUTHENTICATED',
  permission: 'PERMISSION_DENIED',
  not_found: 'NOT_FOUND',
  request_too_large: 'INVALID_ARGUMENT',
  rate_limit: 'RESOURCE_EXHAUSTED',
  upstream_error: 'INTERNAL',
  overloaded: 'UNAVAILABLE',
  timeout: 'DEADLINE_EXCEEDED',
  not_implemented: 'UNIMPLEMENTED',
  internal: 'INTERNAL',
};

export function geminiErrorObject(err: { kind: ErrorKind; status: number; message: string }): {
  error: { code: number; message: string; status: string };
} {
  return { error: { code: err.status, message: err.message, status: STATUS_BY_KIND[err.kind] } };
}

export function encodeGeminiError(err: GatewayError): RenderedError {
  const body: { error: Record<string, unknown> } = geminiErrorObject(err);
  // Gemini clients read when to retry from RetryInfo, as Google sends it on a 429 (Gemini CLI's quota
  // handling parses `retryDelay`; the Retry-After header alone goes unread).
  if (err.retryAfterMs !== undefined) {
    const seconds = Math.max(1, Math.ceil(err.retryAfterMs / 1000));
    body.error.details = [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` }];
  }
  return { status: err.status, body };
}

export function decodeGeminiError(
  status: number,
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
): GatewayError {
  // Gemini sometimes wraps the error object in a one-element array.
  const obj = Array.isArray(body) ? body[0] : body;
  const e = (obj as { error?: { message?: unknown; status?: unknown } } | undefined)?.error;
  const message = typeof e?.message === 'string' && e.message ? e.message : `upstream answered HTTP ${status}`;
  return upstreamError(status, message, typeof e?.status === 'string' ? e.status : undefined, headers, obj);
}
