// Gemini generateContent wire shapes, only as far as Switchyard reads or writes them.
// https://ai.google.dev/api/generate-content — request / GenerateContentResponse
// https://ai.google.dev/api/caching#Content — Content, Part, FunctionCall, FunctionResponse, Schema
//
// The REST API accepts both lowerCamelCase and snake_case field names (proto JSON mapping), so the
// decoders read both (see ./json.ts `pick`); the encoders always write lowerCamelCase.

export interface GeminiBlob {
  mimeType: string;
  data: string;
}

export interface GeminiFileData {
  mimeType?: string;
  fileUri: string;
}

export interface GeminiFunctionCall {
  id?: string;
  name: string;
  args?: Record<string, unknown>;
}

export interface GeminiFunctionResponse {
  id?: string;
  name: string;
  response: Record<string, unknown>;
}

/** A Part has exactly one data field (text | inlineData | fileData | functionCall | functionResponse | …). */
export interface GeminiPart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: GeminiBlob;
  fileData?: GeminiFileData;
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
}

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

export interface GeminiCandidate {
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  index?: number;
}

export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
  createTime?: string;
}

/**
 * Gemini 3 rejects a current-turn functionCall without a thought signature. For histories that were
 * not produced by Gemini (another model, or calls injected by the client) Google documents this dummy
 * value to bypass the validator: https://ai.google.dev/gemini-api/docs/thought-signatures (FAQ).
 * It is not a real signature: decoders drop it, the upstream encoder adds it where one is missing.
 */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

/** Values Google documents as validator bypasses; neither is a signature worth keeping. */
export const DUMMY_SIGNATURES: ReadonlySet<string> = new Set([SKIP_SIGNATURE, 'context_engineering_is_the_way_to_go']);
