// Vendor-shaped error replies. Bodies and headers copy what each vendor actually sends
// (see test/fixtures/vendor-recordings/** for recorded error bodies).
import { newId } from './ids.js';

export interface ErrorReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Thrown by validators; the server turns it into the vendor's error reply. */
export class VendorRequestError extends Error {
  constructor(readonly reply: ErrorReply) {
    super(JSON.stringify(reply.body));
  }
}

// ---------- OpenAI ----------

export interface OpenAIErrorFields {
  type?: string;
  param?: string | null;
  code?: string | null;
}

const OPENAI_DEFAULTS: Record<number, { message: string } & Required<OpenAIErrorFields>> = {
  400: { message: 'Bad request.', type: 'invalid_request_error', param: null, code: null },
  401: {
    message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
    type: 'invalid_request_error', param: null, code: 'invalid_api_key',
  },
  403: {
    message: 'Country, region, or territory not supported', type: 'request_forbidden', param: null,
    code: 'unsupported_country_region_territory',
  },
  404: { message: 'Not found.', type: 'invalid_request_error', param: null, code: null },
  429: {
    message: 'Rate limit reached for requests. Please try again later.', type: 'requests', param: null,
    code: 'rate_limit_exceeded',
  },
  500: {
    message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error',
    param: null, code: null,
  },
  503: { message: 'The server is overloaded or not ready yet.', type: 'server_error', param: null, code: null },
};

export function openaiError(status: number, message?: string, fields: OpenAIErrorFields = {}): ErrorReply {
  const d = OPENAI_DEFAULTS[status] ?? { message: 'Error.', type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: null };
  return {
    status,
    body: {
      error: {
        message: message ?? d.message,
        type: fields.type ?? d.type,
        param: fields.param === undefined ? d.param : fields.param,
        code: fields.code === undefined ? d.code : fields.code,
      },
    },
    headers: { 'x-request-id': newId('req_') },
  };
}

/** 400 invalid_request_error — the shape of every OpenAI validation failure. */
export function openaiInvalid(message: string, param: string | null = null, code: string | null = null): VendorRequestError {
  return new VendorRequestError(openaiError(400, message, { type: 'invalid_request_error', param, code }));
}

// ---------- Anthropic ----------

const ANTHROPIC_DEFAULTS: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'Not found' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: {
    type: 'rate_limit_error',
    message: 'This request would exceed the rate limit for your organization. Please try again later.',
  },
  500: { type: 'api_error', message: 'Internal server error' },
  503: { type: 'api_error', message: 'Service unavailable' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

export function anthropicError(status: number, message?: string, type?: string): ErrorReply {
  const d = ANTHROPIC_DEFAULTS[status] ?? { type: status >= 500 ? 'api_error' : 'invalid_request_error', message: 'Error' };
  const requestId = newId('req_');
  return {
    status,
    body: { type: 'error', error: { type: type ?? d.type, message: message ?? d.message }, request_id: requestId },
    headers: { 'request-id': requestId },
  };
}

export function anthropicInvalid(message: string): VendorRequestError {
  return new VendorRequestError(anthropicError(400, message, 'invalid_request_error'));
}

// ---------- Gemini (Google RPC status JSON) ----------

const GOOGLE_STATUS: Record<number, { status: string; message: string }> = {
  400: { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  401: {
    status: 'UNAUTHENTICATED',
    message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  },
  403: { status: 'PERMISSION_DENIED', message: 'The caller does not have permission' },
  404: { status: 'NOT_FOUND', message: 'Requested entity was not found.' },
  429: { status: 'RESOURCE_EXHAUSTED', message: 'You exceeded your current quota, please check your plan and billing details.' },
  500: {
    status: 'INTERNAL',
    message: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
  504: { status: 'DEADLINE_EXCEEDED', message: 'Deadline expired before operation could complete.' },
};

export function geminiError(status: number, message?: string, details?: unknown[]): ErrorReply {
  const d = GOOGLE_STATUS[status] ?? { status: status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION', message: 'Error' };
  const error: Record<string, unknown> = { code: status, message: message ?? d.message, status: d.status };
  if (details) error.details = details;
  return { status, body: { error } };
}

export function geminiInvalid(message: string, details?: unknown[]): VendorRequestError {
  return new VendorRequestError(geminiError(400, message, details));
}

/** Gemini 429 carries its retry hint in RetryInfo, exactly like the recorded google-429-retry-info.json. */
export function geminiRateLimited(retryAfterSeconds?: number, message?: string): ErrorReply {
  const details: unknown[] = [
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [{ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }],
    },
  ];
  if (retryAfterSeconds !== undefined) {
    details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfterSeconds}s` });
  }
  return geminiError(429, message, details);
}
