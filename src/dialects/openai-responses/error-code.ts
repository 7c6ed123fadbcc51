import { errorInfo, kindForStatus } from '../../canonical/errors.js';
import type { ErrorInfo } from '../../canonical/types.js';

// In-stream errors: `error` events and `response.failed` carry a code string.
// https://platform.openai.com/docs/api-reference/responses-streaming/response/failed

const STATUS_BY_CODE: Record<string, number> = {
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  context_length_exceeded: 400,
  invalid_prompt: 400,
  server_error: 502,
  server_is_overloaded: 503,
  vector_store_timeout: 504,
};

/**
 * OpenAI's own codes for a failed response: the OpenAPI ResponseErrorCode enum plus the in-stream codes
 * above. Another upstream's code (Anthropic `overloaded_error`, Gemini `RESOURCE_EXHAUSTED`) means
 * nothing to a Responses client and would hide what the message says (a "prompt is too long" from
 * Anthropic arrives as `invalid_request_error`), so only these are passed on as they came.
 */
const OPENAI_CODES: ReadonlySet<string> = new Set([
  ...Object.keys(STATUS_BY_CODE),
  'data_residency_mismatch',
  'bio_policy',
  'invalid_image',
  'invalid_image_format',
  'invalid_base64_image',
  'invalid_image_url',
  'image_too_large',
  'image_too_small',
  'image_parse_error',
  'image_content_policy_violation',
  'invalid_image_mode',
  'image_file_too_large',
  'unsupported_image_media_type',
  'empty_image_file',
  'failed_to_download_image',
  'image_file_not_found',
]);

/**
 * The code to put in `response.failed`'s response.error.code: the upstream's own code when it is one of
 * OpenAI's, else a guess from the canonical error. The OpenAPI enum lists rate_limit_exceeded,
 * invalid_prompt and server_error among others; OpenAI itself also sends context_length_exceeded and
 * insufficient_quota there (see the recorded openai-error stream), and Codex acts on exactly those two
 * (codex-rs/codex-api/src/sse/responses.rs: it compacts on context_length_exceeded and stops retrying on
 * insufficient_quota), so they are recognised from the message when the canonical error says so.
 */
export function responseErrorCode(info: ErrorInfo): string {
  if (info.code !== undefined && OPENAI_CODES.has(info.code)) return info.code;
  if (info.kind === 'request_too_large' || /context (length|window)|maximum context|prompt is too long|too many tokens/i.test(info.message)) {
    return 'context_length_exceeded';
  }
  if (info.kind === 'rate_limit') return /quota/i.test(info.message) ? 'insufficient_quota' : 'rate_limit_exceeded';
  if (info.kind === 'invalid_request') return 'invalid_prompt';
  return 'server_error';
}

/** An upstream in-stream error -> canonical ErrorInfo (keeping the upstream's code). */
export function errorInfoForCode(code: string | undefined, message: string): ErrorInfo {
  let status = code ? STATUS_BY_CODE[code] : undefined;
  if (status === undefined) status = code && /^(invalid|image|unsupported|empty|failed_to_download)/.test(code) ? 400 : 502;
  return errorInfo(kindForStatus(status), status, message, code);
}
