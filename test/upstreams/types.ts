// Public types of the local vendor upstreams used by Switchyard's integration tests.

export type Vendor = 'openai' | 'anthropic' | 'gemini';

/** The wire dialects an upstream can answer in (the OpenAI upstream speaks two). */
export type Dialect = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

export type JsonObject = Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  /** Path including the query string, e.g. `/v1beta/models/x:streamGenerateContent?alt=sse`. */
  path: string;
  /** Lower-cased header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Parsed JSON when the body was JSON, the raw text otherwise (`''` for no body). */
  body: unknown;
  /** The API key the request presented (whether or not it was valid). */
  key: string | undefined;
}

/** What the default brain (or a script) decides to answer, independent of the wire format. */
export interface BrainReply {
  thinking?: string;
  text?: string;
  toolCalls?: BrainToolCall[];
  /** Defaults to `tool` when there are tool calls, else `stop`. */
  finish?: 'stop' | 'tool' | 'length';
  /** Token counts; estimated from the request and the reply when omitted. */
  usage?: { input?: number; output?: number };
}

export interface BrainToolCall {
  name: string;
  arguments: JsonObject;
  /** Vendor-style id; generated when omitted. */
  id?: string;
}

/** The vendor-neutral facts the brain answers from. */
export interface ConversationView {
  /** Text of the last user turn (its last text part), `''` when none. */
  lastUserText: string;
  /** Tool results in the last user turn, in order (present only when there are some). */
  toolResults?: string[];
  /** Media type of the first image in the last user turn. */
  imageMediaType?: string;
  tools: OfferedTool[];
  wantsThinking: boolean;
  /** Rough token count of the prompt, used for usage and count_tokens. */
  inputTokens: number;
}

export interface OfferedTool {
  name: string;
  /** JSON-schema-ish parameters (lower- or upper-case types), if the tool declared any. */
  parameters?: JsonObject;
}

export type ScriptApi = 'chat.completions' | 'responses' | 'messages' | 'generateContent';

export interface ScriptContext {
  vendor: Vendor;
  api: ScriptApi;
  model: string;
  stream: boolean;
  body: JsonObject;
  request: RecordedRequest;
  view: ConversationView;
  /** 0-based index of this generation call on this upstream. */
  callIndex: number;
  /** The default brain's answer for this request. */
  brain(): BrainReply;
}

/**
 * A script's answer:
 * - `reply`: rendered in the vendor's exact format (streaming or not, as the request asked);
 * - `json`: sent verbatim as a JSON body;
 * - `events`: vendor event objects framed as `dialect` streams them (SSE, or Gemini's JSON array);
 * - `raw`: text chunks sent verbatim with the given content type.
 */
export type ScriptAnswer =
  | { kind: 'reply'; reply: BrainReply }
  | { kind: 'json'; body: unknown; status?: number; headers?: Record<string, string> }
  | { kind: 'events'; dialect: Dialect; events: unknown[]; status?: number }
  | { kind: 'raw'; chunks: string[]; contentType: string; status?: number };

/** Returning `undefined` falls through to the default brain. */
export type ScriptFn = (ctx: ScriptContext) => ScriptAnswer | undefined | Promise<ScriptAnswer | undefined>;

export type Fault =
  | 'ok'
  | { status: number; retryAfter?: number; message?: string }
  | { hang: true }
  | { reset: true }
  | { dropAfterChunks: number };

/** Per-key fault queues: one entry is consumed per request with that key, then `'ok'`. */
export type FaultPlan = Record<string, Fault[]>;

export interface UpstreamOptions {
  /** Valid API keys; default: any non-empty key is valid. */
  keys?: string[];
  /** Pause between streamed chunks (the first chunk is always flushed at once). */
  chunkDelayMs?: number;
  script?: ScriptFn;
  faults?: FaultPlan;
  /** Served by the models endpoint; when given, requests for other models get the vendor's 404. */
  models?: string[];
  /** Reject thinking signatures no local upstream of this vendor issued (default true), like the vendors do. */
  verifySignatures?: boolean;
}

export interface SignatureLedger {
  /** Signatures / encrypted reasoning this upstream handed out, in order. */
  readonly issued: string[];
  /** Signatures it received back in requests, in order (including ones it did not issue). */
  readonly received: string[];
  /** Received signatures this upstream did not issue. */
  foreign(): string[];
}

export interface Upstream {
  vendor: Vendor;
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  requests: RecordedRequest[];
  signatures: SignatureLedger;
  close(): Promise<void>;
  setScript(fn: ScriptFn | undefined): void;
  setFaults(plan: FaultPlan): void;
  /** Requests seen with this key (every path, faulted ones included). */
  requestCount(key: string): number;
}
