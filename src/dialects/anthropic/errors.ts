import type { GatewayError } from '../../canonical/errors.js';
import type { ErrorKind } from '../../canonical/types.js';
import type { RenderedError } from '../codec.js';
import { upstreamError } from '../openai-chat/errors.js';

// https://docs.anthropic.com/en/api/errors — {"type":"error","error":{"type","message"}}

const TYPE_BY_KIND: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  request_too_large: 'request_too_large',
  rate_limit: 'rate_limit_error',
  upstream_error: 'api_error',
  overloaded: 'overloaded_error',
  timeout: 'timeout_error',
  not_implemented: 'invalid_request_error',
  internal: 'api_error',
};

export function anthropicErrorObject(err: { kind: ErrorKind; message: string }): { type: 'error'; error: { type: string; message: string } } {
  return { type: 'error', error: { type: TYPE_BY_KIND[err.kind], message: err.message } };
}

export function encodeAnthropicError(err: GatewayError): RenderedError {
  return { status: err.status, body: anthropicErrorObject(err) };
}

export function decodeAnthropicError(
  status: number,
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
): GatewayError {
  const e = (body as { error?: { message?: unknown; type?: unknown } } | undefined)?.error;
  const message = typeof e?.message === 'string' && e.message ? e.message : `upstream answered HTTP ${status}`;
  return upstreamError(status, message, typeof e?.type === 'string' ? e.type : undefined, headers, body);
}
