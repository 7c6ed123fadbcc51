// Which of the gateway's model names to give each kind of client: a main model and a small/fast one,
// preferring names of the client's own vendor family so requests keep their native shape.

export type ModelFamily = 'anthropic' | 'openai' | 'gemini';

export interface ModelChoice {
  main: string;
  small: string;
}

const FAMILY: Record<ModelFamily, { match: RegExp; main: RegExp[]; small: RegExp[] }> = {
  anthropic: { match: /^claude-/i, main: [/sonnet/i, /opus/i], small: [/haiku/i] },
  openai: { match: /^(gpt-|o\d|codex|chatgpt)/i, main: [/codex/i, /^gpt-5(?!.*(mini|nano))/i, /^gpt-(?!.*(mini|nano))/i], small: [/nano/i, /mini/i] },
  gemini: { match: /^gemini-/i, main: [/pro/i, /flash(?!-lite)/i], small: [/flash-lite/i, /flash/i] },
};

/** Model ids that are not for chat (embeddings, images, audio); never offered to an agent. */
const NOT_CHAT = /(embed|tts|whisper|dall-e|image|audio|realtime|moderation|transcribe)/i;

function firstMatching(models: string[], patterns: RegExp[]): string | undefined {
  for (const re of patterns) {
    const hit = models.find((m) => re.test(m));
    if (hit) return hit;
  }
  return undefined;
}

/**
 * Picks models for a client of `family` from what the gateway serves. Own-family names first; when the
 * gateway serves none of them, the best candidate of any family (a Claude Code user with only an
 * OpenAI upstream gets a GPT model). `undefined` when nothing is known (the client keeps its defaults).
 */
export function chooseModels(served: string[], family: ModelFamily): ModelChoice | undefined {
  const chat = served.filter((m) => !NOT_CHAT.test(m));
  if (chat.length === 0) return undefined;
  const spec = FAMILY[family];
  const own = chat.filter((m) => spec.match.test(m));
  const pool = own.length > 0 ? own : chat;
  const main =
    firstMatching(pool, spec.main) ??
    firstMatching(pool, Object.values(FAMILY).flatMap((f) => f.main)) ??
    pool[0];
  const small =
    firstMatching(pool, spec.small) ?? firstMatching(pool, Object.values(FAMILY).flatMap((f) => f.small)) ?? main;
  return { main, small };
}
