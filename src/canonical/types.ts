// The canonical model: one shape for a conversation, a reply and a stream, that every dialect
// decodes into and encodes from. Translation between N dialects needs 2N codecs instead of N².
//
// Conventions every codec follows:
// - Token counts use OpenAI semantics: `inputTokens` is ALL input (cached included); `outputTokens`
//   is ALL output (reasoning included). Sub-counts are subsets of those totals.
// - Tool results travel as `tool_result` parts inside `user` messages (Anthropic's convention);
//   encoders split them out where the target wants separate messages (OpenAI `tool` role, etc.).
// - Signatures (Anthropic thinking signatures, Gemini thoughtSignature, OpenAI encrypted reasoning)
//   are opaque, byte-exact, and tagged with the upstream dialect that produced them. An encoder for an
//   UPSTREAM only emits signatures whose origin equals its own dialect; the rest are dropped.
//   See ./signature.ts for how a foreign signature is carried inside a client dialect.

export type Dialect = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

export interface Signature {
  /** Dialect of the upstream that produced it; only that upstream can verify it. */
  origin: Dialect;
  /** Exactly the bytes the upstream sent. */
  value: string;
}

export type MediaSource =
  | { kind: 'base64'; mediaType: string; data: string }
  | { kind: 'url'; url: string; mediaType?: string }
  /** A provider-side file id (OpenAI file_id, Gemini fileUri, Anthropic file_id). */
  | { kind: 'file'; fileId: string; mediaType?: string };

export interface TextPart {
  type: 'text';
  text: string;
  /** Anthropic prompt-cache marker, kept for Anthropic upstreams only. */
  cacheControl?: Record<string, unknown>;
}

export interface ImagePart {
  type: 'image';
  source: MediaSource;
  /** OpenAI `detail` hint (low / high / auto). */
  detail?: string;
  /** Anthropic prompt-cache marker, kept for Anthropic upstreams only. */
  cacheControl?: Record<string, unknown>;
}

export interface DocumentPart {
  type: 'document';
  source: MediaSource;
  title?: string;
  filename?: string;
  /** Anthropic prompt-cache marker, kept for Anthropic upstreams only. */
  cacheControl?: Record<string, unknown>;
}

export interface ToolCallPart {
  type: 'tool_call';
  /** Call id; synthesized (stable, see ./ids.ts) where the source dialect has none. */
  id: string;
  name: string;
  /** Parsed JSON arguments (an object for function tools). */
  arguments: unknown;
  /** Gemini attaches thought signatures to function calls. */
  signature?: Signature;
  /** Anthropic prompt-cache marker, kept for Anthropic upstreams only. */
  cacheControl?: Record<string, unknown>;
}

export type ToolResultContent = TextPart | ImagePart | DocumentPart;

export interface ToolResultPart {
  type: 'tool_result';
  callId: string;
  /** Tool name when the source dialect carries it (Gemini needs it: functionResponse.name). */
  name?: string;
  content: ToolResultContent[];
  isError?: boolean;
  /** Anthropic prompt-cache marker, kept for Anthropic upstreams only. */
  cacheControl?: Record<string, unknown>;
}

export interface ThinkingPart {
  type: 'thinking';
  text: string;
  signature?: Signature;
  /** Anthropic redacted_thinking data / OpenAI encrypted_content with no summary text. */
  redacted?: boolean;
}

export type Part = TextPart | ImagePart | DocumentPart | ToolCallPart | ToolResultPart | ThinkingPart;

export type Role = 'user' | 'assistant' | 'system';

export interface Message {
  /**
   * 'system' here is a system/developer message in the middle of the conversation (Claude Code sends
   * one; OpenAI chat allows them). Leading instructions go to CanonicalRequest.system instead.
   */
  role: Role;
  parts: Part[];
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object, as the client sent it (sanitized per target at encode). */
  parameters: Record<string, unknown>;
  strict?: boolean;
  /** Anthropic prompt-cache marker, kept for Anthropic upstreams only. */
  cacheControl?: Record<string, unknown>;
}

export type ToolChoice =
  | { type: 'auto' }
  | { type: 'none' }
  | { type: 'required' }
  | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json' }
  | { type: 'json_schema'; name?: string; schema: Record<string, unknown>; strict?: boolean; description?: string };

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

