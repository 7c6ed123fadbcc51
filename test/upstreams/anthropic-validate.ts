// Anthropic Messages validation (https://docs.anthropic.com/en/api/messages), worded like the API's
// pydantic-style errors ("<path>: <problem>") and its conversation-shape errors.
import { anthropicInvalid } from './errors.js';
import type { JsonObject } from './types.js';

const THINKING_DOCS = 'https://docs.claude.com/en/docs/build-with-claude/extended-thinking';

/**
 * The parameters of every API version clients use (2023-06-01 still has temperature/top_k/top_p; the installed
 * SDK's 2026-10-21 adds diagnostics, user_profile_id, workspace_id) plus the betas real clients send
 * (Claude Code: context_management, output_config).
 */
const MESSAGE_FIELDS = [
  'model', 'messages', 'max_tokens', 'system', 'metadata', 'stop_sequences', 'stream', 'temperature', 'top_k', 'top_p',
  'tools', 'tool_choice', 'thinking', 'service_tier', 'container', 'inference_geo', 'cache_control', 'output_config',
  'diagnostics', 'user_profile_id', 'workspace_id', 'context_management', 'mcp_servers', 'output_format', 'speed',
];
const COUNT_TOKENS_FIELDS = [
  'model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'mcp_servers', 'context_management', 'output_config',
  'output_format', 'cache_control',
];

/** Keys each request content block may carry (anything else is "Extra inputs are not permitted"). */
const BLOCK_FIELDS: Record<string, string[]> = {
  text: ['type', 'text', 'cache_control', 'citations'],
  image: ['type', 'source', 'cache_control', 'transformations'],
  document: ['type', 'source', 'title', 'context', 'citations', 'cache_control'],
  search_result: ['type', 'source', 'title', 'content', 'citations', 'cache_control'],
  tool_use: ['type', 'id', 'name', 'input', 'cache_control', 'caller', 'toolset_name'],
  tool_result: ['type', 'tool_use_id', 'content', 'is_error', 'cache_control', 'toolset_name'],
  thinking: ['type', 'thinking', 'signature'],
  redacted_thinking: ['type', 'data'],
};
/** Server-tool and beta blocks accepted as-is (their inner shapes are the vendor's business). */
const PASSTHROUGH_BLOCKS = [
  'server_tool_use', 'web_search_tool_result', 'web_fetch_tool_result', 'code_execution_tool_result',
  'bash_code_execution_tool_result', 'text_editor_code_execution_tool_result', 'tool_search_tool_result',
  'mcp_tool_use', 'mcp_tool_result', 'container_upload', 'compaction',
];
const BLOCK_TYPES = [...Object.keys(BLOCK_FIELDS), ...PASSTHROUGH_BLOCKS];
const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
const CUSTOM_TOOL_FIELDS = [
  'type', 'name', 'description', 'input_schema', 'cache_control', 'strict', 'defer_loading', 'input_examples',
  'eager_input_streaming', 'allowed_callers',
];

export interface AnthropicChecks {
  /** Tokens of the anthropic-beta header. */
  betas: string[];
  /** Records a thinking signature; returns false when the API could not verify it. */
  onSignature(signature: string): boolean;
  /** Whether a replayed thinking block's text is the one its signature was issued with. */
  unmodified?(signature: string, thinking: string): boolean;
  countTokens?: boolean;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const tags = (names: string[]) => names.map((n) => `'${n}'`).join(', ');

export function thinkingEnabled(body: JsonObject): boolean {
  const t = body.thinking;
  return isObject(t) && (t.type === 'enabled' || t.type === 'adaptive' || t.type === 'between_tools');
}

export function validateMessagesRequest(body: JsonObject, checks: AnthropicChecks): void {
  const allowed = checks.countTokens ? COUNT_TOKENS_FIELDS : MESSAGE_FIELDS;
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw anthropicInvalid(`${key}: Extra inputs are not permitted`);
  }
  const required = checks.countTokens ? ['model', 'messages'] : ['model', 'max_tokens', 'messages'];
  for (const key of required) {
    if (body[key] === undefined) throw anthropicInvalid(`${key}: Field required`);
  }
  if (typeof body.model !== 'string') throw anthropicInvalid('model: Input should be a valid string');
  if (!checks.countTokens) {
    if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens)) throw anthropicInvalid('max_tokens: Input should be a valid integer');
    if (body.max_tokens < 1) throw anthropicInvalid('max_tokens: Input should be greater than or equal to 1');
  }
  checkScalars(body);
  checkSystem(body.system);
  checkMetadata(body.metadata);
  const tools = checkTools(body.tools);
  checkToolChoice(body.tool_choice, tools);
  checkThinkingConfig(body, checks);
  if (!Array.isArray(body.messages)) throw anthropicInvalid('messages: Input should be a valid list');
  const messages = body.messages as unknown[];
  messages.forEach((m, i) => checkMessage(m, i, checks));
  checkConversation(messages as JsonObject[], body, checks);
}

