import type { FinishReason } from '../../canonical/types.js';

// https://ai.google.dev/api/generate-content#FinishReason

/** Gemini finishReason -> canonical. A natural STOP that produced function calls is `tool_calls`. */
export function fromGeminiFinishReason(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case undefined:
    case 'STOP':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
    case 'IMAGE_PROHIBITED_CONTENT':
    case 'IMAGE_RECITATION':
    case 'MODEL_ARMOR':
      return 'content_filter';
    // The model produced a call the API could not accept (bad JSON, unknown tool, too many calls,
    // missing signature): the turn failed, nothing usable to hand to the client.
    case 'MALFORMED_FUNCTION_CALL':
    case 'UNEXPECTED_TOOL_CALL':
    case 'TOO_MANY_TOOL_CALLS':
    case 'MISSING_THOUGHT_SIGNATURE':
    case 'MALFORMED_RESPONSE':
      return 'error';
    default:
      // LANGUAGE, NO_IMAGE, IMAGE_OTHER, OTHER, FINISH_REASON_UNSPECIFIED, and reasons added later.
      return 'other';
  }
}

/** Canonical -> Gemini finishReason for client responses. */
export function toGeminiFinishReason(reason: FinishReason): string {
  switch (reason) {
    case 'stop':
    case 'tool_calls': // Gemini reports STOP for a turn that ends in function calls.
    case 'pause': // no "paused" state in Gemini; the turn did end.
      return 'STOP';
    case 'length':
      return 'MAX_TOKENS';
    case 'content_filter':
    case 'refusal': // Gemini has no refusal reason; a blocked answer is its closest kin.
      return 'SAFETY';
    case 'error':
    case 'other':
      return 'OTHER';
  }
}
