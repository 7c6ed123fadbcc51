import { isObject } from '../../util/json.js';

/**
 * functionCall.args is a protobuf Struct: it must be a JSON object. Canonical arguments are usually
 * one already; free-text tool inputs (Responses "custom" tools) or unparsable argument strings are
 * wrapped as `{input: …}` rather than dropped.
 */
export function toArgsObject(v: unknown): Record<string, unknown> {
  if (isObject(v)) return v;
  if (v === undefined || v === null || v === '') return {};
  if (typeof v === 'string') {
    try {
      const parsed: unknown = JSON.parse(v);
      if (isObject(parsed)) return parsed;
    } catch {
      // not JSON: keep the text
    }
  }
  return { input: v };
}
