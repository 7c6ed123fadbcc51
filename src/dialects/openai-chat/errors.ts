import { GatewayError, kindForStatus } from '../../canonical/errors.js';
import type { ErrorKind } from '../../canonical/types.js';
import { retryAfterMs } from '../../routing/retry-hints.js';
import type { RenderedError } from '../codec.js';

// https://platform.openai.com/docs/guides/error-codes — {"error":{"message","type","param","code"}}

const TYPE_BY_KIND: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'invalid_request_error',
  permission: 'permission_error',
  not_found: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  rate_limit: 'rate_limit_error',
  upstream_error: 'api_error',
  overloaded: 'server_error',
  timeout: 'timeout_error',
  not_implemented: 'invalid_request_error',
  internal: 'server_error',
};

const CODE_BY_KIND: Partial<Record<ErrorKind, string>> = {
  authentication: 'invalid_api_key',
  not_found: 'not_found',
  request_too_large: 'request_too_large',
  rate_limit: 'rate_limit_exceeded',
  not_implemented: 'not_implemented',
};

export function encodeOpenAIError(err: GatewayError): RenderedError {
  return {
    status: err.status,
    body: {
      error: {
        message: err.message,
        type: err.upstream?.type && err.kind !== 'rate_limit' ? err.upstream.type : TYPE_BY_KIND[err.kind],
        param: null,
        code: CODE_BY_KIND[err.kind] ?? (err.upstream?.type ?? null),
      },
    },
  };
}

export function decodeOpenAIError(
  status: number,
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
): GatewayError {
  const e = (body as { error?: { message?: unknown; type?: unknown; code?: unknown } } | undefined)?.error;
  const message = typeof e?.message === 'string' && e.message ? e.message : `upstream answered HTTP ${status}`;
  const type = typeof e?.code === 'string' ? e.code : typeof e?.type === 'string' ? e.type : undefined;
  return upstreamError(status, message, type, headers, body);
}

/** Shared by all dialects' decodeError: classify, mark retryable, read retry hints. */
export function upstreamError(
  status: number,
  message: string,
  type: string | undefined,
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
): GatewayError {
  const kind = kindForStatus(status);
  const retryable = status === 429 || status >= 500 || status === 408 || status === 401 || status === 403;
  return new GatewayError(kind, message, {
    status: status >= 400 && status < 600 ? status : 502,
    retryable,
    upstream: { status, message, type },
    retryAfterMs: status === 429 || status === 503 || status === 529 ? retryAfterMs(headers, body) : undefined,
  });
}
