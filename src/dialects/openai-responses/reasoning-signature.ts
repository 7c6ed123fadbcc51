import { unwrapSignature, wrapSignature } from '../../canonical/signature.js';
import type { Signature } from '../../canonical/types.js';
import { DIALECT } from './wire.js';

// Two private encodings that ride inside a reasoning item's `encrypted_content`.
//
// 1. The upstream reasoning item id. Replaying reasoning statelessly means sending the item back with
//    its `encrypted_content`; Azure's project endpoints reject it without its original `rs_` id, and the
//    OpenAPI document marks `id` required. The canonical ThinkingPart has no id field, so a
//    Responses-origin signature VALUE is `rsid:<id length>:<id><encrypted_content>` (or just the
//    encrypted content when the upstream gave no id). Only this codec ever reads such a value back
//    (signatureFor() hands it to no other upstream), and clients get it opaque in `encrypted_content`,
//    so it survives clients that drop item ids (older Codex builds do) and stream item ids we had to
//    invent before the upstream's id was known.
//
// 2. A tool-call signature carrier. Gemini attaches thought signatures to function calls and rejects a
//    replayed call without one. Responses has no field for that, so the encoder emits an extra reasoning
//    item with no summary whose `encrypted_content` is `sycall:<call_id length>:<call_id><wrapped
//    signature>`; the decoder re-attaches the signature to the call with that id.

const ID_MARK = 'rsid:';
const CALL_MARK = 'sycall:';

function withLength(mark: string, key: string, rest: string): string {
  return `${mark}${key.length}:${key}${rest}`;
}

function readLength(mark: string, raw: string): { key: string; rest: string } | undefined {
  if (!raw.startsWith(mark)) return undefined;
  const colon = raw.indexOf(':', mark.length);
  if (colon < 0) return undefined;
  const digits = raw.slice(mark.length, colon);
  if (!/^\d{1,4}$/.test(digits)) return undefined;
  const end = colon + 1 + Number(digits);
  if (end > raw.length) return undefined;
  return { key: raw.slice(colon + 1, end), rest: raw.slice(end) };
}

export function packReasoning(id: string | undefined, encrypted: string): string {
  return id ? withLength(ID_MARK, id, encrypted) : encrypted;
}

export function isPackedReasoning(value: string): boolean {
  return readLength(ID_MARK, value) !== undefined;
}

export function unpackReasoning(value: string): { id?: string; encrypted: string } {
  const read = readLength(ID_MARK, value);
  return read ? { id: read.key, encrypted: read.rest } : { encrypted: value };
}

/** The signature to store for an upstream reasoning item. */
export function upstreamReasoningSignature(id: string | undefined, encrypted: string): Signature {
  return { origin: DIALECT, value: packReasoning(id, encrypted) };
}

/**
 * Reads a client's reasoning `encrypted_content`: Responses-origin values are packed with the item id
 * when the client's item has one and the value does not carry it yet (history from OpenAI directly).
 */
export function clientReasoningSignature(raw: string, itemId: string | undefined): Signature {
  const signature = unwrapSignature(raw, DIALECT);
  if (signature.origin === DIALECT && itemId && !isPackedReasoning(signature.value)) {
    return { origin: DIALECT, value: packReasoning(itemId, signature.value) };
  }
  return signature;
}

export function toolCallCarrier(callId: string, signature: Signature): string {
  return withLength(CALL_MARK, callId, wrapSignature(signature, DIALECT));
}

export function readToolCallCarrier(raw: string): { callId: string; signature: Signature } | undefined {
  const read = readLength(CALL_MARK, raw);
  return read ? { callId: read.key, signature: unwrapSignature(read.rest, DIALECT) } : undefined;
}
