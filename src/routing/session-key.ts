import { createHash } from 'node:crypto';
import type { Dialect } from '../canonical/types.js';

// The conversation a request belongs to, for sticky key selection (prompt caches live per key, so a
// conversation that keeps its key keeps its cache). In order:
//   1. an explicit header: x-switchyard-session, x-session-id (opencode, Kilo), x-claude-code-session-id
//   2. the body: Anthropic metadata.user_id (Claude Code puts its session id there), OpenAI
//      prompt_cache_key (Codex: the session id), OpenAI `user`
//   3. a hash of the conversation's first turns (system prompt + first message), stable as it grows

type Headers = Record<string, string | string[] | undefined>;

const HEADERS = ['x-switchyard-session', 'x-session-id', 'x-claude-code-session-id'];

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function firstTurns(dialect: Dialect, body: Record<string, unknown>): unknown {
  const list = (v: unknown, n: number) => (Array.isArray(v) ? v.slice(0, n) : v);
  switch (dialect) {
    case 'anthropic':
      return [body.system, list(body.messages, 1)];
    case 'openai-chat':
      return list(body.messages, 2);
    case 'openai-responses':
      return [body.instructions, list(body.input, 2)];
    case 'gemini':
      return [body.systemInstruction ?? body.system_instruction, list(body.contents, 1)];
  }
}

export function sessionKey(dialect: Dialect, headers: Headers, body: Record<string, unknown>): string {
  for (const h of HEADERS) {
    const v = headers[h];
    const s = Array.isArray(v) ? v[0] : v;
    if (s) return `h:${s}`;
  }
  const fromBody =
    str((body.metadata as Record<string, unknown> | undefined)?.user_id) ?? str(body.prompt_cache_key) ?? str(body.user);
  if (fromBody) return `b:${fromBody}`;
  return `t:${createHash('sha1').update(JSON.stringify(firstTurns(dialect, body)) ?? '').digest('base64url')}`;
}
