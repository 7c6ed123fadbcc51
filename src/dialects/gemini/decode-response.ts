import { GatewayError } from '../../canonical/errors.js';
import { nowSeconds, randomId } from '../../canonical/ids.js';
import type { CanonicalResponse, FinishReason, Part, Signature } from '../../canonical/types.js';
import { isObject, type JsonObject } from '../../util/json.js';
import { randomSalt, responseCallId } from './call-ids.js';
import { fromGeminiFinishReason } from './map-finish-reason.js';
import { fromGeminiUsage } from './map-usage.js';
import { fromFileData, fromInlineData } from './media.js';

// Upstream GenerateContentResponse -> canonical.
// https://ai.google.dev/api/generate-content#generatecontentresponse

export function decodeResponse(body: unknown): CanonicalResponse {
  if (!isObject(body)) throw new GatewayError('upstream_error', 'Gemini answered with a body that is not a GenerateContentResponse.');
  const responseId = typeof body.responseId === 'string' && body.responseId ? body.responseId : undefined;
  const candidate = Array.isArray(body.candidates) && isObject(body.candidates[0]) ? body.candidates[0] : undefined;
  const content = candidate && isObject(candidate.content) ? candidate.content : undefined;
  const rawParts = content && Array.isArray(content.parts) ? content.parts : [];

  const salt = responseId ?? randomSalt();
  const parts: Part[] = [];
  let calls = 0;
  for (const p of rawParts) {
    if (!isObject(p)) continue;
    const signature = upstreamSignature(p);
    if (isObject(p.functionCall)) {
      const fc = p.functionCall;
      const name = typeof fc.name === 'string' ? fc.name : '';
      const id = typeof fc.id === 'string' && fc.id ? fc.id : responseCallId(salt, name, calls);
      calls++;
      parts.push({ type: 'tool_call', id, name, arguments: isObject(fc.args) ? fc.args : {}, ...(signature && { signature }) });
      continue;
    }
    if (p.thought === true) {
      parts.push({ type: 'thinking', text: typeof p.text === 'string' ? p.text : '', ...(signature && { signature }) });
      continue;
    }
    if (typeof p.text === 'string') {
      if (p.text !== '') parts.push({ type: 'text', text: p.text });
      // TextPart has no signature field: the signature rides on an empty thinking part right after.
      if (signature) parts.push({ type: 'thinking', text: '', signature });
      continue;
    }
    if (isObject(p.inlineData)) parts.push(fromInlineData(p.inlineData, 'candidates[0].content.parts[].inlineData'));
    else if (isObject(p.fileData)) parts.push(fromFileData(p.fileData, 'candidates[0].content.parts[].fileData'));
    // executableCode / codeExecutionResult and other server-tool parts: nothing canonical.
  }

  let finishReason: FinishReason;
  const feedback = isObject(body.promptFeedback) ? body.promptFeedback : undefined;
  if (!candidate && typeof feedback?.blockReason === 'string') finishReason = 'content_filter'; // the prompt was blocked
  else finishReason = fromGeminiFinishReason(typeof candidate?.finishReason === 'string' ? candidate.finishReason : undefined, calls > 0);

  return {
    id: responseId ?? randomId('gen-'),
    model: typeof body.modelVersion === 'string' ? body.modelVersion : '',
    created: createdOf(body),
    parts,
    finishReason,
    usage: fromGeminiUsage(body.usageMetadata) ?? { inputTokens: 0, outputTokens: 0 },
  };
}

export function upstreamSignature(p: JsonObject): Signature | undefined {
  const raw = p.thoughtSignature;
  return typeof raw === 'string' && raw !== '' ? { origin: 'gemini', value: raw } : undefined;
}

export function createdOf(body: JsonObject): number {
  const t = typeof body.createTime === 'string' ? Date.parse(body.createTime) : NaN;
  return Number.isFinite(t) ? Math.floor(t / 1000) : nowSeconds();
}