export interface ReasoningConfig {
  /** false = the client asked for no thinking at all. */
  enabled: boolean;
  effort?: ReasoningEffort;
  /** Token budget when the source gave one (Anthropic budget_tokens, Gemini thinkingBudget). */
  budgetTokens?: number;
  /** Whether thought text/summaries should be returned (Gemini includeThoughts, Responses summary). */
  includeThoughts?: boolean;
}

export interface CanonicalRequest {
  /** The model id the client asked for (before mapping). */
  model: string;
  system: TextPart[];
  messages: Message[];
  tools: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  n?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseFormat?: ResponseFormat;
  reasoning?: ReasoningConfig;
  stream: boolean;
  /** OpenAI chat `stream_options.include_usage`; other dialects always carry usage. */
  streamUsage?: boolean;
  /** End-user / session identifier when the client sent one (OpenAI `user`, Anthropic metadata.user_id). */
  user?: string;
  /** Dialect-specific leftovers with no common meaning, keyed by source dialect. Encoders for the
   *  same dialect may reuse them; others ignore them deliberately. */
  extras: Partial<Record<Dialect, Record<string, unknown>>>;
}

export type FinishReason =
  | 'stop' // natural end or stop sequence
  | 'length' // max tokens
  | 'tool_calls'
  | 'content_filter'
  | 'refusal'
  | 'pause' // Anthropic pause_turn: the server paused a long turn
  | 'error'
  | 'other';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from a prompt cache (subset of inputTokens). */
  cachedInputTokens?: number;
  /** Input tokens written to a prompt cache (subset of inputTokens; Anthropic). */
  cacheCreationTokens?: number;
  /** Reasoning tokens (subset of outputTokens). */
  reasoningTokens?: number;
  /** True when the numbers are Switchyard's estimate, not the upstream's. */
  estimated?: boolean;
}

export interface CanonicalResponse {
  id: string;
  /** Model id as reported by the upstream. Encoders answer with the model the client requested. */
  model: string;
  /** Unix seconds. */
  created: number;
  parts: Part[];
  finishReason: FinishReason;
  /** The stop sequence that ended generation, when the upstream says which. */
  stopSequence?: string;
  usage: Usage;
}

// ---------------------------------------------------------------------------------------------
// Streams. Decoders turn an upstream stream into these events; encoders turn them into the client
// dialect's exact event sequence. `index` identifies a part within the one assistant turn; indexes
// are assigned by the decoder in order of first appearance and are unique per part.

export type PartStart =
  | { type: 'text' }
  | { type: 'thinking'; redacted?: boolean }
  | { type: 'tool_call'; id: string; name: string };

export type StreamEvent =
  | { type: 'start'; id: string; model: string; created: number; usage?: Partial<Usage> }
  | { type: 'part_start'; index: number; part: PartStart }
  | { type: 'text_delta'; index: number; text: string }
  | { type: 'thinking_delta'; index: number; text: string }
  /** A signature for the part at `index` (thinking block, or a Gemini function call / text part). */
  | { type: 'signature'; index: number; signature: Signature }
  /** A fragment of a tool call's JSON arguments; fragments concatenate to the full JSON text. */
  | { type: 'tool_args_delta'; index: number; json: string }
  | { type: 'part_end'; index: number }
  /** Usage so far (cumulative, not incremental). Later events supersede earlier ones field by field. */
  | { type: 'usage'; usage: Partial<Usage> }
  | { type: 'finish'; reason: FinishReason; stopSequence?: string; usage?: Usage }
  | { type: 'error'; error: ErrorInfo };

/** What a stream error carries; the full error type lives in ./errors.ts. */
export interface ErrorInfo {
  kind: ErrorKind;
  status: number;
  message: string;
  /** The upstream's own error code or type when it gave one (`context_length_exceeded`, `overloaded_error`, `RESOURCE_EXHAUSTED`, …); its vocabulary is the upstream dialect's. */
  code?: string;
}

export type ErrorKind =
  | 'invalid_request' // 400
  | 'authentication' // 401
  | 'permission' // 403
  | 'not_found' // 404
  | 'request_too_large' // 413
  | 'rate_limit' // 429
  | 'upstream_error' // 500/502 from or about an upstream
  | 'overloaded' // 503/529
  | 'timeout' // 504
  | 'not_implemented' // 501
  | 'internal'; // 500, our fault