function checkScalars(body: JsonObject): void {
  const range = (key: string, min: number, max: number) => {
    const v = body[key];
    if (v === undefined || v === null) return;
    if (typeof v !== 'number') throw anthropicInvalid(`${key}: Input should be a valid number`);
    if (v < min) throw anthropicInvalid(`${key}: Input should be greater than or equal to ${min}`);
    if (v > max) throw anthropicInvalid(`${key}: Input should be less than or equal to ${max}`);
  };
  range('temperature', 0, 1);
  range('top_p', 0, 1);
  if (body.top_k !== undefined && body.top_k !== null) {
    if (typeof body.top_k !== 'number' || !Number.isInteger(body.top_k)) throw anthropicInvalid('top_k: Input should be a valid integer');
    if (body.top_k < 0) throw anthropicInvalid('top_k: Input should be greater than or equal to 0');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw anthropicInvalid('stream: Input should be a valid boolean');
  if (body.stop_sequences !== undefined) {
    if (!Array.isArray(body.stop_sequences)) throw anthropicInvalid('stop_sequences: Input should be a valid list');
    body.stop_sequences.forEach((s, i) => {
      if (typeof s !== 'string') throw anthropicInvalid(`stop_sequences.${i}: Input should be a valid string`);
    });
  }
}

function checkSystem(system: unknown): void {
  if (system === undefined || typeof system === 'string') return;
  if (!Array.isArray(system)) throw anthropicInvalid('system: Input should be a valid string or a valid list');
  system.forEach((b, i) => {
    if (!isObject(b) || b.type !== 'text') throw anthropicInvalid(`system.${i}.type: Input should be 'text'`);
    checkBlock(b, `system.${i}`);
  });
}

function checkMetadata(metadata: unknown): void {
  if (metadata === undefined || metadata === null) return;
  if (!isObject(metadata)) throw anthropicInvalid('metadata: Input should be a valid dictionary');
  for (const key of Object.keys(metadata)) {
    if (key !== 'user_id') throw anthropicInvalid(`metadata.${key}: Extra inputs are not permitted`);
  }
}

function checkTools(tools: unknown): string[] {
  if (tools === undefined) return [];
  if (!Array.isArray(tools)) throw anthropicInvalid('tools: Input should be a valid list');
  const names: string[] = [];
  tools.forEach((t, i) => {
    if (!isObject(t)) throw anthropicInvalid(`tools.${i}: Input should be a valid dictionary`);
    const type = t.type ?? 'custom';
    if (typeof type === 'string' && (/_\d{8}$/.test(type) || type === 'mcp_toolset')) {
      // Server and versioned client tools (web_search_20250305, bash_20250124, ...) carry no input_schema.
      if (typeof t.name === 'string') names.push(t.name);
      return;
    }
    if (type !== 'custom') throw anthropicInvalid(`tools.${i}: Input tag '${String(type)}' found using 'type' does not match any of the expected tags`);
    const at = `tools.${i}.custom`;
    for (const key of Object.keys(t)) {
      if (!CUSTOM_TOOL_FIELDS.includes(key)) throw anthropicInvalid(`${at}.${key}: Extra inputs are not permitted`);
    }
    if (t.name === undefined) throw anthropicInvalid(`${at}.name: Field required`);
    if (typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(t.name)) {
      throw anthropicInvalid(`${at}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`);
    }
    if (t.input_schema === undefined) throw anthropicInvalid(`${at}.input_schema: Field required`);
    if (!isObject(t.input_schema)) throw anthropicInvalid(`${at}.input_schema: Input should be a valid dictionary`);
    if (t.input_schema.type !== 'object') throw anthropicInvalid(`${at}.input_schema.type: Input should be 'object'`);
    names.push(t.name);
  });
  if (new Set(names).size !== names.length) throw anthropicInvalid('tools: Tool names must be unique.');
  return names;
}

function checkToolChoice(choice: unknown, tools: string[]): void {
  if (choice === undefined) return;
  if (!isObject(choice)) throw anthropicInvalid('tool_choice: Input should be a valid dictionary');
  const kinds = ['auto', 'any', 'tool', 'none'];
  if (typeof choice.type !== 'string' || !kinds.includes(choice.type)) {
    throw anthropicInvalid(`tool_choice: Input tag '${String(choice.type)}' found using 'type' does not match any of the expected tags: ${tags(kinds)}`);
  }
  if (choice.type === 'tool') {
    if (typeof choice.name !== 'string') throw anthropicInvalid('tool_choice.tool.name: Field required');
    if (!tools.includes(choice.name)) throw anthropicInvalid(`Tool '${choice.name}' not found in provided tools`);
  }
}

function checkThinkingConfig(body: JsonObject, checks: AnthropicChecks): void {
  const t = body.thinking;
  if (t === undefined) return;
  if (!isObject(t)) throw anthropicInvalid('thinking: Input should be a valid dictionary');
  const kinds = ['adaptive', 'between_tools', 'disabled', 'enabled'];
  if (typeof t.type !== 'string' || !kinds.includes(t.type)) {
    throw anthropicInvalid(`thinking: Input tag '${String(t.type)}' found using 'type' does not match any of the expected tags: ${tags(kinds)}`);
  }
  if (t.type === 'enabled') {
    if (t.budget_tokens === undefined) throw anthropicInvalid('thinking.enabled.budget_tokens: Field required');
    if (typeof t.budget_tokens !== 'number' || !Number.isInteger(t.budget_tokens)) throw anthropicInvalid('thinking.enabled.budget_tokens: Input should be a valid integer');
    if (t.budget_tokens < 1024) throw anthropicInvalid('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
    if (!checks.countTokens && t.budget_tokens >= (body.max_tokens as number)) {
      throw anthropicInvalid(`\`max_tokens\` must be greater than \`thinking.budget_tokens\`. Please consult our documentation at ${THINKING_DOCS}#max-tokens-and-context-window-size`);
    }
  }
  if (!thinkingEnabled(body)) return;
  if (typeof body.temperature === 'number' && body.temperature !== 1) {
    throw anthropicInvalid(`\`temperature\` may only be set to 1 when thinking is enabled. Please consult our documentation at ${THINKING_DOCS}#feature-compatibility`);
  }
  if (body.top_k !== undefined && body.top_k !== null) {
    throw anthropicInvalid(`\`top_k\` must be unset when thinking is enabled. Please consult our documentation at ${THINKING_DOCS}#feature-compatibility`);
  }
  if (typeof body.top_p === 'number' && body.top_p < 0.95) {
    throw anthropicInvalid(`\`top_p\` must be greater than or equal to 0.95 or unset when thinking is enabled. Please consult our documentation at ${THINKING_DOCS}#feature-compatibility`);
  }
  const choice = body.tool_choice;
  if (isObject(choice) && (choice.type === 'any' || choice.type === 'tool')) {
    throw anthropicInvalid('Thinking may not be enabled when tool_choice forces tool use.');
  }
}

/** Claude Code's per-turn-control beta adds output_config to mid-conversation system messages (fixtures/clients/claude-code-*). */
function perTurnControl(checks: AnthropicChecks): boolean {
  return checks.betas.some((b) => b.startsWith('per-turn-control'));
}

function checkMessage(m: unknown, i: number, checks: AnthropicChecks): void {
  const at = `messages.${i}`;
  if (!isObject(m)) throw anthropicInvalid(`${at}: Input should be a valid dictionary`);
  if (m.role === undefined) throw anthropicInvalid(`${at}.role: Field required`);
  // Mid-conversation `system` messages are part of the API the installed SDK speaks (SystemMessageParam).
  if (m.role !== 'user' && m.role !== 'assistant' && m.role !== 'system') {
    throw anthropicInvalid(`${at}.role: Input should be 'user', 'assistant' or 'system'`);
  }
  const fields = m.role === 'system' && perTurnControl(checks) ? ['role', 'content', 'output_config'] : ['role', 'content'];
  for (const key of Object.keys(m)) {
    if (!fields.includes(key)) throw anthropicInvalid(`${at}.${key}: Extra inputs are not permitted`);
  }
  if (m.content === undefined) throw anthropicInvalid(`${at}.content: Field required`);
  if (typeof m.content === 'string') return;
  if (!Array.isArray(m.content)) throw anthropicInvalid(`${at}.content: Input should be a valid string or a valid list`);
  m.content.forEach((b, k) => {
    const bat = `${at}.content.${k}`;
    if (!isObject(b)) throw anthropicInvalid(`${bat}: Input should be a valid dictionary`);
    if (typeof b.type !== 'string' || !BLOCK_TYPES.includes(b.type)) {
      throw anthropicInvalid(`${bat}: Input tag '${String(b.type)}' found using 'type' does not match any of the expected tags: ${tags(BLOCK_TYPES)}`);
    }
    checkBlock(b, bat);
  });
}

function checkBlock(b: JsonObject, at: string): void {
  const type = b.type as string;
  const fields = BLOCK_FIELDS[type];
  if (!fields) return;
  for (const key of Object.keys(b)) {
    if (!fields.includes(key)) throw anthropicInvalid(`${at}.${type}.${key}: Extra inputs are not permitted`);
  }
  const need = (key: string, kind: 'string' | 'object') => {
    if (b[key] === undefined) throw anthropicInvalid(`${at}.${type}.${key}: Field required`);
    if (kind === 'string' && typeof b[key] !== 'string') throw anthropicInvalid(`${at}.${type}.${key}: Input should be a valid string`);
    if (kind === 'object' && !isObject(b[key])) throw anthropicInvalid(`${at}.${type}.${key}: Input should be a valid dictionary`);
  };
  switch (type) {
    case 'text':
      need('text', 'string');
      if ((b.text as string).length === 0) throw anthropicInvalid('messages: text content blocks must be non-empty');
      if ((b.text as string).trim().length === 0) throw anthropicInvalid('messages: text content blocks must contain non-whitespace text');
      return;
    case 'image': {
      need('source', 'object');
      const source = b.source as JsonObject;
      if (source.type === 'base64') {
        if (typeof source.media_type !== 'string' || !IMAGE_MEDIA_TYPES.includes(source.media_type)) {
          throw anthropicInvalid(`${at}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`);
        }
        if (typeof source.data !== 'string') throw anthropicInvalid(`${at}.image.source.base64.data: Field required`);
      } else if (source.type === 'url') {
        if (typeof source.url !== 'string') throw anthropicInvalid(`${at}.image.source.url.url: Field required`);
      } else if (source.type !== 'file') {
        throw anthropicInvalid(`${at}.image.source: Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags: 'base64', 'file', 'url'`);
      }
      return;
    }
    case 'tool_use':
      need('id', 'string');
      need('name', 'string');
      need('input', 'object');
      return;
    case 'tool_result':
      need('tool_use_id', 'string');
      if (b.content !== undefined && typeof b.content !== 'string' && !Array.isArray(b.content)) {
        throw anthropicInvalid(`${at}.tool_result.content: Input should be a valid string or a valid list`);
      }
      return;
    case 'thinking':
      need('thinking', 'string');
      need('signature', 'string');
      return;
    case 'redacted_thinking':
      need('data', 'string');
      return;
  }
}

function blocksOf(m: JsonObject): JsonObject[] {
  return Array.isArray(m.content) ? (m.content as JsonObject[]) : [];
}

/** Ordering rules across messages: roles, tool_use/tool_result pairing, thinking blocks, signatures. */
function checkConversation(all: JsonObject[], body: JsonObject, checks: AnthropicChecks): void {
  // Indices refer to the request's messages; mid-conversation system messages (beta) sit outside the turns.
  const turns = all.map((m, i) => ({ m, i })).filter(({ m }) => m.role !== 'system');
  if (turns.length === 0) throw anthropicInvalid('messages: at least one message is required');
  if (turns[0].m.role !== 'user') throw anthropicInvalid('messages: first message must use the "user" role');

  turns.forEach(({ m, i }, t) => {
    const last = t === turns.length - 1;
    if (t > 0 && turns[t - 1].m.role === m.role) {
      throw anthropicInvalid(`messages: roles must alternate between "user" and "assistant", but found multiple "${String(m.role)}" roles in a row`);
    }
    const empty = typeof m.content === 'string' ? m.content.length === 0 : blocksOf(m).length === 0;
    if (empty && !(last && m.role === 'assistant')) {
      throw anthropicInvalid(`messages.${i}: all messages must have non-empty content except for the optional final assistant message`);
    }
    const ids = new Set<string>();
    blocksOf(m).forEach((b, k) => {
      if (b.type === 'tool_use') {
        if (ids.has(String(b.id))) throw anthropicInvalid(`messages.${i}.content.${k}: \`tool_use\` ids must be unique`);
        ids.add(String(b.id));
      }
      // Signatures are always recorded, but only checked when thinking is on (otherwise the API drops them).
      if (b.type === 'thinking' && !checks.onSignature(String(b.signature)) && thinkingEnabled(body)) {
        throw anthropicInvalid(`messages.${i}.content.${k}: Invalid \`signature\` in \`thinking\` block`);
      }
      if (b.type === 'redacted_thinking') checks.onSignature(String(b.data));
    });
    if (m.role === 'user') checkToolResults(turns[t - 1]?.m, m, i);
    if (m.role === 'assistant') checkToolUsesAnswered(m, i, turns[t + 1]?.m);
  });

  const final = turns[turns.length - 1];
  if (final.m.role === 'assistant') {
    const text = typeof final.m.content === 'string' ? final.m.content : blocksOf(final.m).filter((b) => b.type === 'text').map((b) => String(b.text)).pop();
    if (text !== undefined && text !== text.trimEnd()) throw anthropicInvalid('messages: final assistant content cannot end with trailing whitespace');
    if (!thinkingEnabled(body)) {
      const k = blocksOf(final.m).findIndex((b) => b.type === 'thinking' || b.type === 'redacted_thinking');
      if (k >= 0) {
        throw anthropicInvalid(`messages.${final.i}.content.${k}: When thinking is disabled, an \`assistant\` message in the final position cannot contain \`thinking\`. To use thinking blocks, enable \`thinking\` in your request.`);
      }
    }
  }
  // Only budgeted thinking always thinks; adaptive thinking may legitimately skip it on a tool turn.
  if ((body.thinking as JsonObject | undefined)?.type === 'enabled') checkThinkingPrefix(turns);
  if (thinkingEnabled(body)) checkThinkingUnmodified(turns, checks);
}

/**
 * The signature covers the thinking text: the latest assistant message's thinking blocks must come back
 * exactly as they were returned (the API's wording, e.g. anthropics/claude-code#19539).
 */
function checkThinkingUnmodified(turns: { m: JsonObject; i: number }[], checks: AnthropicChecks): void {
  const lastAssistant = [...turns].reverse().find(({ m }) => m.role === 'assistant');
  if (!lastAssistant || !checks.unmodified) return;
  blocksOf(lastAssistant.m).forEach((b, k) => {
    if (b.type === 'thinking' && !checks.unmodified?.(String(b.signature), String(b.thinking))) {
      throw anthropicInvalid(`messages.${lastAssistant.i}.content.${k}: \`thinking\` or \`redacted_thinking\` blocks in the latest assistant message cannot be modified. These blocks must remain as they were in the original response.`);
    }
  });
}

/** tool_result blocks may only answer tool_use blocks of the assistant message right before. */
function checkToolResults(previous: JsonObject | undefined, m: JsonObject, i: number): void {
  const offered = new Set(previous ? blocksOf(previous).filter((b) => b.type === 'tool_use').map((b) => String(b.id)) : []);
  blocksOf(m).forEach((b, k) => {
    if (b.type === 'tool_result' && !offered.has(String(b.tool_use_id))) {
      throw anthropicInvalid(`messages.${i}.content.${k}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(b.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`);
    }
  });
}

/** Every tool_use needs a tool_result in the leading run of tool_result blocks of the next message. */
function checkToolUsesAnswered(m: JsonObject, i: number, next: JsonObject | undefined): void {
  const ids = blocksOf(m).filter((b) => b.type === 'tool_use').map((b) => String(b.id));
  if (ids.length === 0) return;
  const answered = new Set<string>();
  for (const b of next ? blocksOf(next) : []) {
    if (b.type !== 'tool_result') break; // results after other content do not count
    answered.add(String(b.tool_use_id));
  }
  const missing = ids.filter((id) => !answered.has(id));
  if (missing.length > 0) {
    throw anthropicInvalid(`messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`);
  }
}

/** With thinking on, the last assistant message of a tool loop must start with its thinking block. */
function checkThinkingPrefix(turns: { m: JsonObject; i: number }[]): void {
  const lastAssistant = [...turns].reverse().find(({ m }) => m.role === 'assistant');
  if (!lastAssistant) return;
  const blocks = blocksOf(lastAssistant.m);
  if (!blocks.some((b) => b.type === 'tool_use')) return;
  const first = blocks[0];
  if (first.type !== 'thinking' && first.type !== 'redacted_thinking') {
    throw anthropicInvalid(`messages.${lastAssistant.i}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first.type)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at ${THINKING_DOCS}`);
  }
}
