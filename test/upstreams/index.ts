// Local stand-ins for the vendor APIs, for Switchyard's integration tests.
export { startOpenAIUpstream } from './openai.js';
export { startAnthropicUpstream } from './anthropic.js';
export { startGeminiUpstream } from './gemini.js';
export { replay, RECORDINGS_DIR, type ReplayOptions } from './replay.js';
export { think, argumentsFor, estimateTokens } from './brain.js';
export { GEMINI_SKIP_SIGNATURE } from './signatures.js';
export type {
  BrainReply, BrainToolCall, ConversationView, Dialect, Fault, FaultPlan, JsonObject, OfferedTool, RecordedRequest,
  ScriptAnswer, ScriptApi, ScriptContext, ScriptFn, SignatureLedger, Upstream, UpstreamOptions, Vendor,
} from './types.js';
