import type { ErrorInfo, ErrorKind } from './types.js';

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  request_too_large: 413,
  rate_limit: 429,
  upstream_error: 502,
  overloaded: 503,
  timeout: 504,
  not_implemented: 501,
  internal: 500,
};

export function kindForStatus(status: number): ErrorKind {
  if (status === 400 || status === 422) return 'invalid_request';
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit';
  if (status === 501) return 'not_implemented';
  if (status === 503 || status === 529) return 'overloaded';
  if (status === 504 || status === 408) return 'timeout';
  if (status >= 400 && status < 500) return 'invalid_request';
  return 'upstream_error';
}

export interface UpstreamErrorDetails {
  provider?: string;
  status: number;
  /** The upstream's own error message, already extracted from its error body. */
  message: string;
  /** The upstream's own error type/code string, when it had one. */
  type?: string;
}

/**
 * The one error type inside Switchyard. Each dialect renders it in its own wire format at the edge;
 * upstream errors are decoded into it, so retry decisions read one shape.
 */
export class GatewayError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  /** Whether another credential or provider might succeed where this failed. */
  readonly retryable: boolean;
  readonly upstream?: UpstreamErrorDetails;
  /** Milliseconds the client should wait (Retry-After), when known. */
  readonly retryAfterMs?: number;
  /** Extra response headers (e.g. Allow on 405). */
  readonly headers?: Record<string, string>;

  constructor(
    kind: ErrorKind,
    message: string,
    opts: {
      status?: number;
      retryable?: boolean;
      upstream?: UpstreamErrorDetails;
      retryAfterMs?: number;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = 'GatewayError';
    this.kind = kind;
    this.status = opts.status ?? STATUS_BY_KIND[kind];
    this.retryable = opts.retryable ?? false;
    this.upstream = opts.upstream;
    this.retryAfterMs = opts.retryAfterMs;
    this.headers = opts.headers;
  }

  info(): ErrorInfo {
    return errorInfo(this.kind, this.status, this.message, this.upstream?.type);
  }
}

/** A stream error; `code` is the upstream's own error code or type, left out when it gave none. */
export function errorInfo(kind: ErrorKind, status: number, message: string, code?: string): ErrorInfo {
  const info: ErrorInfo = { kind, status, message };
  if (code) info.code = code;
  return info;
}

export function invalidRequest(message: string): GatewayError {
  return new GatewayError('invalid_request', message);
}

/** Wraps anything thrown into a GatewayError without leaking stack traces to clients. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new GatewayError('internal', `Switchyard hit an unexpected error: ${message}`);
}
