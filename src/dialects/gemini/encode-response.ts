import { wrapSignature } from '../../canonical/signature.js';
import type { CanonicalResponse, Part } from '../../canonical/types.js';
import type { EncodeResponseContext } from '../codec.js';
import { toArgsObject } from './function-args.js';
import { toGeminiFinishReason } from './map-finish-reason.js';
import { toGeminiUsage } from './map-usage.js';
import { toGeminiMediaPart } from './media.js';
import type { GeminiPart, GeminiResponse } from './wire.js';

// Canonical -> GenerateContentResponse for a Gemini client.
// https://ai.google.dev/api/generate-content#generatecontentresponse

export function encodeResponse(res: CanonicalResponse, ctx: EncodeResponseContext): GeminiResponse {
  return {
    candidates: [
      {
        content: { parts: toClientParts(res.parts), role: 'model' },
        finishReason: toGeminiFinishReason(res.finishReason),
        index: 0,
      },
    ],
    usageMetadata: toGeminiUsage(res.usage),
    modelVersion: ctx.requestModel,
    responseId: res.id,
  };
}

/** Canonical assistant parts -> Gemini parts, signatures wrapped for the client. */
export function toClientParts(parts: Part[]): GeminiPart[] {
  const out: GeminiPart[] = [];
  for (const p of parts) {
    switch (p.type) {
      case 'text':
        if (p.text !== '') out.push({ text: p.text });
        break;
      case 'thinking': {
        const sig = p.signature ? wrapSignature(p.signature, 'gemini') : undefined;
        if (p.text !== '') {
          out.push({ text: p.text, thought: true, ...(sig !== undefined && { thoughtSignature: sig }) });
        } else if (sig !== undefined) {
          // An empty thinking part only carries a signature: it belongs on the text part before it.
          const prev = out[out.length - 1];
          if (prev && prev.text !== undefined && !prev.thought && prev.thoughtSignature === undefined) prev.thoughtSignature = sig;
          else out.push({ text: '', thoughtSignature: sig });
        }
        break;
      }
      case 'tool_call': {
        const sig = p.signature ? wrapSignature(p.signature, 'gemini') : undefined;
        // The canonical id goes out as functionCall.id: Gemini CLI echoes it in its functionResponse.
        out.push({
          functionCall: { id: p.id, name: p.name, args: toArgsObject(p.arguments) },
          ...(sig !== undefined && { thoughtSignature: sig }),
        });
        break;
      }
      case 'image':
      case 'document':
        out.push(toGeminiMediaPart(p.source));
        break;
      default:
        break;
    }
  }
  return out;
}
