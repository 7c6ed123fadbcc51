// OpenAI request validation: the OpenAPI schema (see openai-schema.ts) plus the rules the schema cannot
// express, with the API's own error wording.
import { VendorRequestError, openaiError, openaiInvalid } from './errors.js';
import { declaredProperties, explain, findUnknownParameter, schemaValidator } from './openai-schema.js';
import type { JsonObject } from './types.js';

/**
 * Parameters real clients send that the published document does not list but the API accepts: codex sends
 * `client_metadata` on every Responses request and an `id` on its input messages
 * (test/fixtures/clients/codex-*.json).
 */
const UNDOCUMENTED_ACCEPTED: Record<string, string[]> = {
  CreateChatCompletionRequest: [],
  CreateResponse: ['client_metadata'],
};
const tolerated = (path: string, key: string) =>
  (path === '' && UNDOCUMENTED_ACCEPTED.CreateResponse.includes(key)) || (key === 'id' && /^input\[\d+\]$/.test(path));

function validateAgainstSchema(name: 'CreateChatCompletionRequest' | 'CreateResponse', body: JsonObject): void {
  const known = declaredProperties(name);
  for (const key of Object.keys(body)) {
    if (known.has(key) || UNDOCUMENTED_ACCEPTED[name].includes(key)) continue;
    // The two endpoints word this differently.
    throw name === 'CreateChatCompletionRequest'
      ? openaiInvalid(`Unrecognized request argument supplied: ${key}`)
      : openaiInvalid(`Unknown parameter: '${key}'.`, key, 'unknown_parameter');
  }
  const validate = schemaValidator(name);
  if (validate(body)) {
    // The Responses endpoint also refuses unknown keys inside items (Chat Completions ignores them).
    const unknown = name === 'CreateResponse' ? findUnknownParameter(name, body, tolerated) : undefined;
    if (unknown) throw openaiInvalid(`Unknown parameter: '${unknown}'.`, unknown, 'unknown_parameter');
    return;
  }
  const problem = explain(name, body);
  if (problem) throw openaiInvalid(problem.message, problem.param, problem.code);
  const e = validate.errors?.[0];
  throw openaiInvalid(`Invalid request: ${e?.instancePath || 'body'} ${e?.message ?? 'is invalid'}.`, null, 'invalid_value');
}

/** o-series and gpt-5 reasoning models refuse the sampling knobs (see the recorded *-error.json fixtures). */
export function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)(?!-chat)/.test(model);
}

// ---------- Chat Completions ----------

export function validateChatRequest(body: JsonObject): void {
  validateAgainstSchema('CreateChatCompletionRequest', body);
  const model = String(body.model);
  if (body.stream_options != null && body.stream !== true) {
    throw openaiInvalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
  }
  if (isReasoningModel(model)) {
    if (body.max_tokens != null) {
      throw openaiInvalid("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", 'max_tokens', 'unsupported_parameter');
    }
    if (typeof body.temperature === 'number' && body.temperature !== 1) {
      throw openaiInvalid(`Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`, 'temperature', 'unsupported_value');
    }
    // What gpt-5 answers to any other top_p (reported widely, e.g. in issues of LunaTranslator, open-notebook).
    if (typeof body.top_p === 'number' && body.top_p !== 1) {
      throw openaiInvalid("Unsupported parameter: 'top_p' is not supported with this model.", 'top_p', 'unsupported_parameter');
    }
  }
  const tools = Array.isArray(body.tools) ? (body.tools as JsonObject[]) : [];
  tools.forEach((t, i) => {
    const fn = t.function as JsonObject | undefined;
    if (t.type === 'function' && fn) checkFunctionName(fn.name, `tools[${i}].function.name`);
  });
  checkToolMessagePairing(body.messages as JsonObject[]);
}

/** The API enforces this on function names although the document does not say so. */
function checkFunctionName(name: unknown, param: string): void {
  if (typeof name !== 'string') return;
  if (name.length > 64) {
    throw openaiInvalid(`Invalid '${param}': string too long. Expected a string with maximum length 64, but got a string with length ${name.length} instead.`, param, 'string_above_max_length');
  }
  if (!/^[a-zA-Z0-9_-]+$/.test(name)) {
    throw openaiInvalid(`Invalid '${param}': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, param, 'invalid_value');
  }
}

/**
 * Every assistant tool call must be answered by `tool` messages (with its tool_call_id) before any other
 * message, and a `tool` message must answer a tool call of the assistant message just before its block.
 */
function checkToolMessagePairing(messages: JsonObject[]): void {
  let block: { assistantIndex: number; ids: Set<string>; open: Set<string> } | undefined;
  const unanswered = () => {
    if (block && block.open.size > 0) {
      throw openaiInvalid(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...block.open].join(', ')}`,
        `messages.[${block.assistantIndex}].role`,
      );
    }
  };
  messages.forEach((m, i) => {
    if (m.role === 'tool') {
      if (!block) {
        throw openaiInvalid("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", `messages.[${i}].role`);
      }
      const id = String(m.tool_call_id);
      if (!block.ids.has(id)) {
        throw openaiInvalid(`Invalid parameter: 'tool_call_id' of '${id}' not found in 'tool_calls' of previous message.`, `messages.[${i}].tool_call_id`);
      }
      block.open.delete(id);
      return;
    }
    unanswered();
    const calls = m.role === 'assistant' && Array.isArray(m.tool_calls) ? (m.tool_calls as JsonObject[]) : [];
    block = calls.length > 0
      ? { assistantIndex: i, ids: new Set(calls.map((c) => String(c.id))), open: new Set(calls.map((c) => String(c.id))) }
      : undefined;
  });
  unanswered();
}

