// Wire shapes of OpenAI Chat Completions, only the fields Switchyard reads or writes.
// Reference: https://platform.openai.com/docs/api-reference/chat and the OpenAPI document
// (test/fixtures/openai-openapi.json: CreateChatCompletionRequest / Response / StreamResponse).
// Incoming bodies are `unknown` and narrowed by hand; these types describe what we SEND.

export type ChatFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface ChatTextPart {
  type: 'text';
  text: string;
}

export interface ChatImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: string };
}

export interface ChatFilePart {
  type: 'file';
  file: { file_data?: string; file_id?: string; filename?: string };
}

export type ChatUserContentPart = ChatTextPart | ChatImagePart | ChatFilePart;

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatSystemMessage {
  role: 'system';
  content: string;
}

export interface ChatUserMessage {
  role: 'user';
  content: string | ChatUserContentPart[];
}

export interface ChatAssistantMessage {
  role: 'assistant';
  content: string | null;
  /** DeepSeek / Kimi / xAI / vLLM thinking text; not in OpenAI's spec (extra fields are allowed). */
  reasoning_content?: string;
  tool_calls?: ChatToolCall[];
}

export interface ChatToolMessage {
  role: 'tool';
  tool_call_id: string;
  content: string;
}

export type ChatMessage = ChatSystemMessage | ChatUserMessage | ChatAssistantMessage | ChatToolMessage;

export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown>; strict?: boolean };
}

export type ChatToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; cache_write_tokens?: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export interface ChatResponseMessage {
  role: 'assistant';
  content: string | null;
  refusal: string | null;
  /** Thinking text, as DeepSeek/Kimi/xAI send it; read by most OpenAI-compatible clients. */
  reasoning_content?: string;
  tool_calls?: ChatToolCall[];
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: ChatResponseMessage;
    logprobs: null;
    finish_reason: ChatFinishReason;
  }[];
  usage: ChatUsage;
}

export interface ChatToolCallChunk {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatDelta {
  role?: 'assistant';
  content?: string;
  reasoning_content?: string;
  refusal?: string;
  tool_calls?: ChatToolCallChunk[];
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: { index: number; delta: ChatDelta; logprobs: null; finish_reason: ChatFinishReason | null }[];
  usage?: ChatUsage | null;
}
