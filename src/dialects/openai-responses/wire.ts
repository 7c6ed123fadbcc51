// Wire shapes of the OpenAI Responses API that Switchyard writes, as the OpenAPI document
// (test/fixtures/openai-openapi.json, schemas Response / OutputItem / ResponseUsage) defines them.
// https://platform.openai.com/docs/api-reference/responses/object

export const DIALECT = 'openai-responses' as const;

export interface WireOutputText {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs: unknown[];
}

export interface WireRefusal {
  type: 'refusal';
  refusal: string;
}

export type WireItemStatus = 'in_progress' | 'completed' | 'incomplete';

export interface WireMessageItem {
  id: string;
  type: 'message';
  status: WireItemStatus;
  role: 'assistant';
  content: (WireOutputText | WireRefusal)[];
}

export interface WireSummaryText {
  type: 'summary_text';
  text: string;
}

export interface WireReasoningItem {
  id: string;
  type: 'reasoning';
  summary: WireSummaryText[];
  encrypted_content?: string;
}

export interface WireFunctionCallItem {
  id: string;
  type: 'function_call';
  status: WireItemStatus;
  call_id: string;
  name: string;
  /** Set when the client declared the function inside a `namespace` tool (Codex). */
  namespace?: string;
  arguments: string;
}

export type WireOutputItem = WireMessageItem | WireReasoningItem | WireFunctionCallItem;

export interface WireUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type WireResponseStatus = 'completed' | 'failed' | 'in_progress' | 'incomplete';

export type WireIncompleteReason = 'max_output_tokens' | 'content_filter';

export interface WireResponse {
  id: string;
  object: 'response';
  created_at: number;
  status: WireResponseStatus;
  background: boolean;
  completed_at: number | null;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: WireIncompleteReason } | null;
  instructions: null;
  max_output_tokens: null;
  model: string;
  output: WireOutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: null;
  reasoning: { effort: null; summary: null };
  store: boolean;
  temperature: null;
  text: { format: { type: 'text' } };
  tool_choice: 'auto';
  tools: never[];
  top_p: null;
  truncation: 'disabled';
  usage?: WireUsage;
  metadata: Record<string, string>;
}