// ---------- Responses ----------

/** What the Responses endpoint remembers between calls (store !== false). */
export interface ResponsesMemory {
  responses: Map<string, { input: JsonObject[]; output: JsonObject[] }>;
  items: Set<string>;
}

const CALL_KINDS: Record<string, { output: string; noun: string }> = {
  function_call: { output: 'function_call_output', noun: 'function call' },
  custom_tool_call: { output: 'custom_tool_call_output', noun: 'custom tool call' },
};

export interface ResponsesChecks {
  memory: ResponsesMemory;
  /** Called for each reasoning item's encrypted_content; returns false when it cannot be verified. */
  onEncryptedContent(value: string): boolean;
}

export function validateResponsesRequest(body: JsonObject, checks: ResponsesChecks): void {
  validateAgainstSchema('CreateResponse', body);
  const model = String(body.model ?? '');
  if (isReasoningModel(model)) {
    for (const p of ['temperature', 'top_p']) {
      if (typeof body[p] === 'number' && body[p] !== 1) {
        throw openaiInvalid(`Unsupported parameter: '${p}' is not supported with this model.`, p);
      }
    }
  }
  if (body.stream_options != null && body.stream !== true) {
    throw openaiInvalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
  }
  const tools = Array.isArray(body.tools) ? (body.tools as JsonObject[]) : [];
  tools.forEach((t, i) => {
    if (t.type === 'function') checkFunctionName(t.name, `tools[${i}].name`);
  });
  const history: JsonObject[] = [];
  if (typeof body.previous_response_id === 'string') {
    const prev = checks.memory.responses.get(body.previous_response_id);
    if (!prev) {
      throw openaiInvalid(`Previous response with id '${body.previous_response_id}' not found.`, 'previous_response_id', 'previous_response_not_found');
    }
    history.push(...prev.input, ...prev.output);
  }
  const input = Array.isArray(body.input) ? (body.input as JsonObject[]) : [];
  checkReasoningItems(input, body.store !== false, checks);
  checkCallPairing(history, input);
}

function checkReasoningItems(input: JsonObject[], store: boolean, checks: ResponsesChecks): void {
  for (const item of input) {
    if (item.type !== 'reasoning') continue;
    if (typeof item.encrypted_content === 'string') {
      if (!checks.onEncryptedContent(item.encrypted_content)) {
        throw openaiInvalid(`The encrypted content for item ${String(item.id)} could not be verified.`, null, 'invalid_encrypted_content');
      }
    } else if (!checks.memory.items.has(String(item.id))) {
      // Without encrypted_content the item must be one the API stored; store:false responses are not.
      const hint = store ? '' : ' Items are not persisted when `store` is set to false. Try again with `store` set to true, or remove this item from your input.';
      throw new VendorRequestError(openaiError(404, `Item with id '${String(item.id)}' not found.${hint}`, { type: 'invalid_request_error', param: 'input', code: null }));
    }
  }
}

/** function_call_output must answer a call in the input (or the previous response); every call needs its output. */
function checkCallPairing(history: JsonObject[], input: JsonObject[]): void {
  const calls = new Map<string, string>();
  for (const item of history) {
    if (typeof item.type === 'string' && CALL_KINDS[item.type]) calls.set(String(item.call_id), item.type);
  }
  const answered = new Set<string>();
  for (const item of [...history, ...input]) {
    if (typeof item.type === 'string' && item.type.endsWith('_output')) answered.add(String(item.call_id));
  }
  for (const item of input) {
    const kind = typeof item.type === 'string' ? CALL_KINDS[item.type] : undefined;
    if (kind) {
      calls.set(String(item.call_id), item.type as string);
      continue;
    }
    const call = Object.entries(CALL_KINDS).find(([, k]) => k.output === item.type);
    if (call && !calls.has(String(item.call_id))) {
      const noun = call[0] === 'function_call' ? 'function call output' : 'custom tool call output';
      throw openaiInvalid(`No tool call found for ${noun} with call_id ${String(item.call_id)}.`, 'input');
    }
  }
  for (const [callId, type] of calls) {
    if (!answered.has(callId)) throw openaiInvalid(`No tool output found for ${CALL_KINDS[type].noun} ${callId}.`, 'input');
  }
}

export function emptyResponsesMemory(): ResponsesMemory {
  return { responses: new Map(), items: new Set() };
}

/** `VendorRequestError` for a body that is not a JSON object. */
export function openaiBadJson(): VendorRequestError {
  return openaiInvalid(
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
  );
}
