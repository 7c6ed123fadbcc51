import { kindForStatus } from '../../canonical/errors.js';
import type { ErrorInfo } from '../../canonical/types.js';

// In-stream errors: `error` events and `response.failed` carry a code string.
// https://platform.openai.com/docs/api-reference/responses-streaming/response/failed

/**
 * The code to put in `response.failed`'s response.error.code. The OpenAPI enum lists rate_limit_exceeded,
 * invalid_prompt and server_error among others; OpenAI itself also sends context_length_exceeded and
 * insufficient_quota there (see the recorded openai-error stream), and Codex acts on exactly those two
 * (codex-rs/codex-api/src/sse/responses.rs: it compacts on context_length_exceeded and stops retrying on
 * insufficient_quota), so they are recognised from the message when the canonical error says so.
 */
export function responseErrorCode(info: ErrorInfo): string {
  if (info.kind === 'request_too_large' || /context (length|window)|maximum context|prompt is too long|too many tokens/i.test(info.message)) {
    return 'context_length_exceeded';
  }
  if (info.kind === 'rate_limit') return /quota/i.test(info.message) ? 'insufficient_quota' : 'rate_limit_exceeded';
  if (info.kind === 'invalid_request') return 'invalid_prompt';
  return 'server_error';
}

const STATUS_BY_CODE: Record<string, number> = {
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  context_length_exceeded: 400,
  invalid_prompt: 400,
  server_error: 502,
  server_is_overloaded: 503,
  vector_store_timeout: 504,
};

/** An upstream in-stream error -> canonical ErrorInfo. */
export function errorInfoForCode(code: string | undefined, message: string): ErrorInfo {
  let status = code ? STATUS_BY_CODE[code] : undefined;
  if (status === undefined) status = code && /^(invalid|image|unsupported|empty|failed_to_download)/.test(code) ? 400 : 502;
  return { kind: kindForStatus(status), status, message };
}
