import { nowSeconds, randomId } from '../../canonical/ids.js';
import { wrapSignature } from '../../canonical/signature.js';
import type { Signature, Usage } from '../../canonical/types.js';
import { encodeUsage } from './map-usage.js';
import { toolCallCarrier, unpackReasoning } from './reasoning-signature.js';
import { splitToolName } from './tool-names.js';
import {
  DIALECT,
  type WireFunctionCallItem,
  type WireIncompleteReason,
  type WireMessageItem,
  type WireOutputItem,
  type WireOutputText,
  type WireReasoningItem,
  type WireResponse,
  type WireResponseStatus,
} from './wire.js';

// Builders for the Response object and its output items, shared by encodeResponse and the stream
// encoder so both write identical shapes. Required fields per the OpenAPI `Response` schema.
// https://platform.openai.com/docs/api-reference/responses/object

/** Response ids look like `resp_…`; canonical ids from other dialects get the prefix. */
export function responseId(canonicalId: string | undefined): string {
  if (!canonicalId) return randomId('resp_');
  return canonicalId.startsWith('resp_') ? canonicalId : `resp_${canonicalId.replace(/[^A-Za-z0-9_-]/g, '')}`;
}

export interface ResponseFields {
  id: string;
  created: number;
  model: string;
  status: WireResponseStatus;
  output: WireOutputItem[];
  usage?: Partial<Usage>;
  incompleteReason?: WireIncompleteReason;
  error?: { code: string; message: string };
}

export function responseObject(f: ResponseFields): WireResponse {
  const res: WireResponse = {
    id: f.id,
    object: 'response',
    created_at: f.created,
    status: f.status,
    background: false,
    completed_at: f.status === 'completed' ? nowSeconds() : null,
    error: f.error ?? null,
    incomplete_details: f.incompleteReason ? { reason: f.incompleteReason } : null,
    instructions: null,
    max_output_tokens: null,
    model: f.model,
    output: f.output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: null,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    truncation: 'disabled',
    metadata: {},
  };
  // `usage` is not nullable in the schema: absent until known.
  if (f.usage) res.usage = encodeUsage(f.usage);
  return res;
}

export function outputText(text: string): WireOutputText {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function messageItem(id: string, content: WireMessageItem['content'], status: WireMessageItem['status']): WireMessageItem {
  return { id, type: 'message', status, role: 'assistant', content };
}

/**
 * A reasoning item. `encrypted_content` is the wrapped signature; for Responses-origin signatures that
 * is the packed value with the upstream item id (reasoning-signature.ts), which is also the item id
 * when the caller has none of its own yet.
 */
export function reasoningItem(id: string | undefined, text: string, signature: Signature | undefined): WireReasoningItem {
  const upstreamId = signature?.origin === DIALECT ? unpackReasoning(signature.value).id : undefined;
  const item: WireReasoningItem = {
    id: id ?? upstreamId ?? randomId('rs_'),
    type: 'reasoning',
    summary: text ? [{ type: 'summary_text', text }] : [],
  };
  if (signature) item.encrypted_content = wrapSignature(signature, DIALECT);
  return item;
}

/** The reasoning item that carries a function call's signature (Gemini thought signatures). */
export function carrierItem(callId: string, signature: Signature): WireReasoningItem {
  return { id: randomId('rs_'), type: 'reasoning', summary: [], encrypted_content: toolCallCarrier(callId, signature) };
}

export function functionCallItem(id: string, callId: string, flatName: string, args: string, status: WireFunctionCallItem['status']): WireFunctionCallItem {
  const { name, namespace } = splitToolName(flatName);
  const item: WireFunctionCallItem = { id, type: 'function_call', status, call_id: callId, name, arguments: args };
  if (namespace) item.namespace = namespace;
  return item;
}
